"""Replicas that start together on an empty PostgreSQL database all come up migrated.

Each replica migrates its database on start; without a lock, two of them race to create
the same tables and one fails (``DuplicateTable`` or a statement timeout on the catalog).
"""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import inspect

pytestmark = pytest.mark.postgres


def _migrate(url: str, outcomes) -> None:
    from serving.database import make_engine, upgrade_schema

    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        outcomes.put("ok")
    except Exception as error:  # reported to the test, which names it
        outcomes.put(f"{type(error).__name__}: {error}"[:300])
    finally:
        engine.dispose()


def test_replicas_migrating_at_once_all_succeed(empty_postgres_url):
    from serving.database import make_engine

    context = multiprocessing.get_context("spawn")
    outcomes = context.Queue()
    processes = [
        context.Process(target=_migrate, args=(empty_postgres_url, outcomes)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert sorted(outcomes.get(timeout=5) for _ in processes) == ["ok"] * 3
    engine = make_engine(empty_postgres_url)
    try:
        assert {"audit_log", "scores", "decisions"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
