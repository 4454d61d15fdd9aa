"""The batched environment core: one ``mujoco.batch.Batch``, many simulations, one task.

Every adapter (Gymnasium ``Env`` / ``VectorEnv``, Stable-Baselines3 ``VecEnv``) is a thin
view of :class:`BatchedEnv`; none re-implements stepping. The core owns the batch, the
per-simulation step counters and time limits, partial resets, the mapping of policy actions
in [-1, 1] to actuator control ranges, and instability detection.

Instability: MuJoCo silently resets a simulation whose state turns NaN / huge and bumps a
warning counter. The core reads those counters after every step; a simulation whose counters
rose (or whose observation is non-finite) is truncated with ``info["sim_unstable"]`` set, its
reward for that step is 0, and its final observation is the last finite one it returned. It
never continues from MuJoCo's teleported state: with autoreset it is reset from the task's
reset distribution like any finished episode.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.task import ResetNoise, Task
from robodrl.errors import InvalidActionError, TaskArgumentError

#: MuJoCo warnings that mean "the state was bad and the simulation was reset".
UNSTABLE_WARNINGS = [
    int(mujoco.mjtWarning.mjWARN_BADQPOS),
    int(mujoco.mjtWarning.mjWARN_BADQVEL),
    int(mujoco.mjtWarning.mjWARN_BADQACC),
    int(mujoco.mjtWarning.mjWARN_BADCTRL),
]
InvalidActionMode = Literal["raise", "clip"]
SeedLike = int | list[int] | tuple[int, ...] | np.ndarray | None


def default_num_threads(num_envs: int) -> int:
    """Threads used when none are given: one per simulation, at most one per CPU."""
    return max(1, min(num_envs, os.cpu_count() or 1))


class BatchedEnv:
    """``num_envs`` simulations of one task, stepped together on MuJoCo's thread pool."""

    def __init__(
        self,
        task: Task,
        num_envs: int,
        *,
        num_threads: int | None = None,
        seed: SeedLike = None,
        invalid_action: InvalidActionMode = "raise",
        autoreset: bool = True,
    ) -> None:
        if not isinstance(num_envs, int | np.integer) or num_envs < 1:
            raise TaskArgumentError(f"num_envs={num_envs!r} must be an int >= 1")
        if num_threads is not None and (
            not isinstance(num_threads, int | np.integer) or num_threads < 1
        ):
            raise TaskArgumentError(f"num_threads={num_threads!r} must be an int >= 1 or None")
        if invalid_action not in ("raise", "clip"):
            raise TaskArgumentError(
                f"invalid_action={invalid_action!r} is not valid; use 'raise' or 'clip'"
            )
        self.task = task
        self.num_envs = int(num_envs)
        self.invalid_action = invalid_action
        self.autoreset = autoreset
        self.model = task.load_model()
        self.num_threads = int(num_threads or default_num_threads(self.num_envs))
        self.batch = mjbatch.Batch(self.model, self.num_envs, self.num_threads, persistent=True)
        self.ctrl = self.batch.bind("ctrl")
        self._warning_view = self.batch.warning[:, :, 1]  # live counters, (nsim, nwarning)
        self._warning_counts = self._warning_view[:, UNSTABLE_WARNINGS]
        task.bind(self.batch, self.model)

        model = self.model
        self.actuator_names = [model.actuator(i).name for i in range(model.nu)]
        unlimited = [
            n for i, n in enumerate(self.actuator_names) if not model.actuator_ctrllimited[i]
        ]
        if unlimited:
            raise TaskArgumentError(f"actuators {unlimited} need a ctrlrange to map actions onto")
        low, high = model.actuator_ctrlrange.T.copy()
        self.ctrl_low, self.ctrl_high = low, high
        self._ctrl_mid, self._ctrl_half = (high + low) / 2, (high - low) / 2
        self.frame_skip = task.frame_skip
        self.control_dt = float(model.opt.timestep * task.frame_skip)
        self.max_episode_steps = max(1, round(task.episode_seconds / self.control_dt))
        self.obs_layout = task.obs_layout
        self.obs_dim = task.obs_dim
        self.action_dim = model.nu

        self.elapsed_steps = np.zeros(self.num_envs, dtype=np.int64)
        self._all_false = np.zeros(self.num_envs, dtype=bool)  # shared, read-only
        self._all_false.flags.writeable = False
        self._noise = ResetNoise([])
        self._obs = np.zeros((self.num_envs, self.obs_dim), dtype=np.float32)
        self.seed(seed)

    # -- seeding and reset -----------------------------------------------------------------
    def seed(self, seed: SeedLike = None) -> None:
        """Seed each simulation's generator: an int s gives simulation i the seed s + i."""
        if seed is None:
            sequences = np.random.SeedSequence().spawn(self.num_envs)
            self._noise.generators = [np.random.default_rng(s) for s in sequences]
            return
        seeds = np.atleast_1d(np.asarray(seed))
        if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer) or (seeds < 0).any():
            raise TaskArgumentError(f"seed={seed!r} must be an int >= 0 or one per environment")
        if seeds.size == 1:
            seeds = seeds[0] + np.arange(self.num_envs)
        elif seeds.size != self.num_envs:
            raise TaskArgumentError(f"got {seeds.size} seeds for {self.num_envs} environments")
        self._noise.generators = [np.random.default_rng(int(s)) for s in seeds]

    def reset(self, ids: np.ndarray | None = None, *, seed: SeedLike = None) -> np.ndarray:
        """Reset simulations ``ids`` (all by default) and return every observation."""
        if seed is not None:
            self.seed(seed)
        ids = np.arange(self.num_envs) if ids is None else np.asarray(ids, dtype=np.int64)
        self._reset_ids(ids)
        self._obs[ids] = self.task.observe()[ids]
        return self._obs.copy()

    def _reset_ids(self, ids: np.ndarray) -> None:
        self.batch.reset(ids, stage=mujoco.mjtStage.mjSTAGE_NONE)
        self.task.reset(ids, self._noise)
        self.batch.forward(ids)
        self.elapsed_steps[ids] = 0
        self._warning_counts[ids] = self._warning_view[ids][:, UNSTABLE_WARNINGS]

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: Any) -> tuple[np.ndarray, np.ndarray]:
        """Validate a policy action; return it in [-1, 1] as float64 and a per-env fault mask."""
        shape = (self.num_envs, self.action_dim)
        try:
            act = np.array(action, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidActionError(f"action must be numeric with shape {shape}: {err}") from None
        if act.shape != shape:
            raise InvalidActionError(
                f"action has shape {act.shape}; expected {shape} "
                f"(num_envs={self.num_envs}, one entry per actuator: {self.actuator_names})"
            )
        fault = self._all_false
        finite = np.isfinite(act)
        if not finite.all():
            act, fault = self._handle_non_finite(act, finite)
        np.maximum(act, -1.0, out=act)
        np.minimum(act, 1.0, out=act)
        return act, fault

    def _handle_non_finite(
        self, act: np.ndarray, finite: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        bad = np.argwhere(~finite)
        if self.invalid_action == "raise":
            env, joint = bad[0]
            raise InvalidActionError(
                f"action[{env}, {joint}] = {act[env, joint]} is not finite (env {env}, "
                f"actuator {self.actuator_names[joint]!r}; {len(bad)} non-finite entries in "
                "all); pass invalid_action='clip' to replace them (NaN -> 0, ±inf -> ±1)"
            )
        act = np.nan_to_num(act, nan=0.0, posinf=1.0, neginf=-1.0)
        return act, ~finite.all(axis=1)

    def action_to_ctrl(self, action: np.ndarray) -> np.ndarray:
        """Map actions in [-1, 1] to actuator control units (ctrlrange)."""
        return self._ctrl_mid + self._ctrl_half * action

    # -- stepping --------------------------------------------------------------------------
    def step(self, action: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """Advance every simulation one control step; return obs, reward, terminated,
        truncated and an info dict of arrays (see module docstring for instability)."""
        act, fault = self.check_action(action)
        np.multiply(act, self._ctrl_half, out=act)
        np.add(act, self._ctrl_mid, out=self.ctrl)  # = action_to_ctrl(act), written in place
        self.batch.step(nstep=self.frame_skip, stage=self.task.stage)
        self.elapsed_steps += 1

        task = self.task
        obs = task.observe().astype(np.float32)
        terms = task.reward_terms(self.ctrl)
        terminated = task.terminated()
        terminated = self._all_false if terminated is None else terminated
        truncated = self.elapsed_steps >= self.max_episode_steps
        unstable = self._find_unstable(obs)
        if unstable is not None:
            obs[unstable] = self._obs[unstable]
            for value in terms.values():
                value[unstable] = 0.0
            terminated = terminated & ~unstable
            truncated = truncated | unstable

        reward = sum(terms.values())
        info: dict[str, Any] = {f"reward_{name}": value for name, value in terms.items()}
        info["sim_unstable"] = self._all_false if unstable is None else unstable
        info["action_fault"] = fault
        success = task.success()
        if success is not None:
            info["is_success"] = success
        done = terminated | truncated
        if self.autoreset and done.any():
            ids = np.flatnonzero(done)
            info["final_obs"] = obs.copy()
            self._reset_ids(ids)
            obs[ids] = task.observe()[ids]
        self._obs = obs
        return obs.copy(), reward, terminated, truncated, info

    def _find_unstable(self, obs: np.ndarray) -> np.ndarray | None:
        """Simulations whose unstable-state warning counters rose, or whose observation is not
        finite, in this step; None when there are none (the common, fast case)."""
        counters = self._warning_view
        if not counters.any() and np.isfinite(obs).all():
            return None
        counts = counters[:, UNSTABLE_WARNINGS]
        unstable = (counts != self._warning_counts).any(axis=1)
        self._warning_counts = counts
        unstable |= ~np.isfinite(obs).all(axis=1)
        return unstable if unstable.any() else None

    # -- models ----------------------------------------------------------------------------
    def get_model(self, i: int) -> mujoco.MjModel:
        """Simulation ``i``'s model, with its per-simulation fields."""
        self._check_index(i)
        return self.batch.get_model(int(i))

    def get_data(self, i: int) -> mujoco.MjData:
        """Simulation ``i``'s state as an ``MjData`` (derived fields of its last call)."""
        self._check_index(i)
        return self.batch.get_data(int(i))

    def _check_index(self, i: int) -> None:
        if not 0 <= int(i) < self.num_envs:
            raise IndexError(f"simulation index {i} out of range [0, {self.num_envs})")
