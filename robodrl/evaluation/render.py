"""``robodrl render POLICY --out FILE.mp4|.gif``: offscreen video of a policy's episodes, with
time and return written on each frame, optionally under one cell of a sweep.

Rendering is offscreen through MuJoCo's EGL backend (``MUJOCO_GL=egl``, set here unless the
caller chose another); Debian's ``libegl1 libegl-mesa0 libgl1-mesa-dri`` provide it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from robodrl.errors import ConfigError
from robodrl.evaluation.policies import EvaluatedPolicy, load_policy
from robodrl.evaluation.rollouts import _perturbations, _randomization
from robodrl.evaluation.sweep import SweepSpec, load_sweep
from robodrl.files.atomic import (
    OutputError,
    disk_full,
    free_bytes,
    probe_writable,
    refuse_link,
    remove_dead_leftovers,
    unwritable,
)

FORMATS = (".mp4", ".gif")
MAX_FPS = 30


def _overlay(frame: np.ndarray, text: str) -> np.ndarray:
    from PIL import Image, ImageDraw

    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width, 22), fill=(0, 0, 0))
    draw.text((6, 5), text, fill=(255, 255, 255))
    return np.asarray(image)


def render_policy(
    policy_path: str | Path,
    out: str | Path,
    *,
    episodes: int = 1,
    seed: int = 0,
    sweep: str | Path | None = None,
    cell: int | None = None,
    width: int = 480,
    height: int = 360,
    trust: bool = False,
    overwrite: bool = False,
    seconds: float | None = None,
) -> dict:
    """Write a video of ``episodes`` episodes, each cut after ``seconds`` of simulated time if
    given; return frame count, fps and episode returns (up to the cut). An existing ``out`` is
    replaced only with ``overwrite`` (robodrl cannot tell who wrote it)."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise ConfigError(f"--out {out}: the video format comes from the suffix: {FORMATS}")
    refuse_link(out)
    if cell is not None and sweep is None:
        raise ConfigError("--cell picks a cell of a sweep; give --sweep SWEEP with it")
    if out.is_dir() or (out.exists() and not overwrite):
        what = "a folder" if out.is_dir() else "a file"
        raise OutputError(f"--out {out} is already {what}; give a new file name (or --overwrite)")
    probe_writable(out)  # before minutes of rendering
    if episodes < 1:
        raise ConfigError(f"--episodes must be >= 1, got {episodes}")
    if seconds is not None and not 0 < seconds < float("inf"):
        raise ConfigError(f"--seconds must be a positive number of seconds, got {seconds}")
    policy = load_policy(policy_path, trust=trust)
    spec = load_sweep(sweep, policy.env_id) if sweep is not None else None
    if spec is not None and (cell is None or not 0 <= cell < len(spec.cells())):
        raise ConfigError(
            f"--cell must be an index in [0, {len(spec.cells())}) for sweep {spec.name}"
        )
    values = spec.cells()[cell] if spec is not None and cell is not None else None
    frames, fps, returns = render_frames(
        policy,
        spec,
        values,
        episodes=episodes,
        seed=seed,
        width=width,
        height=height,
        max_seconds=seconds,
    )
    _write_video(out, frames, fps, overwrite=overwrite)
    return {"frames": len(frames), "fps": fps, "returns": returns, "path": str(out)}


