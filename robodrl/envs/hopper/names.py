"""Names in the Hopper MJCF, in one place."""

TORSO = "torso"
ROOT_JOINTS = ("root_x", "root_z", "root_pitch")
LEG_JOINTS = ("hip", "knee", "ankle")
#: height of the torso centre above the floor when root_z = 0 (m)
TORSO_HEIGHT = 1.25
