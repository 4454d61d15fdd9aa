"""Quadruped MJCFs written by the tests: meshes (generated here), coupled joints, a radian twin.

Nothing here is copied from another project; the meshes are tiny polyhedra written as OBJ text.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import robodrl

ROBOTS = Path(robodrl.__file__).parent / "envs" / "legged" / "robots"
LEGS = {"fl": (0.12, 0.06), "fr": (0.12, -0.06), "bl": (-0.12, 0.06), "br": (-0.12, -0.06)}


def _octahedron(radius: float) -> str:
    vertices = radius * np.array(
        [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=float
    )
    faces = [(1, 3, 5), (3, 2, 5), (2, 4, 5), (4, 1, 5), (3, 1, 6), (2, 3, 6), (4, 2, 6), (1, 4, 6)]
    lines = [f"v {x:g} {y:g} {z:g}" for x, y, z in vertices]
    return "\n".join(lines + [f"f {a} {b} {c}" for a, b, c in faces]) + "\n"


def _box(half: tuple[float, float, float]) -> str:
    corners = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    lines = [f"v {x * half[0]:g} {y * half[1]:g} {z * half[2]:g}" for x, y, z in corners]
    faces = [(1, 3, 4, 2), (5, 6, 8, 7), (1, 2, 6, 5), (3, 7, 8, 4), (1, 5, 7, 3), (2, 4, 8, 6)]
    return "\n".join(lines + [f"f {a} {b} {c} {d}" for a, b, c, d in faces]) + "\n"


def _leg(name: str, x: float, y: float, *, foot: str, ankle: bool = False) -> str:
    side = 1 if y > 0 else -1
    ankle_joint = f'<joint name="{name}_ankle" axis="0 1 0" range="-1 1"/>' if ankle else ""
    return f"""
      <body name="{name}_hip" pos="{x} {y} 0">
        <joint name="{name}_abduction" axis="1 0 0" range="-0.8 0.8"/>
        <geom class="visual" type="sphere" size="0.03"/>
        <geom fromto="0 0 0 0 {0.03 * side} 0" size="0.02" mass="0.3"/>
        <body name="{name}_thigh" pos="0 {0.03 * side} 0">
          <joint name="{name}_hip" axis="0 1 0" range="-1.5 3"/>
          <geom fromto="0 0 0 0 0 -0.15" size="0.018" mass="0.5"/>
          <body name="{name}_calf" pos="0 0 -0.15">
            <joint name="{name}_knee" axis="0 1 0" range="-2.6 -0.5"/>
            {ankle_joint}
            <geom fromto="0 0 0 0 0 -0.13" size="0.012" mass="0.15"/>
            {foot.format(name=name)}
          </body>
        </body>
      </body>"""


def _pose(ankle: bool) -> str:
    return "0 0.8 -1.5" + (" 0" if ankle else "")


def _robot(*, name: str, foot: str, assets: str = "", size: str = "", extra: str = "",
           ankle: bool = False, actuators: str = "") -> str:  # fmt: skip
    legs = "".join(_leg(n, x, y, foot=foot, ankle=ankle) for n, (x, y) in LEGS.items())
    return f"""<mujoco model="{name}">
  {size}
  <compiler angle="radian" autolimits="true"/>
  <default>
    <joint damping="0.05" armature="0.002" actuatorfrcrange="-12 12"/>
    <geom type="capsule" contype="1" conaffinity="0" friction="0.9 0.02 0.01"/>
    <default class="visual"><geom contype="0" conaffinity="0" group="2" mass="0"/></default>
  </default>
  <asset>{assets}</asset>
  <worldbody>
    <light pos="0 0 3" dir="0 0 -1" directional="true"/>
    <geom name="floor" type="plane" size="0 0 0.1" conaffinity="1"/>
    <body name="trunk" pos="0 0 0.3">
      <freejoint/>
      <geom name="trunk" type="box" size="0.15 0.06 0.04" mass="4"/>
      {legs}
    </body>
  </worldbody>
  <keyframe>
    <key name="home" qpos="0 0 0.25 1 0 0 0 {" ".join([_pose(ankle)] * 4)}"/>
  </keyframe>
  {extra}
  {actuators}
</mujoco>
"""


def mesh_robot(folder: Path) -> Path:
    """Mesh feet and a mesh trunk cover, no ``<size>``, a skybox texture, and Menagerie-style
    position actuators with force ranges (init reads kp / kd from them)."""
    (folder / "meshes").mkdir(parents=True, exist_ok=True)
    (folder / "meshes" / "foot.obj").write_text(_octahedron(0.02))
    (folder / "meshes" / "cover.obj").write_text(_box((0.14, 0.05, 0.01)))
    assets = """
    <mesh name="foot" file="foot.obj"/>
    <mesh name="cover" file="cover.obj"/>
    <texture type="skybox" builtin="gradient" width="512" height="512" rgb1="1 1 1" rgb2="0 0 0"/>
    """
    foot = '<geom name="{name}_foot" type="mesh" mesh="foot" pos="0 0 -0.13" mass="0.05"/>'
    actuators = (
        "<actuator>"
        + "".join(
            f'<position name="{n}_{j}" joint="{n}_{j}" kp="40" kv="1" forcerange="-12 12"/>'
            for n in LEGS
            for j in ("abduction", "hip", "knee")
        )
        + "</actuator>"
    )
    xml = _robot(name="mesh_dog", foot=foot, assets=assets, actuators=actuators)
    xml = xml.replace("<compiler ", '<compiler meshdir="meshes" ')
    xml = xml.replace(
        '<geom name="trunk" ',
        '<geom class="visual" type="mesh" mesh="cover" pos="0 0 0.05"/>\n      <geom name="trunk" ',
    )
    path = folder / "mesh_dog.xml"
    path.write_text(xml)
    return path


def coupled_robot(folder: Path) -> Path:
    """Each leg has an ankle that a joint equality ties to the knee (ankle = 0.5 x knee)."""
    foot = '<geom name="{name}_foot" type="sphere" size="0.02" pos="0 0 -0.13" mass="0.05"/>'
    extra = (
        "<equality>"
        + "".join(
            f'<joint name="{n}_linkage" joint1="{n}_ankle" joint2="{n}_knee" '
            'polycoef="0 0.5 0 0 0"/>'
            for n in LEGS
        )
        + "</equality>"
    )
    xml = _robot(name="coupled_dog", foot=foot, extra=extra, ankle=True)
    path = folder / "coupled_dog.xml"
    # knees -1.2 and ankles -0.6: the feet stand under the hips
    path.write_text(xml.replace('-1.5 0"', '-1.2 -0.6"').replace("-1.5 0 ", "-1.2 -0.6 "))
    return path


def radian_twin(degree_mjcf: Path, folder: Path) -> Path:
    """The same robot with its angles written in radians."""
    text = degree_mjcf.read_text().replace('angle="degree"', 'angle="radian"')

    def convert(match: re.Match) -> str:
        low, high = (np.radians(float(v)) for v in match.group(1).split())
        return f'range="{float(low)!r} {float(high)!r}"'

    path = folder / f"{degree_mjcf.stem}_radian.xml"
    path.write_text(re.sub(r'(?<=\s)range="([-0-9. ]+)"', convert, text))
    return path
