"""The onboard runtime: runs an exported ``policy.onnx`` (or a team's files) with numpy and
onnxruntime only."""

from robodrl.runtime.policy import REQUIRED_METADATA, OnnxPolicy, RuntimePolicyError
from robodrl.runtime.team import OnnxTeam

__all__ = ["REQUIRED_METADATA", "OnnxPolicy", "OnnxTeam", "RuntimePolicyError"]
