"""Scripted experts in the end-effector action mode, from the observations alone: a pick and
place (above the block, down, close, carry to the goal) and a push (fingers closed, down
behind the block, along the line to the goal). They show a block task is solvable as built on
an arm, and they are the experts dagger imitates (``expert: scripted``; any policy, these
included, can record demonstrations)."""

from __future__ import annotations

import numpy as np

from robodrl.envs.manipulator.task import ManipulatorTask

HOVER = 0.08  # m above the block before descending
ALIGNED = 0.01  # m: close enough horizontally to descend, and to the block's centre to grip
BEHIND = 0.025  # m between the block's face and the hand's centre before a push
OFF_LINE = 0.012  # m: the hand pushes while this close to the line through block and goal
STOP = 0.4  # of the success distance: the push stops with the block this close to the goal
UP_FIRST = 0.08  # m: a low hand this close to the block rises before it moves sideways


class ScriptedBlockExpert:
    """What both scripts share: the observation blocks they read, the end-effector step, the
    gripper's open and closed commands and the block's size."""

    name = "expert"

    def __init__(self, task: ManipulatorTask, layout: dict[str, slice]) -> None:
        if task.action != "end_effector" or task.yaw or task.arm.gripper is None:
            raise ValueError(
                f"the scripted {self.name} needs action=end_effector, no yaw, and a gripper "
                f"(this task: action={task.action}, yaw={task.yaw}, gripper: "
                f"{'yes' if task.arm.gripper is not None else 'none'})"
            )
        self.layout, self.step = layout, task.ee_step
        gripper = task.arm.gripper
        self.open = 1.0 if gripper.open > gripper.closed else -1.0
        self.block_half = task.scene.workspace.block_half
        self.success_distance = task.success_distance
        #: the gripper's opening (0-1) when its fingers hold the block (with some slack)
        self.holding = min(0.9, (self.block_half + 0.004) / abs(gripper.open - gripper.closed))

    def command(self, move: np.ndarray, grip: np.ndarray) -> np.ndarray:
        """Actions in [-1, 1]: the hand's move (m) in steps of ``ee_step``, then the gripper."""
        return np.concatenate([np.clip(move / self.step, -1.0, 1.0), grip[:, None]], axis=1)


class ScriptedPickPlace(ScriptedBlockExpert):
    """Pick the block and carry it to the goal: ``act(obs)`` for ``(num_envs, obs_dim)``."""

    name = "pick and place"

    def act(self, obs: np.ndarray) -> np.ndarray:
        to_block = obs[:, self.layout["ee_to_block"]]
        to_goal = obs[:, self.layout["block_to_goal"]]
        opening = obs[:, self.layout["gripper_opening"]][:, 0]
        at_block = np.linalg.norm(to_block, axis=1) < 1.5 * ALIGNED
        holding = at_block & (opening < self.holding)
        above = np.linalg.norm(to_block[:, :2], axis=1) < ALIGNED
        move = to_block + np.array([0.0, 0.0, HOVER])  # first: above the block
        move[above] = to_block[above]  # then: down to it
        move[holding] = to_goal[holding]  # holding it: to the goal
        move[at_block & ~holding] = 0.0  # at it, not holding yet: stay while the fingers close
        return self.command(move, np.where(at_block, -self.open, self.open))


class ScriptedPush(ScriptedBlockExpert):
    """Push the block along the table to the goal with the closed fingers, never gripping it:
    above the point behind the block (on the side away from the goal), down to it, then along
    the line to the goal, re-placing the hand whenever the block drifts off that line. The
    end effector pushes at the block's centre height (lower, the fingertips drag on the
    table)."""

    name = "push"

    def act(self, obs: np.ndarray) -> np.ndarray:
        to_block = obs[:, self.layout["ee_to_block"]]
        to_goal = obs[:, self.layout["block_to_goal"]]
        heading = to_goal[:, :2] / np.maximum(np.linalg.norm(to_goal[:, :2], axis=1)[:, None], 1e-6)
        side = np.stack([-heading[:, 1], heading[:, 0]], axis=1)
        hand = -to_block  # the hand relative to the block
        along = np.sum(hand[:, :2] * heading, axis=1)
        across = np.sum(hand[:, :2] * side, axis=1)
        behind = self.block_half + BEHIND
        low = hand[:, 2] < 0.5 * self.block_half
        pushing = low & (along < -0.5 * behind) & (np.abs(across) < OFF_LINE)
        # the point behind the block, and above it
        start = to_block.copy()
        start[:, :2] -= behind * heading
        move = start + np.array([0.0, 0.0, HOVER])
        over = np.linalg.norm(start[:, :2], axis=1) < ALIGNED
        move[over] = start[over]  # above the point: down to it
        near = np.linalg.norm(hand[:, :2], axis=1) < UP_FIRST
        rise = (hand[:, 2] < 0.5 * HOVER) & near & ~over & ~pushing  # beside the block: up first
        move[rise] = np.array([0.0, 0.0, 1.0]) * (HOVER - hand[rise, 2:3])
        # pushing: full steps towards the goal (a step's length sets the hand's force), back
        # onto the line, level with the block; still once the block is close enough
        push = np.concatenate([heading * self.step - across[:, None] * side, to_block[:, 2:]], 1)
        push[np.linalg.norm(to_goal, axis=1) < STOP * self.success_distance] = 0.0
        move[pushing] = push[pushing]
        return self.command(move, np.full(len(obs), -self.open))