def render_frames(
    policy: EvaluatedPolicy,
    spec: SweepSpec | None,
    cell: dict[str, float] | None,
    *,
    episodes: int = 1,
    seed: int = 0,
    width: int = 480,
    height: int = 360,
    max_fps: float = MAX_FPS,
    max_seconds: float | None = None,
) -> tuple[list[np.ndarray], float, list[float]]:
    """Frames of ``episodes`` episodes of ``policy`` (nominal, or under ``cell`` of ``spec``),
    with the frame rate and each episode's return (each episode cut at ``max_seconds``)."""
    os.environ.setdefault("MUJOCO_GL", "egl")  # effective if MuJoCo is not imported yet
    import mujoco

    from robodrl.make import make_core

    robustness: dict = {}
    label = "nominal"
    if spec is not None and cell is not None:
        robustness = {
            "randomization": _randomization(spec),
            "perturbations": _perturbations(spec, cell) or None,
        }
        label = ", ".join(f"{k}={v:g}" for k, v in cell.items())
    core = make_core(
        policy.env_id, 1, seed=seed, autoreset=False, **robustness, **policy.task_arguments
    )
    if spec is not None and cell is not None and core.randomizer is not None:
        for axis in spec.axes:
            if axis.randomize is not None:
                core.randomizer.pin(axis.name, np.array([cell[axis.name]]))
    every = max(1, round(1.0 / (core.control_dt * max_fps)))
    fps = 1.0 / (core.control_dt * every)
    model = core.get_model(0)
    try:
        renderer = mujoco.Renderer(model, height, width)
    except Exception as err:  # MuJoCo raises FatalError without a GL context
        raise ConfigError(
            f"cannot render offscreen ({err}); set MUJOCO_GL=egl before MuJoCo is imported and "
            "install Debian's libegl1 libegl-mesa0 libgl1-mesa-dri"
        ) from None
    camera = 0 if model.ncam else -1
    frames, returns = [], []
    for episode in range(episodes):
        obs = core.reset(seed=seed + episode)
        total, step, done = 0.0, 0, False
        while not done:
            if step % every == 0:
                data = core.get_data(0)
                mujoco.mj_forward(core.get_model(0), data)
                renderer.update_scene(data, camera=camera)
                seconds = step * core.control_dt
                text = f"{label}  episode {episode}  t = {seconds:5.2f} s  return {total:8.1f}"
                frames.append(_overlay(renderer.render(), text))
            obs, reward, terminated, truncated, _ = core.step(policy.act(obs, core))
            total += float(reward[0])
            step += 1
            done = bool(terminated[0] or truncated[0])
            if max_seconds is not None and step * core.control_dt >= max_seconds:
                done = True
        returns.append(total)
    renderer.close()
    return frames, fps, returns


def write_gif(out: Path, frames: list[np.ndarray], fps: float) -> None:
    """Encode ``frames`` as a looping GIF at ``out`` (inside a folder being staged)."""
    import imageio.v3 as iio

    iio.imwrite(out, np.stack(frames), duration=1000.0 / fps, loop=0)


def _write_video(out: Path, frames: list[np.ndarray], fps: float, *, overwrite: bool) -> None:
    """Encode ``frames`` into a temp file beside ``out``, then put it in place: replacing a
    file only with ``overwrite``, else as a new link that fails if ``out`` appeared meanwhile."""
    import imageio.v3 as iio

    remove_dead_leftovers(out.parent, f".{out.stem}.tmp-")
    tmp = out.with_name(f".{out.stem}.tmp-{os.getpid()}{out.suffix}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".gif":
            iio.imwrite(tmp, np.stack(frames), duration=1000.0 / fps, loop=0)
        else:
            import imageio.v2 as imageio

            with imageio.get_writer(
                tmp,
                format="FFMPEG",
                fps=fps,
                codec="libx264",
                macro_block_size=8,
                ffmpeg_log_level="quiet",  # a failed write is found by counting the frames
            ) as writer:
                for frame in frames:
                    writer.append_data(frame)
            _check_encoded(tmp, out, len(frames))
        if overwrite:
            os.replace(tmp, out)
        else:
            os.link(tmp, out)
    except FileExistsError:
        raise OutputError(f"--out {out} appeared while rendering; it was left as it is") from None
    except OutputError:
        raise
    except OSError as err:
        if free_bytes(out) < (1 << 20):  # ffmpeg's pipe breaks without saying why
            raise disk_full(out) from None
        raise unwritable(out, err) from None
    finally:
        tmp.unlink(missing_ok=True)


def _check_encoded(video: Path, out: Path, frames: int) -> None:
    """ffmpeg reports a failed write (a full disk) only on its console: count the frames of
    the file it wrote before it replaces anything."""
    import imageio_ffmpeg

    try:
        written = imageio_ffmpeg.count_frames_and_secs(str(video))[0]
    except (RuntimeError, OSError, ValueError):
        written = 0
    if written != frames:
        if free_bytes(out) < (1 << 20):
            raise disk_full(out, needed=video.stat().st_size if video.exists() else 0)
        raise OutputError(
            f"--out {out}: ffmpeg wrote {written} of {frames} frames; nothing was replaced"
        )
