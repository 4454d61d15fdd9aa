"""Names in the Pendulum MJCF, in one place."""

HINGE = "hinge"
POLE = "pole"
TIP_SITE = "tip"
MOTOR = "torque"
