"""Arm tasks: a 4-joint position-controlled arm reaching a target (ArmReach) or pushing a
block to a goal on a table (ArmPush). Both scenes include the same robot files."""
