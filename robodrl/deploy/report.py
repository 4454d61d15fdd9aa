"""A deploy run's timing and safety report, written as one folder (atomically, replacing only a
previous deploy report): ``deploy.csv`` (one row per control step), ``deploy.json`` (the
summary), ``signals.npz`` (what the robot measured and what was sent, for ``--robot replay``),
``timing.png`` and ``deploy.html``.

The summary: the loop's lateness at each deadline (p50 / p99 / max, the period jitter), the
wait for the robot's next measurement, inference latency, compute time per step (from the
measurement's arrival to the command's write), missed deadlines, the age of the measurements, each
safety trigger's count and its first events, velocity tracking (the RMS error between the
command and the measured base velocity / yaw rate, after the soft start), and how the run
ended."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from robodrl.deploy.loop import DeployLog
from robodrl.deploy.safety import Safety
from robodrl.files.atomic import output_folder

INDEX = "deploy.json"
MAX_EVENTS = 200
#: a target counts as reached within this distance (the reach task's success distance)
REACHED_M = 0.02


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    array = np.asarray(values, dtype=float)
    return {
        "p50": float(np.percentile(array, 50)),
        "p99": float(np.percentile(array, 99)),
        "max": float(array.max()),
    }


def tracking(log: DeployLog, after: float) -> dict[str, float] | None:
    """RMS of command - measurement for vx, vy (m/s) and the yaw rate (rad/s), while the policy
    drove (after the soft start, before any safe mode)."""
    errors = []
    for row, signals in zip(log.rows, log.signals, strict=True):
        if row.get("mode") != "policy" or row["t"] < after or "command_2" not in row:
            continue
        velocity, gyro = signals.get("base_linear_velocity"), signals.get("base_angular_velocity")
        if velocity is None or gyro is None:
            return None
        measured = np.array([velocity[0], velocity[1], gyro[2]])
        errors.append(np.array([row["command_0"], row["command_1"], row["command_2"]]) - measured)
    if not errors:
        return None
    rms = np.sqrt(np.mean(np.square(errors), axis=0))
    return {
        "vx_rms": float(rms[0]),
        "vy_rms": float(rms[1]),
        "yaw_rate_rms": float(rms[2]),
        "steps": len(errors),
    }


def reach(log: DeployLog) -> dict | None:
    """For an arm: the hand's distance to each target at the end of its hold (m), while the
    policy drove, and whether it got within ``REACHED_M``."""
    ends, previous = [], None
    for row, signals in zip(log.rows, log.signals, strict=True):
        hand, target = signals.get("end_effector_position"), signals.get("target_position")
        if hand is None or target is None or row.get("mode") != "policy":
            continue
        if previous is not None and not np.array_equal(previous[1], target):
            ends.append(float(np.linalg.norm(previous[1] - previous[0])))
        previous = (np.asarray(hand, dtype=float), np.asarray(target, dtype=float))
    if previous is None:
        return None
    ends.append(float(np.linalg.norm(previous[1] - previous[0])))
    return {
        "final_distance_m": [round(d, 4) for d in ends],
        "reached": sum(d < REACHED_M for d in ends),
        "targets": len(ends),
    }


def summary(log: DeployLog, safety: Safety, policy: Path, seconds: float) -> dict:
    rows = log.rows
    return {
        "policy": str(policy),
        "robot": log.robot,
        "seconds": seconds,
        "steps": len(rows),
        "ended": log.ended,
        "missed_deadlines": log.missed,
        "lateness_ms": percentiles([r["late_ms"] for r in rows]),
        "compute_ms": percentiles([r["compute_ms"] for r in rows]),
        "inference_ms": percentiles([r["inference_ms"] for r in rows if "inference_ms" in r]),
        "measurement_age_ms": percentiles([r["age_ms"] for r in rows]),
        "measurement_wait_ms": percentiles([r["wait_ms"] for r in rows if "wait_ms" in r]),
        "safety": dict(safety.counts),
        "safe_mode": safety.safe,
        "events": [
            {"t": round(t, 4), "kind": k, "detail": d} for t, k, d in safety.events[:MAX_EVENTS]
        ],
        "tracking": tracking(log, safety.config.soft_start_s),
        "reach": reach(log),
    }


def csv_text(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_report(
    out: Path,
    log: DeployLog,
    safety: Safety,
    policy: Path,
    seconds: float,
    joint_names: list[str],
    control_dt: float,
    *,
    extra: dict | None = None,
    files: dict[str, bytes] | None = None,
) -> dict:
    """Write the report folder (see the module docstring); return the summary. ``extra``:
    more summary entries; ``files``: more files (name: contents)."""
    document = summary(log, safety, policy, seconds) | (extra or {})
    with output_folder(out, kind="deploy", index=INDEX) as tmp:
        for name, data in (files or {}).items():
            (tmp / name).write_bytes(data)
        (tmp / "deploy.csv").write_text(csv_text(log.rows))
        names = sorted({k for s in log.signals for k in s})
        arrays = {f"signal_{k}": np.array([s.get(k) for s in log.signals]) for k in names}
        ages = np.array([r["age_ms"] / 1e3 for r in log.rows])
        with open(tmp / "signals.npz", "wb") as handle:
            np.savez(
                handle,
                sent=np.array(log.sent),
                age=ages,
                control_dt=control_dt,
                joint_names=np.array(joint_names),
                **arrays,
            )
        _plot(tmp / "timing.png", log)
        (tmp / "deploy.html").write_text(_html(document))
        (tmp / INDEX).write_text(json.dumps(document, indent=1) + "\n")
    return document


def _plot(path: Path, log: DeployLog) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [r["t"] for r in log.rows]
    figure, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    axes[0].plot(t, [r["late_ms"] for r in log.rows], lw=0.8, label="lateness at the deadline")
    axes[0].plot(t, [r["compute_ms"] for r in log.rows], lw=0.8, label="compute per step")
    axes[0].set_ylabel("ms")
    axes[0].legend(loc="upper right")
    axes[1].plot(t, [r["age_ms"] for r in log.rows], lw=0.8, label="measurement age")
    axes[1].set_ylabel("ms")
    axes[1].set_xlabel("time (s)")
    axes[1].legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _html(document: dict) -> str:
    import html

    def table(title: str, values: dict) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{_number(v)}</td></tr>"
            for k, v in values.items()
        )
        return f"<h2>{title}</h2><table>{cells}</table>"

    timing = {
        f"{name} ({k})": v
        for name in (
            "lateness_ms",
            "compute_ms",
            "inference_ms",
            "measurement_age_ms",
            "measurement_wait_ms",
        )
        for k, v in document[name].items()
    }
    events = "".join(
        f"<tr><td>{e['t']}</td><td>{html.escape(e['kind'])}</td>"
        f"<td>{html.escape(e['detail'])}</td></tr>"
        for e in document["events"][:50]
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>robodrl deploy report</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td{padding:2px 8px}"
        "</style><h1>Deploy report</h1>"
        f"<p>{html.escape(document['policy'])} on {html.escape(document['robot'])}: "
        f"{document['steps']} steps; {html.escape(document['ended'])}; "
        f"{document['missed_deadlines']} missed deadlines.</p>"
        + table("Timing", timing)
        + table("Safety triggers", document["safety"])
        + (table("Tracking (RMS error)", document["tracking"]) if document["tracking"] else "")
        + (table("Reach", document["reach"]) if document["reach"] else "")
        + "<h2>Timing over the run</h2><img src='timing.png' alt='timing plot'>"
        + f"<h2>Events</h2><table>{events}</table>"
    )


def _number(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
