"""Export: one self-contained ONNX file per policy, verified against torch before it is kept."""
