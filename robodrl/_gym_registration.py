"""Register robodrl's ids with Gymnasium when (and only when) Gymnasium is imported.

A post-import hook: if Gymnasium is already imported, register now; otherwise a meta-path
finder wraps Gymnasium's loader so the ids are registered right after it finishes importing.
This keeps ``import robodrl`` (and the onboard runtime) free of Gymnasium.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from types import ModuleType


def _register() -> None:
    import gymnasium

    from robodrl.registry import env_ids

    for env_id in env_ids():
        if env_id not in gymnasium.registry:
            gymnasium.register(
                id=env_id,
                entry_point="robodrl.envs.gym_env:RobodrlEnv",
                vector_entry_point="robodrl.make:make_vector_env",
                kwargs={"env_id": env_id},
            )


class _GymnasiumHook(importlib.abc.MetaPathFinder):
    """Finds ``gymnasium`` through the other finders and registers robodrl after it loads."""

    def find_spec(self, name: str, path=None, target=None):
        if name != "gymnasium":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        original = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _register()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def register_with_gymnasium_on_import(modules: dict[str, ModuleType]) -> None:
    """Register now if Gymnasium is loaded, else when it is."""
    if "gymnasium" in modules:
        _register()
    elif not any(isinstance(f, _GymnasiumHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _GymnasiumHook())
