"""A goal-conditioned view of a task with a goal, for goal relabelling (HER).

Gymnasium-Robotics' convention: dict observations ``observation`` / ``achieved_goal`` /
``desired_goal`` and ``compute_reward(achieved_goal, desired_goal, info)``, which SB3's
``HerReplayBuffer`` needs. robodrl's tasks keep one flat observation of named blocks; a task
with a goal names which block is achieved, which is desired, and which blocks depend on the
desired goal (:attr:`~robodrl.envs.task.Task.goal_blocks`). The view
cuts those out of the flat observation: ``observation`` is every block that does not depend on
the desired goal (a relabelled goal must not contradict it). The reward is Fetch's sparse one:
0 at the goal (within the task's ``success_distance``), -1 elsewhere.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from robodrl.envs.gym_env import RobodrlEnv
from robodrl.errors import TaskArgumentError


class GoalEnv(gymnasium.Wrapper):
    """``GoalEnv(RobodrlEnv(env_id, ...))``: the dict view of one simulation of a task with a
    goal; the same actions, the task's termination and time limit, Fetch's sparse reward."""

    def __init__(self, env: RobodrlEnv) -> None:
        super().__init__(env)
        core = env.core
        goals = core.task.goal_blocks
        if goals is None:
            raise TaskArgumentError(
                f"{env.env_id} has no goal to relabel (tasks with one: the manipulator tasks)"
            )
        achieved, desired, dependent = goals
        layout = core.obs_layout
        self.achieved, self.desired = layout[achieved], layout[desired]
        kept = [s for name, s in layout.items() if name not in (desired, *dependent)]
        self.kept = np.concatenate([np.arange(s.start, s.stop) for s in kept])
        self.threshold = float(core.task.success_distance)

        def box(size: int) -> spaces.Box:
            return spaces.Box(-np.inf, np.inf, (size,), np.float32)

        size = self.achieved.stop - self.achieved.start
        self.observation_space = spaces.Dict(
            {"observation": box(len(self.kept)), "achieved_goal": box(size),
             "desired_goal": box(size)}
        )  # fmt: skip

    def view(self, obs: np.ndarray) -> dict[str, np.ndarray]:
        """The dict view of flat observations ``(..., obs_dim)`` (one or a batch)."""
        obs = np.asarray(obs, np.float32)
        return {
            "observation": obs[..., self.kept],
            "achieved_goal": obs[..., self.achieved],
            "desired_goal": obs[..., self.desired],
        }

    def compute_reward(self, achieved_goal: Any, desired_goal: Any, info: Any) -> np.ndarray:
        """0 where the achieved goal is within ``success_distance`` of the desired one, else -1
        (any leading batch shape)."""
        distance = np.linalg.norm(np.asarray(achieved_goal) - np.asarray(desired_goal), axis=-1)
        return -(distance >= self.threshold).astype(np.float32)

    def reset(self, **kwargs) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        return self.view(obs), info

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict]:
        obs, _, terminated, truncated, info = self.env.step(action)
        view = self.view(obs)
        reward = float(self.compute_reward(view["achieved_goal"], view["desired_goal"], info))
        return view, reward, terminated, truncated, info
