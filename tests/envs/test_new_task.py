"""A new task costs one folder and one registry line: a throwaway task written into a temporary
folder (its code, its MJCF, its presets and a sweep, nothing anywhere else) is registered,
randomized from its own preset, trained, and swept by name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from robodrl.evaluation.run import evaluate
from robodrl.make import make_core
from robodrl.registry import register, task_arguments, unregister
from robodrl.resolve import validate_config
from robodrl.robustness.loading import preset_names
from robodrl.runs.train import train

TASK = '''
import numpy as np

from robodrl.envs.task import Task


class SliderTask(Task):
    """A block on a rail: hold it at the origin. Terms: position -x^2, effort -u^2."""

    xml_file = "slider.xml"
    assets_package = "throwaway_slider"
    reward_defaults = {"position": 1.0, "effort": 0.01}

    def __init__(self, *, frame_skip: int = 4, episode_seconds: float = 2.0, **weights):
        super().__init__(frame_skip=frame_skip, episode_seconds=episode_seconds, **weights)
        self.obs_spec = [("position", 1), ("velocity", 1)]

    def bind(self, batch, model):
        self.qpos, self.qvel = batch.bind("qpos"), batch.bind("qvel")

    def reset(self, ids, noise):
        self.qpos[ids] = noise.uniform(ids, -0.5, 0.5, 1)
        self.qvel[ids] = 0.0

    def observe(self):
        return np.concatenate([self.qpos, self.qvel], axis=1)

    def reward_terms(self, ctrl):
        return {"position": -self.qpos[:, 0] ** 2, "effort": -ctrl[:, 0] ** 2}
'''

MJCF = """<mujoco model="slider">
  <option timestep="0.01"><flag contact="disable"/></option>
  <worldbody>
    <body name="block">
      <joint name="rail" type="slide" axis="1 0 0" damping="0.5"/>
      <geom name="box" type="box" size="0.05 0.05 0.05" mass="1"/>
    </body>
  </worldbody>
  <actuator><motor name="push" joint="rail" ctrlrange="-2 2"/></actuator>
</mujoco>
"""

PRESET = """description: the block's mass
randomization:
  params:
    - {name: block_mass, body: block, quantity: mass, operation: scale,
       distribution: {type: uniform, low: 0.8, high: 1.2}}
"""

SWEEP = """name: heavier
kind: grid
episodes: 2
axes:
  - name: mass_scale
    randomize: {body: block, quantity: mass, operation: scale}
    values: [1.0, 2.0]
"""


@pytest.fixture
def slider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The task's one folder, and its one registry line (taken back afterwards)."""
    folder = tmp_path / "throwaway_slider"
    for name, text in {
        "__init__.py": "",
        "task.py": TASK,
        "assets/slider.xml": MJCF,
        "presets/dr-mass.yaml": PRESET,
        "presets/sweeps/heavier.yaml": SWEEP,
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ROBODRL_HOME", str(tmp_path / "home"))
    spec = register(name="Slider", task_path="throwaway_slider.task:SliderTask",
                    description="a block on a rail")  # fmt: skip
    yield spec
    unregister(spec.id)


def test_a_task_in_one_folder_with_one_registry_line(slider, tmp_path: Path) -> None:
    assert task_arguments(slider.id) == {
        "position_weight": 1.0, "effort_weight": 0.01, "frame_skip": 4, "episode_seconds": 2.0,
    }  # fmt: skip
    assert preset_names(slider.id) == ["dr-mass"]
    core = make_core(slider.id, 4, seed=0, randomization="dr-mass")
    obs = core.reset()
    assert obs.shape == (4, 2) and core.task.reward_names == ("position", "effort")
    scales = np.ravel(core.randomizer.values["block_mass"])  # from the folder's own preset
    assert len(set(scales.tolist())) == 4 and np.all((scales >= 0.8) & (scales <= 1.2))
    _, reward, *_ = core.step(np.zeros((4, 1)))
    assert np.all(reward <= 0)

    config = validate_config({
        "env": {"id": slider.id, "num_envs": 4, "randomization": "dr-mass"},
        "algorithm": {"name": "ppo", "hyperparameters": {"n_steps": 64, "batch_size": 64}},
        "total_steps": 256,
    })  # fmt: skip
    run, summary = train(config, tmp_path / "run")
    assert summary["steps"] == 256
    out, results = evaluate([run], "heavier", out=tmp_path / "sweep", episodes=1)
    cells = results[0]["cells"]
    assert [c["values"]["mass_scale"] for c in cells] == [1.0, 2.0]
    assert json.loads((out / "results.json").read_text())["sweep"]["name"] == "heavier"
