"""The onboard runtime: runs an exported ``policy.onnx`` with numpy and onnxruntime only."""

from robodrl.runtime.policy import REQUIRED_METADATA, OnnxPolicy, RuntimePolicyError

__all__ = ["REQUIRED_METADATA", "OnnxPolicy", "RuntimePolicyError"]
