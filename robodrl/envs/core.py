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

from collections.abc import Callable
from typing import Any, Literal

import mujoco
import numpy as np
from mujoco import batch as mjbatch

from robodrl.envs.resources import check_memory, default_num_threads
from robodrl.envs.task import ResetNoise, Task
from robodrl.errors import InvalidActionError, TaskArgumentError
from robodrl.robustness.curriculum import Curriculum, check_growable
from robodrl.robustness.perturbations import Perturber, motor_strength_parameter
from robodrl.robustness.randomization import DomainRandomizer
from robodrl.robustness.spec import CurriculumSpec, PerturbationSpec, RandomizationSpec

#: MuJoCo warnings that mean "the state was bad and the simulation was reset".
UNSTABLE_WARNINGS = [
    int(mujoco.mjtWarning.mjWARN_BADQPOS),
    int(mujoco.mjtWarning.mjWARN_BADQVEL),
    int(mujoco.mjtWarning.mjWARN_BADQACC),
    int(mujoco.mjtWarning.mjWARN_BADCTRL),
]
InvalidActionMode = Literal["raise", "clip"]
SeedLike = int | list[int] | tuple[int, ...] | np.ndarray | None


def _stream(sequence: np.random.SeedSequence, key: int) -> np.random.Generator:
    """An independent generator derived from a simulation's seed sequence."""
    child = np.random.SeedSequence(sequence.entropy, spawn_key=(*sequence.spawn_key, key))
    return np.random.default_rng(child)


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
        randomization: RandomizationSpec | None = None,
        perturbations: PerturbationSpec | None = None,
        curriculum: CurriculumSpec | None = None,
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
        check_memory(self.model, self.num_envs)
        self.num_threads = int(num_threads or default_num_threads(self.num_envs))
        self.batch = mjbatch.Batch(self.model, self.num_envs, self.num_threads, persistent=True)
        self.ctrl = self.batch.bind("ctrl")
        self._warning_view = self.batch.warning[:, :, 1]  # live counters, (nsim, nwarning)
        self._warning_counts = self._warning_view[:, UNSTABLE_WARNINGS]
        task.bind(self.batch, self.model)

        model = self.model
        commands = task.command_space(model)
        #: what each action entry commands: an actuator, or the task's own command
        self.actuator_names = [model.actuator(i).name for i in range(model.nu)]
        self.commands_are_ctrl = commands is None
        if commands is None:
            unlimited = [
                n for i, n in enumerate(self.actuator_names) if not model.actuator_ctrllimited[i]
            ]
            if unlimited:
                raise TaskArgumentError(
                    f"actuators {unlimited} need a ctrlrange to map actions onto"
                )
            low, high = model.actuator_ctrlrange.T.copy()
        else:
            self.actuator_names = list(commands.names)
            low, high = np.asarray(commands.low, float), np.asarray(commands.high, float)
        #: the command (actuator control, or the task's command) at action -1 and +1
        self.ctrl_low, self.ctrl_high = low, high
        self._ctrl_mid, self._ctrl_half = (high + low) / 2, (high - low) / 2
        self.frame_skip = task.frame_skip
        self.control_dt = float(model.opt.timestep * task.frame_skip)
        self.max_episode_steps = max(1, round(task.episode_seconds / self.control_dt))
        self.obs_layout = task.obs_layout
        self.obs_dim = task.obs_dim
        self.action_dim = len(self.ctrl_low)

        self.elapsed_steps = np.zeros(self.num_envs, dtype=np.int64)
        #: called with the ids of finished episodes before autoreset resets them (a second
        #: player reads their final state; see ``envs.two_player``)
        self.on_episode_end: Callable[[np.ndarray], None] | None = None
        self._all_false = np.zeros(self.num_envs, dtype=bool)  # shared, read-only
        self._all_false.flags.writeable = False
        self._noise = ResetNoise([])
        self._obs = np.zeros((self.num_envs, self.obs_dim), dtype=np.float32)
        self._build_robustness(randomization, perturbations)
        self.curriculum = None
        if curriculum is not None:
            check_growable(curriculum, randomization, perturbations)
            self.curriculum = Curriculum(
                curriculum, perturber=self.perturber, randomizer=self.randomizer
            )
        self.seed(seed)

    def _build_robustness(
        self, randomization: RandomizationSpec | None, perturbations: PerturbationSpec | None
    ) -> None:
        """The randomizer (model fields) and perturber (step path); None where inactive."""
        spec = randomization or RandomizationSpec()
        strength = motor_strength_parameter(perturbations) if perturbations else None
        if strength is not None:
            spec = RandomizationSpec(
                every_seconds=spec.every_seconds, params=[*spec.params, strength]
            )
        self.randomizer = (
            DomainRandomizer(spec, self.batch, self.model, self.control_dt) if spec.params else None
        )
        self.perturber = None
        if perturbations is not None:
            perturber = Perturber(
                perturbations,
                batch=self.batch,
                model=self.model,
                obs_layout=self.obs_layout,
                obs_dim=self.obs_dim,
                action_dim=self.action_dim,
                control_dt=self.control_dt,
            )
            self.perturber = perturber if perturber.active else None

    # -- seeding and reset -----------------------------------------------------------------
    def seed(self, seed: SeedLike = None) -> None:
        """Seed each simulation's generators: an int s gives simulation i the seed s + i.

        Simulation i has independent streams for its reset noise, its randomized parameters
        and its per-episode perturbations; per-step perturbation noise comes from one stream
        for the whole batch.
        """
        if seed is None:
            sequences = np.random.SeedSequence().spawn(self.num_envs)
        else:
            seeds = np.atleast_1d(np.asarray(seed))
            if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer) or (seeds < 0).any():
                raise TaskArgumentError(f"seed={seed!r} must be an int >= 0 or one per environment")
            if seeds.size == 1:
                seeds = seeds[0] + np.arange(self.num_envs)
            elif seeds.size != self.num_envs:
                raise TaskArgumentError(f"got {seeds.size} seeds for {self.num_envs} environments")
            sequences = [np.random.SeedSequence(int(s)) for s in seeds]
        self._start_streams(sequences)

    def _generators(self) -> list[np.random.Generator]:
        """Every random stream of the simulations (reset noise, randomizer, perturber)."""
        streams = list(self._noise.generators)
        if self.randomizer is not None:
            streams += self.randomizer.generators
        if self.perturber is not None:
            streams += [*self.perturber.generators, self.perturber.step_rng]
        return streams

    def reset_as_seeded(self) -> np.ndarray:
        """The first reset after ``seed()``, such that one more ``reset()`` before any step
        draws the same episodes again (a core built with ``seed=s`` and reset starts where
        ``reset(seed=s)`` starts, as Gymnasium's seeding promises); a step or a partial reset
        in between continues the streams as usual."""
        before = self._stream_states()
        obs = self.reset()
        after = self._stream_states()
        self._restore_streams(before)  # what a saved state holds: the next reset draws this
        self._replay_states = after
        return obs

    def _stream_states(self) -> list[dict]:
        return [g.bit_generator.state for g in self._generators()]

    def _restore_streams(self, states: list[dict]) -> None:
        for generator, state in zip(self._generators(), states, strict=True):
            generator.bit_generator.state = state

    def _streams_go_on(self) -> None:
        """After ``reset_as_seeded``, a step or partial reset continues the streams from
        after the first draw (as if it had not been rewound)."""
        if self._replay_states is not None:
            self._restore_streams(self._replay_states)
            self._replay_states = None

    def _start_streams(self, sequences: list[np.random.SeedSequence]) -> None:
        self._replay_states: list[dict] | None = None
        self._noise.generators = [np.random.default_rng(s) for s in sequences]
        if self.randomizer is not None:
            self.randomizer.generators = [_stream(s, 1) for s in sequences]
        if self.perturber is not None:
            self.perturber.generators = [_stream(s, 2) for s in sequences]
            entropy = [int(x) for s in sequences for x in np.atleast_1d(s.entropy)]
            self.perturber.step_rng = np.random.default_rng([*entropy, 3])

    def reset(self, ids: np.ndarray | None = None, *, seed: SeedLike = None) -> np.ndarray:
        """Reset simulations ``ids`` (all by default) and return every observation."""
        if seed is not None:
            self.seed(seed)
        elif ids is None:  # the seed's first episodes again, if nothing happened since
            self._replay_states = None
        self._streams_go_on()
        ids = np.arange(self.num_envs) if ids is None else np.asarray(ids, dtype=np.int64)
        self._reset_ids(ids)
        self._obs[ids] = self._first_observation(ids)
        return self._obs.copy()

    @property
    def last_obs(self) -> np.ndarray:
        """A copy of every simulation's observation as the last reset / step returned it."""
        return self._obs.copy()

    def _first_observation(self, ids: np.ndarray) -> np.ndarray:
        """What the policy sees first in the new episodes of ``ids``."""
        obs = self.task.observe()[ids].astype(np.float32)
        return obs if self.perturber is None else self.perturber.reset(ids, obs)

    def _reset_ids(self, ids: np.ndarray) -> None:
        self.batch.reset(ids, stage=mujoco.mjtStage.mjSTAGE_NONE)
        if self.randomizer is not None:
            self.randomizer.resample(ids)
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
                f"(num_envs={self.num_envs}, one entry each for {self.actuator_names})"
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

    def ctrl_to_action(self, ctrl: np.ndarray) -> np.ndarray:
        """Map actuator commands back to policy actions (the inverse of ``action_to_ctrl``)."""
        return (ctrl - self._ctrl_mid) / self._ctrl_half

    # -- stepping --------------------------------------------------------------------------
    def step(self, action: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """Advance every simulation one control step; return obs, reward, terminated,
        truncated and an info dict of arrays (see module docstring for instability)."""
        self._streams_go_on()
        act, fault = self.check_action(action)
        perturber = self.perturber
        if perturber is not None:
            act = perturber.action(act)
            perturber.apply_pushes(self.elapsed_steps)
        np.multiply(act, self._ctrl_half, out=act)
        if self.commands_are_ctrl:
            np.add(act, self._ctrl_mid, out=self.ctrl)  # = action_to_ctrl(act), in place
        else:
            self.task.write_ctrl(np.add(act, self._ctrl_mid, out=act), self.ctrl)
        self.batch.step(nstep=self.frame_skip, stage=self.task.stage)
        self.elapsed_steps += 1
        if self.curriculum is not None:
            self.curriculum.advance(self.num_envs)

        task = self.task
        task.after_step(self.ctrl, self._noise)
        obs = task.observe().astype(np.float32)
        weights = task.reward_weights
        terms = {name: weights[name] * term for name, term in task.reward_terms(self.ctrl).items()}
        terminated = task.terminated()
        terminated = self._all_false if terminated is None else terminated
        truncated = self.elapsed_steps >= self.max_episode_steps
        unstable = self._find_unstable(obs)
        if perturber is not None:
            obs = perturber.observation(obs)
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
            if self.on_episode_end is not None:
                self.on_episode_end(ids)
            self._reset_ids(ids)
            obs[ids] = self._first_observation(ids)
        if self.randomizer is not None:
            due = self.randomizer.due(self.elapsed_steps)
            if due.size:
                self.randomizer.resample(due)
            info["dr"] = self.randomizer.values
        self._obs = obs
        return obs.copy(), reward, terminated, truncated, info

    def reset_info(self) -> dict[str, Any]:
        """What ``reset`` tells beside the observation: each episode's randomized values."""
        if self.randomizer is None:
            return {}
        return {"dr": {label: v.copy() for label, v in self.randomizer.values.items()}}

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

    # -- checkpoint state --------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly, as plain JSON-able values: the physics state
        rows, step counters, last observations, task state, and every random stream."""
        return {
            "num_envs": self.num_envs,
            "physics": np.asarray(self.batch.state).tolist(),
            "elapsed_steps": self.elapsed_steps.tolist(),
            "last_obs": self._obs.tolist(),
            "warning_counts": self._warning_counts.tolist(),
            "reset_generators": [g.bit_generator.state for g in self._noise.generators],
            "task": self.task.state_dict(),
            "randomizer": None if self.randomizer is None else self.randomizer.state_dict(),
            "perturber": None if self.perturber is None else self.perturber.state_dict(),
            "curriculum": None if self.curriculum is None else self.curriculum.state_dict(),
            "replay_states": self._replay_states,  # see reset_as_seeded
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` into an env built with the same task and settings."""
        if state["num_envs"] != self.num_envs:
            raise TaskArgumentError(
                f"saved env state has {state['num_envs']} simulations, this env {self.num_envs}"
            )
        for part, mine in (("randomizer", self.randomizer), ("perturber", self.perturber)):
            if (state[part] is None) != (mine is None):
                raise TaskArgumentError(
                    f"saved env state {'has' if state[part] is not None else 'lacks'} a {part}; "
                    "build the env with the same randomization and perturbations"
                )
        if self.randomizer is not None:
            self.randomizer.load_state_dict(state["randomizer"])
        if self.perturber is not None:
            self.perturber.load_state_dict(state["perturber"])
        if self.curriculum is not None and state.get("curriculum") is not None:
            self.curriculum.load_state_dict(state["curriculum"])
        self._replay_states = state.get("replay_states")
        self.batch.state[:] = np.asarray(state["physics"])
        self.batch.forward()
        self.elapsed_steps[:] = state["elapsed_steps"]
        self._obs = np.asarray(state["last_obs"], dtype=np.float32)
        self._warning_counts = np.asarray(state["warning_counts"], dtype=self._warning_counts.dtype)
        for g, saved in zip(self._noise.generators, state["reset_generators"], strict=True):
            g.bit_generator.state = saved
        self.task.load_state_dict(state["task"])

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
