"""Where independent jobs run: here, one after another (``local``, the default, no server), or
as tasks on a Ray cluster (``ray``; ``pip install robodrl[ray]``, ``--address`` for a cluster).

A job is a module-level function and plain arguments. Each job sets torch to the driver's
thread count, so that floating-point results do not depend on where a job ran: the same jobs
give identical results on both backends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from robodrl.errors import ConfigError

BACKENDS = ("local", "ray")
#: environment variables a Ray worker needs to see as the driver does
FORWARDED_ENV = ("ROBODRL_HOME", "MUJOCO_GL")


def _run_job(function: Callable, args: tuple, torch_threads: int) -> Any:
    import torch

    torch.set_num_threads(torch_threads)
    return function(*args)


def map_jobs(
    function: Callable,
    jobs: Sequence[tuple],
    *,
    backend: str = "local",
    address: str | None = None,
) -> list[Any]:
    """``[function(*job) for job in jobs]`` on the chosen backend, results in job order."""
    import torch

    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; valid backends: {', '.join(BACKENDS)}")
    threads = torch.get_num_threads()
    if backend == "local":
        results = [_run_job(function, job, threads) for job in jobs]
        torch.set_num_threads(threads)
        return results
    try:
        import ray
    except ImportError:
        raise ConfigError("the ray backend needs Ray: pip install 'robodrl[ray]'") from None
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address, include_dashboard=False, logging_level="ERROR", log_to_driver=False
        )
    env_vars = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
    try:
        remote = ray.remote(num_cpus=1, runtime_env={"env_vars": env_vars})(_run_job)
        return ray.get([remote.remote(function, job, threads) for job in jobs])
    finally:
        if started:
            ray.shutdown()
