"""A plain PPO for a quadruped on raw ``mujoco.batch``, in one file: the reference that
robodrl's training loop is measured against (issue 30). It imports nothing from robodrl; it is
what a capable user writes by hand for one robot.

The robot comes as a *card* (JSON), the facts a user would hard-code for their robot: the
compiled model (``.mjb``: actuators, IMU and foot touch sensors, physics settings), the standing
pose, frame skip, command ranges and the left-right mirror maps of the observation and action.
``legged_train_throughput.py`` writes a card from robodrl's build of the recipe's robot, so the
two loops step the same model with the same physics.

The task: follow a planar velocity command (redrawn every 5 s, 10% standing), reward velocity
and yaw-rate tracking plus a trot-clock contact term and small costs; an episode ends when the
base drops or tilts, or after 20 s (time-limit bootstrap). The learner: a Gaussian MLP policy
and critic (128x128 ELU), running observation normalization, GAE, n_epochs x n_minibatches of
the clipped objective with a mirror loss, one Adam, the learning rate annealed linearly.

Usage: python benchmarks/plain_ppo.py CARD.json [--steps 2000000] [--envs 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import mujoco
import numpy as np
import torch
from mujoco import batch as mjbatch
from torch import nn

TROT = np.array([0.0, 0.5, 0.5, 0.0])  # each foot's phase offset (FL, FR, BL, BR)
WEIGHTS = {"velocity": 1.0, "yaw": 0.5, "gait": 1.0, "vz": 1.0, "rate": 0.05, "tilt": 2.0,
           "pose": 0.05, "smooth": 0.01, "torque": 1e-4}  # fmt: skip


class Quadruped:
    """``nsim`` simulations of the robot on one ``mujoco.batch.Batch``, autoreset."""

    def __init__(self, card: dict, nsim: int, seed: int) -> None:
        model = mujoco.MjModel.from_binary_path(card["model"])
        self.batch = mjbatch.Batch(model, nsim, os.cpu_count() or 1, persistent=True)
        self.nsim, self.frame_skip = nsim, card["frame_skip"]
        self.dt = model.opt.timestep * self.frame_skip
        self.max_steps = round(20.0 / self.dt)
        b = self.batch
        self.qpos, self.qvel, self.ctrl = b.bind("qpos"), b.bind("qvel"), b.bind("ctrl")
        self.sensors, self.xmat = b.bind("sensordata"), b.bind("xmat")
        self.force = b.bind("actuator_force")
        free = int(np.flatnonzero(model.jnt_type == mujoco.mjtJoint.mjJNT_FREE)[0])
        self.base = int(model.jnt_bodyid[free])
        joints = [model.joint(name).id for name in card["joints"]]
        self.jq, self.jv = model.jnt_qposadr[joints], model.jnt_dofadr[joints]
        self.gyro = model.sensor("imu_gyro").adr[0] + np.arange(3)
        self.vel = model.sensor("imu_velocimeter").adr[0] + np.arange(3)
        self.touch = np.array([model.sensor(name).adr[0] for name in card["touch_sensors"]])
        self.stand, self.height = np.array(card["stand_joints"]), card["stand_height"]
        self.gait_hz = card["gait_hz"]
        self.mid = model.actuator_ctrlrange.mean(axis=1)
        self.half = np.diff(model.actuator_ctrlrange, axis=1)[:, 0] / 2
        self.low, self.high = np.array(card["command_low"]), np.array(card["command_high"])
        self.rng = np.random.default_rng(seed)
        n = len(joints)
        self.command, self.command_left = np.zeros((nsim, 3)), np.zeros(nsim)
        self.phase, self.steps = np.zeros(nsim), np.zeros(nsim, dtype=np.int64)
        self.action, self.last_action = np.zeros((nsim, n)), np.zeros((nsim, n))

    def draw_commands(self, ids: np.ndarray) -> None:
        command = self.rng.uniform(self.low, self.high, (len(ids), 3))
        command[self.rng.random(len(ids)) < 0.1] = 0.0
        self.command[ids], self.command_left[ids] = command, 5.0

    def reset(self, ids: np.ndarray) -> None:
        self.batch.reset(ids, stage=mujoco.mjtStage.mjSTAGE_NONE)
        k = len(ids)
        qpos = self.qpos[ids]
        qpos[:, :7] = [0.0, 0.0, self.height, 1.0, 0.0, 0.0, 0.0]
        qpos[:, self.jq] = self.stand + self.rng.uniform(-0.05, 0.05, (k, len(self.stand)))
        self.qpos[ids] = qpos
        self.qvel[ids] = self.rng.uniform(-0.05, 0.05, (k, self.qvel.shape[1]))
        self.batch.forward(ids)
        self.draw_commands(ids)
        self.phase[ids] = self.rng.random(k)
        self.steps[ids], self.action[ids], self.last_action[ids] = 0, 0.0, 0.0

    def observe(self) -> np.ndarray:
        angle = 2 * np.pi * self.phase
        return np.concatenate([
            self.command, self.sensors[:, self.vel], self.sensors[:, self.gyro],
            -self.xmat[:, self.base, 6:9], self.qpos[:, self.jq] - self.stand,
            self.qvel[:, self.jv], self.action, np.sin(angle)[:, None], np.cos(angle)[:, None],
        ], axis=1).astype(np.float32)  # fmt: skip

    def reward(self) -> np.ndarray:
        vel, gyro = self.sensors[:, self.vel], self.sensors[:, self.gyro]
        up = self.xmat[:, self.base, 6:9]
        stance = ((self.phase[:, None] + TROT) % 1.0 < 0.6) | ~self.command.any(axis=1)[:, None]
        contact = self.sensors[:, self.touch] > 1.0
        terms = {
            "velocity": np.exp(-((self.command[:, :2] - vel[:, :2]) ** 2).sum(1) / 0.25),
            "yaw": np.exp(-((self.command[:, 2] - gyro[:, 2]) ** 2) / 0.25),
            "gait": (contact == stance).mean(1),
            "vz": -(vel[:, 2] ** 2),
            "rate": -(gyro[:, :2] ** 2).sum(1),
            "tilt": -(up[:, :2] ** 2).sum(1),
            "pose": -((self.qpos[:, self.jq] - self.stand) ** 2).sum(1),
            "smooth": -((self.action - self.last_action) ** 2).sum(1),
            "torque": -(self.force**2).sum(1),
        }
        return sum(WEIGHTS[name] * term for name, term in terms.items())

    def step(self, action: np.ndarray):
        """Obs, reward, terminated, truncated and the final obs of the ended episodes."""
        self.ctrl[:] = self.mid + self.half * action
        self.batch.step(nstep=self.frame_skip, stage=mujoco.mjtStage.mjSTAGE_VEL)
        self.last_action, self.action = self.action, action.astype(np.float64)
        self.phase = (self.phase + self.gait_hz * self.dt) % 1.0
        self.command_left -= self.dt
        self.draw_commands(np.flatnonzero(self.command_left <= 1e-9))
        self.steps += 1
        obs, reward = self.observe(), self.reward()
        fallen = (self.qpos[:, 2] < 0.5 * self.height) | (self.xmat[:, self.base, 8] < np.cos(1.0))
        truncated = (self.steps >= self.max_steps) & ~fallen
        done = np.flatnonzero(fallen | truncated)
        final = obs[done]
        if done.size:
            self.reset(done)
            obs[done] = self.observe()[done]
        return obs, reward, fallen, truncated, final


class Normalizer:
    """Running mean and variance of the observations."""

    def __init__(self, dim: int) -> None:
        self.mean, self.var, self.count = np.zeros(dim), np.ones(dim), 1e-4

    def update(self, x: np.ndarray) -> None:
        mean, var, k = x.mean(0), x.var(0), len(x)
        delta, total = mean - self.mean, self.count + k
        self.mean = self.mean + delta * k / total
        self.var = (self.var * self.count + var * k + delta**2 * self.count * k / total) / total
        self.count = total

    def __call__(self, x: np.ndarray) -> torch.Tensor:
        scaled = (x - self.mean) / np.sqrt(self.var + 1e-8)
        return torch.from_numpy(np.clip(scaled, -10.0, 10.0).astype(np.float32))


def mlp(sizes: list[int], gain: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        nn.init.orthogonal_(linear.weight, gain if last else 2**0.5)
        nn.init.zeros_(linear.bias)
        layers += [linear] if last else [linear, nn.ELU()]
    return nn.Sequential(*layers)


class PPO:
    """The learner; ``iteration()`` collects one rollout and updates, returning env steps."""

    def __init__(self, card: dict, nsim: int, seed: int = 0, total_steps: int = 10**7) -> None:
        torch.manual_seed(seed)
        self.env = Quadruped(card, nsim, seed)
        self.env.reset(np.arange(nsim))
        self.obs = self.env.observe()
        obs_dim, act_dim = self.obs.shape[1], self.env.action.shape[1]
        self.actor = mlp([obs_dim, 128, 128, act_dim], 0.01)
        self.critic = mlp([obs_dim, 128, 128, 1], 1.0)
        self.log_std = nn.Parameter(torch.full((act_dim,), -1.2))  # as the recipe
        params = [*self.actor.parameters(), *self.critic.parameters(), self.log_std]
        self.params, self.optimizer = params, torch.optim.Adam(params, lr=1e-3)
        self.mirror_obs = np.array(card["obs_mirror"], dtype=np.float32)
        self.mirror_action = torch.tensor(card["action_mirror"], dtype=torch.float32)
        self.norm = Normalizer(obs_dim)
        self.norm.update(self.obs)
        self.steps, self.total_steps, self.returns = 0, total_steps, []
        self.episode_return = np.zeros(nsim)

    def rollout(self, n_steps: int = 24):
        columns = []
        for _ in range(n_steps):
            x = self.norm(self.obs)
            with torch.no_grad():
                mean, value = self.actor(x), self.critic(x)[:, 0]
                std = self.log_std.exp()
                action = mean + std * torch.randn_like(mean)
                log_prob = torch.distributions.Normal(mean, std).log_prob(action).sum(1)
            obs, reward, fallen, truncated, final = self.env.step(action.clamp(-1, 1).numpy())
            self.episode_return += reward
            ended = fallen | truncated
            self.returns += self.episode_return[ended].tolist()
            self.episode_return[ended] = 0.0
            if truncated.any():  # the time limit is not the task's: bootstrap from the last obs
                with torch.no_grad():
                    late = self.critic(self.norm(final[truncated[ended]]))[:, 0].numpy()
                reward[truncated] += 0.99 * late
            columns.append((self.obs, x, action, log_prob, reward, ended, value))
            self.obs = obs
            self.norm.update(obs)
            self.steps += self.env.nsim
        raw, x, a, lp, r, d, v = zip(*columns, strict=True)
        tensors = [torch.stack(c) for c in (x, a, lp, v)]
        rewards = torch.tensor(np.stack(r), dtype=torch.float32)
        return np.stack(raw), *tensors, rewards, torch.tensor(np.stack(d))

    def update(self, raw, x, actions, old_log_probs, values, rewards, dones) -> None:
        with torch.no_grad():
            next_value = self.critic(self.norm(self.obs))[:, 0]
        advantages, last = torch.zeros_like(rewards), torch.zeros_like(next_value)
        for t in reversed(range(len(rewards))):  # GAE(0.95)
            following = next_value if t == len(rewards) - 1 else values[t + 1]
            alive = 1.0 - dones[t].float()
            delta = rewards[t] + 0.99 * following * alive - values[t]
            last = delta + 0.99 * 0.95 * alive * last
            advantages[t] = last
        returns = (advantages + values).flatten()
        x, actions, advantages = x.flatten(0, 1), actions.flatten(0, 1), advantages.flatten()
        old_log_probs = old_log_probs.flatten()
        mirrored = self.norm(raw.reshape(len(returns), -1) @ self.mirror_obs.T)
        lr = 1e-3 - 5e-4 * min(self.steps / self.total_steps, 1.0)
        self.optimizer.param_groups[0]["lr"] = lr
        for _ in range(5):
            for batch in torch.randperm(len(returns)).split(len(returns) // 4):
                mean = self.actor(x[batch])
                distribution = torch.distributions.Normal(mean, self.log_std.exp())
                ratio = (distribution.log_prob(actions[batch]).sum(1) - old_log_probs[batch]).exp()
                adv = advantages[batch]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                policy_loss = -torch.min(ratio * adv, ratio.clamp(0.8, 1.2) * adv).mean()
                value_loss = (self.critic(x[batch])[:, 0] - returns[batch]).pow(2).mean()
                symmetry = (self.actor(mirrored[batch]) - mean @ self.mirror_action.T).pow(2)
                loss = policy_loss + 0.5 * value_loss + 0.5 * symmetry.sum(1).mean()
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.params, 1.0)
                self.optimizer.step()

    def iteration(self) -> int:
        before = self.steps
        self.update(*self.rollout())
        return self.steps - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("card", help="the robot card (JSON), see legged_train_throughput.py")
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--envs", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.card) as file:
        card = json.load(file)
    ppo = PPO(card, args.envs, args.seed, args.steps)
    start = time.perf_counter()
    while ppo.steps < args.steps:
        ppo.iteration()
        recent = ppo.returns[-200:]
        seconds = time.perf_counter() - start
        print(f"{ppo.steps:>10,} steps  {ppo.steps / seconds:>8,.0f} steps/s  "
              f"return {np.mean(recent) if recent else float('nan'):8.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
