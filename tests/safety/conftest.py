"""Data-safety tests share the export tests' trained run and signing key."""

from tests.export.conftest import _signing_home, ppo_run, signing_home_session  # noqa: F401
