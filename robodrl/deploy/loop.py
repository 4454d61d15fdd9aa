"""The real-time loop: an exported policy drives a robot at the file's control rate.

Before the first command: the robot's joints, rate and signals are checked against the file
(:class:`~robodrl.deploy.contract.DeployContract`), then its first measurement (sizes, joints in
range). Then, every control period on a monotonic clock, phase-locked to the robot's
measurements (each deadline falls just before the next is due, and the loop computes on its
arrival, waiting at most ``FRESH_WAIT``): the watchdog, e-stop and tilt guard; the observation
from the signals and the operator's command; the policy (its graph's fault guard included); the
clamps and the soft start; write. A step that ends after its period's deadline is a missed
deadline (counted; the loop skips to the next period on time). Safe mode, once entered, holds to
the end (:mod:`robodrl.deploy.safety`). Ctrl-C ends the run in safe mode, with its log."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import numpy as np

from robodrl.deploy.contract import DeployContract
from robodrl.deploy.interface import Command, DeployError, Robot, RobotLostError, State
from robodrl.deploy.probe import probe_joints
from robodrl.deploy.safety import Safety
from robodrl.deploy.schedule import CommandSchedule

#: how long the loop waits for the robot's first measurement (s)
FIRST_STATE_SECONDS = 10.0
#: each deadline falls this long before the robot's next measurement is due (s); the loop then
#: waits for it, at most ``FRESH_WAIT``, and computes on its arrival
EARLY = 0.001
FRESH_WAIT = 0.004
#: how far one step moves the periods' origin to keep that phase (s)
NUDGE = 0.00025


@dataclass
class DeployLog:
    """What a run did, one row per control step, and how it ended."""

    rows: list[dict] = field(default_factory=list)
    signals: list[dict[str, np.ndarray]] = field(default_factory=list)
    sent: list[np.ndarray] = field(default_factory=list)
    missed: int = 0
    ended: str = "completed"
    robot: str = ""
    probe: dict | None = None

    def record(self, row: dict, signals: dict[str, np.ndarray], sent: Command) -> None:
        """One control step: its row, the signals its observation was built from, the command."""
        self.rows.append(row)
        self.signals.append(signals)
        self.sent.append(np.r_[float(sent.mode == "damp"), sent.values])


def first_state(robot: Robot, timeout: float = FIRST_STATE_SECONDS) -> State:
    """The robot's first measurement, as soon as it arrives."""
    deadline = robot.now() + timeout
    while robot.now() < deadline:
        state = robot.read()
        if state.sequence >= 0 and state.signals:
            return state
        time.sleep(0.0002)
    raise DeployError(f"the robot sent no measurement within {timeout:g} s")


