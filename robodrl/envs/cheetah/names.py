"""Names in the Cheetah MJCF, in one place."""

TORSO = "torso"
ROOT_JOINTS = ("root_x", "root_z", "root_pitch")
LEG_JOINTS = ("back_hip", "back_knee", "back_ankle", "front_hip", "front_knee", "front_ankle")
