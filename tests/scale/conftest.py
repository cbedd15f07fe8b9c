"""Fixtures for the scale tests: the serving tests' real champion, built once per session."""

from __future__ import annotations

import pytest


@pytest.fixture
def champion(champion_env, monkeypatch):
    """Point the settings at the champion's MLflow store for one test."""
    for key, value in champion_env.items():
        monkeypatch.setenv(key, value)
    return champion_env


@pytest.fixture
def empty_postgres_url(postgres_cluster_url) -> str:
    """A new, empty database (no schema yet) in the session's cluster."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"scale_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_cluster_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_cluster_url.rsplit("/", 1)[0] + f"/{name}"
