"""Names in the Quadruped MJCF, in one place."""

TORSO = "torso"
IMU_SITE = "imu"
LEGS = ("front_left", "front_right", "back_left", "back_right")
LEG_JOINTS = tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip_abduction", "hip", "knee"))
FOOT_SITES = tuple(f"{leg}_foot" for leg in LEGS)
SENSOR_GYRO = "imu_gyro"
SENSOR_ACCELEROMETER = "imu_accelerometer"
SENSOR_ORIENTATION = "imu_orientation"
SENSOR_VELOCIMETER = "imu_velocimeter"
FOOT_TOUCH_SENSORS = tuple(f"{leg}_foot_touch" for leg in LEGS)
#: standing joint angles (rad) per leg: hip abduction, hip, knee; the centre of each ctrlrange
STANDING_LEG_POSE = (0.0, 0.8, -1.5)
