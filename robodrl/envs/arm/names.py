"""Names in the arm MJCF files, in one place."""

ARM_JOINTS = ("base_yaw", "shoulder", "elbow", "wrist")
TIP_SITE = "tip"
TARGET_MOCAP = "target"
GOAL_MOCAP = "goal"
OBJECT_BODY = "block"
OBJECT_JOINT = "block_free"

# -- the two-arm scene (two_arm_push.xml with two arm_robot.xml attached) ----------------------
ARMS = ("left", "right")  # arm prefix: its mount frame is "<arm>_mount", its names "<arm>_..."
ROBOT_FILE = "arm_robot.xml"
ROBOT_ROOT = "base"
CRATE_JOINT = "crate_x"
