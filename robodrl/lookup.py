"""Where a config named on the command line is: a file, or a shipped recipe or planner config
(``robodrl/recipes/``, the checkout's ``recipes/``) found by name from any folder."""

from __future__ import annotations

from pathlib import Path

from robodrl.errors import ConfigError, RobodrlError
from robodrl.files.yamlio import load_yaml_file

#: the training recipes and planner configs shipped with robodrl
RECIPES = Path(__file__).resolve().parent / "recipes"


def is_planner_file(path: Path) -> bool:
    """Whether ``path`` is a YAML file with a ``planner`` section (not a training config)."""
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        data = load_yaml_file(path)
    except RobodrlError:
        return False
    return isinstance(data, dict) and "planner" in data


def recipe_names() -> list[str]:
    """Names of the shipped training recipes (``pendulum_ppo``, ...; not the planner configs)."""
    return sorted(p.stem for p in RECIPES.glob("*.yaml") if not is_planner_file(p))


def planner_names() -> list[str]:
    """Names of the shipped planner configs (``pendulum_mpc``, ...)."""
    return sorted(p.stem for p in RECIPES.glob("*.yaml") if is_planner_file(p))


def _shipped(path: Path) -> Path | None:
    """The shipped file ``path`` names, if ``path`` is not a file itself."""
    if path.exists() or path.parent.name not in ("", "recipes", "policies"):  # policies/: old
        return None
    return RECIPES / f"{path.name.removesuffix('.yaml')}.yaml"


def find_config(path: str | Path) -> Path:
    """A config file: ``path`` if it exists, else the shipped recipe it names (``pendulum_ppo``,
    ``pendulum_ppo.yaml`` or ``recipes/pendulum_ppo.yaml``, so the docs work anywhere)."""
    path = Path(path)
    recipe = _shipped(path)
    if recipe is None:
        return path
    if recipe.is_file():
        return recipe
    raise ConfigError(
        f"{path}: no such file, and not a recipe name; recipes: {', '.join(recipe_names())}"
    )


def find_planner(path: str | Path) -> Path:
    """``path``, or the shipped planner config it names (``pendulum_mpc``, from any folder)."""
    path = Path(path)
    shipped = _shipped(path)
    return shipped if shipped is not None and is_planner_file(shipped) else path
