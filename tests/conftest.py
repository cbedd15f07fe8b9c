"""Session fixtures shared by several test folders: the test champion and a PostgreSQL
cluster, each built once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def champion_env() -> dict[str, str]:
    """Environment under which the session's real champion model loads (see champion_setup)."""
    from tests.serving.champion_setup import champion_environment

    return champion_environment()


@pytest.fixture(scope="session")
def postgres_cluster_url():
    """A throwaway PostgreSQL cluster (``initdb``/``pg_ctl``) for the session; its URL."""
    from tests.serving.postgres_cluster import PG_BIN, throwaway_cluster

    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN}")
    with throwaway_cluster() as url:
        yield url
