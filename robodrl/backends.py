"""Where independent jobs run: here, one after another (``local``, the default, no server), or
as tasks on a Ray cluster (``ray``; ``pip install robodrl[ray]``, ``--address`` for a cluster).

A job is a module-level function and plain arguments. Each job sets torch to the driver's
thread count, so that floating-point results do not depend on where a job ran: the same jobs
give identical results on both backends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from robodrl.errors import ConfigError

BACKENDS = ("local", "ray")
#: environment variables a Ray worker needs to see as the driver does
FORWARDED_ENV = ("ROBODRL_HOME", "MUJOCO_GL")


def _run_job(function: Callable, args: tuple, torch_threads: int) -> Any:
    import torch

    torch.set_num_threads(torch_threads)
    return function(*args)


@contextlib.contextmanager
def backend_session(backend: str = "local", address: str | None = None) -> Iterator[None]:
    """Keep the backend up across several :func:`map_jobs` calls (one Ray start for a whole
    command, not one per call); nothing to do for ``local``."""
    if backend == "local":
        yield
        return
    ray = _ray(backend)
    started = not ray.is_initialized()
    if started:
        _start(ray, address)
    try:
        yield
    finally:
        if started:
            ray.shutdown()


def map_jobs(
    function: Callable,
    jobs: Sequence[tuple],
    *,
    backend: str = "local",
    address: str | None = None,
) -> list[Any]:
    """``[function(*job) for job in jobs]`` on the chosen backend, results in job order."""
    import torch

    threads = torch.get_num_threads()
    if backend == "local":
        results = [_run_job(function, job, threads) for job in jobs]
        torch.set_num_threads(threads)
        return results
    ray = _ray(backend)
    env_vars = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
    with backend_session(backend, address):
        remote = ray.remote(num_cpus=1, runtime_env={"env_vars": env_vars})(_run_job)
        return ray.get([remote.remote(function, job, threads) for job in jobs])


def _ray(backend: str) -> Any:
    """The ray module, for a known backend that needs it."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; valid backends: {', '.join(BACKENDS)}")
    try:
        import ray
    except ImportError:
        raise ConfigError("the ray backend needs Ray: pip install 'robodrl[ray]'") from None
    return ray


def _start(ray: Any, address: str | None) -> None:
    ray.init(address=address, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
