"""Data-safety tests share the export tests' trained run and signing key."""

from tests.export.conftest import (  # noqa: F401
    _signing_home,
    policy_file,
    ppo_run,
    signing_home_session,
)
