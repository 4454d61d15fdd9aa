"""Names in the arm MJCF files, in one place."""

ARM_JOINTS = ("base_yaw", "shoulder", "elbow", "wrist")
TIP_SITE = "tip"
TARGET_MOCAP = "target"
GOAL_MOCAP = "goal"
OBJECT_BODY = "block"
OBJECT_JOINT = "block_free"