def run_loop(
    contract: DeployContract,
    robot: Robot,
    schedule: CommandSchedule,
    safety: Safety,
    seconds: float,
    *,
    probe: bool = True,
) -> DeployLog:
    """Drive ``robot`` for ``seconds`` (see the module docstring); ``probe``: the joint check
    (:mod:`robodrl.deploy.probe`) first."""
    info = robot.describe()
    contract.check_robot(info)
    state = first_state(robot)
    contract.check_state(state, info.name)
    log, dt = DeployLog(robot=info.name), contract.control_dt
    if probe:
        pose = np.clip(state.signals["joint_pos"], contract.target_low, contract.target_high)
        log.probe = probe_joints(contract, robot, pose)
    start_pose = previous = None  # the soft start begins from the first step's measurement
    locked, state = _phase_lock(robot, dt)
    origin = start = locked + dt - EARLY
    steps, step = round(seconds / dt), 0
    try:
        while step < steps:
            deadline = origin + step * dt
            pause = deadline - robot.now()
            if pause > 0:
                time.sleep(pause)
            woke = robot.now()
            state = _fresh(robot, state.sequence, woke + FRESH_WAIT)
            arrived = robot.now()
            if start_pose is None:
                start_pose = np.clip(
                    np.asarray(state.signals["joint_pos"], dtype=float),
                    contract.target_low,
                    contract.target_high,
                )
                previous = start_pose.copy() if contract.mode == "position" else idle(contract)
            row, sent, signals = _step(
                contract, safety, schedule, state, step * dt, arrived, previous, start_pose
            )
            robot.write(sent)
            if safety.safe is None:  # the command last sent, in the policy's units
                previous = sent.values
            finished = robot.now()
            origin = _keep_phase(origin, start, arrived - woke, dt)
            row |= {
                "compute_ms": (finished - arrived) * 1e3,
                "late_ms": (woke - deadline) * 1e3,
                "wait_ms": (arrived - woke) * 1e3,
            }
            log.record(row, signals, sent)
            moved = 1
            if finished > deadline + dt:  # this step ran past its period: skip the lost ones
                moved = int((finished - origin) // dt) + 1 - step
                log.missed += moved - 1
            for _ in range(moved):  # the gait clock keeps time through skipped periods
                contract.builder.advance()
            step += moved
    except RobotLostError as err:
        safety.trigger(step * dt, "lost", str(err))
        log.ended = f"safe mode (lost): {err}"
    except KeyboardInterrupt:
        log.ended = "interrupted (Ctrl-C): safe mode"
        _last_word(robot, safety, state, step * dt)
    else:
        if safety.safe is not None:
            log.ended = f"safe mode ({safety.safe}): {safety.events[_first_safe(safety)][2]}"
    return log


def idle(contract: DeployContract) -> np.ndarray:
    """A hand's command that moves nothing (the gripper's at the middle of its range)."""
    return np.where(contract.motion, 0.0, contract.ctrl_middle)


def _command(
    contract: DeployContract,
    safety: Safety,
    t: float,
    action: np.ndarray,
    previous: np.ndarray,
    start_pose: np.ndarray,
    q: np.ndarray,
    qd: np.ndarray,
) -> Command:
    """The policy's command through the clamps and the soft start: joint targets, or a hand's
    motion (scaled up over the soft start) for the robot's Cartesian controller."""
    action = action.astype(float)
    if contract.mode == "end_effector":
        return Command("end_effector", np.where(contract.motion, safety.share(t) * action, action))
    target = safety.clamp(t, action, previous, q, qd)
    return Command("position", safety.soft_start(t, start_pose, target))


def _keep_phase(origin: float, start: float, waited: float, dt: float) -> float:
    """The periods' origin nudged so that each deadline stays just before a measurement
    arrives: earlier when the measurement was already there (it came before the deadline, and
    aged), later when the loop waited well past ``EARLY``; never more than half a period from
    where the lock put it (a robot whose measurements come only on command, a replay, would
    otherwise drag it away)."""
    if waited < NUDGE:
        origin -= NUDGE
    elif waited > EARLY + 4 * NUDGE:
        origin += NUDGE
    return min(max(origin, start - dt / 2), start + dt / 2)


def _fresh(robot: Robot, used: int, until: float) -> State:
    """A measurement other than the one of sequence ``used`` as soon as it arrives, or the
    newest there is at ``until``."""
    state = robot.read()
    while state.sequence == used and robot.now() < until:
        time.sleep(0.0001)
        state = robot.read()
    return state


def _phase_lock(robot: Robot, dt: float) -> tuple[float, State]:
    """When a measurement arrived in step with the one before it (a period apart, give or take
    a quarter: a robot catching up after a busy moment sends two close together), and that
    measurement; at most 10 periods are watched. The loop's periods start from it."""
    state, arrivals, until = robot.read(), [], robot.now() + 10 * dt
    while True:
        newer = _fresh(robot, state.sequence, until)
        if newer.sequence == state.sequence:  # none came in time
            break
        state = newer
        arrivals.append(robot.now())
        if len(arrivals) > 1 and abs(arrivals[-1] - arrivals[-2] - dt) < dt / 4:
            break
    return (arrivals[-1] if arrivals else robot.now()), state


def _last_word(robot: Robot, safety: Safety, state: State, t: float) -> None:
    safety.trigger(t, "estop", "Ctrl-C")
    with contextlib.suppress(RobotLostError):
        robot.write(safety.safe_command(state.signals.get("joint_pos")))


def _first_safe(safety: Safety) -> int:
    return next(i for i, (_, kind, _) in enumerate(safety.events) if kind == safety.safe)


def _step(
    contract: DeployContract,
    safety: Safety,
    schedule: CommandSchedule,
    state: State,
    t: float,
    now: float,
    previous: np.ndarray,
    start_pose: np.ndarray,
) -> tuple[dict, Command, dict]:
    """One control step: checks, observation, policy, clamps; the row to log, the command and
    the signals the observation was built from. The operator's command comes from the
    schedule, or from the robot where it gives one (a replayed log, a robot's own gamepad)."""
    signals = dict(state.signals)
    if contract.operator and contract.operator not in signals:
        signals[contract.operator] = schedule.at(t)
    command = signals.get(contract.operator, np.zeros(0)) if contract.operator else np.zeros(0)
    age = now - state.stamp
    q, qd = signals.get("joint_pos"), signals.get("joint_vel")
    row = {"t": t, "age_ms": age * 1e3, "sequence": state.sequence, "fault": 0}
    row |= {f"command_{i}": float(c) for i, c in enumerate(command)}
    if safety.safe is None:
        safety.watch(t, age, signals)
    if safety.safe is None:
        obs = contract.builder.build(signals, contract.normalized(previous), finite=False)
        action, fault = contract.policy.act_guarded(obs)
        row["fault"] = int(fault)
        row["inference_ms"] = contract.policy.latencies_s[-1] * 1e3
        if fault or not np.isfinite(action).all():
            safety.trigger(
                t,
                "fault",
                "the policy's fault guard (a NaN / inf observation)"
                if fault
                else "a non-finite command",
            )
        else:
            row["mode"] = "soft start" if t < safety.config.soft_start_s else "policy"
            return row, _command(contract, safety, t, action, previous, start_pose, q, qd), signals
    row["mode"] = f"safe ({safety.safe})"
    return row, safety.safe_command(q), signals
