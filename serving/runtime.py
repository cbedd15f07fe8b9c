"""Assemble a :class:`~serving.http_api.ServingRuntime` from the settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from governance import ReleaseCatalog
from serving.case_store import CaseStore
from serving.database import DatabaseTimeouts, make_engine, make_session_factory, upgrade_schema
from serving.http_api import ScoreCases, ServingRuntime
from serving.note_cipher import NoteCipher
from serving.serving_config import ServingConfig

__all__ = ["build_runtime", "open_store", "operator_store"]


def open_store(
    *, database_url: str | None = None, config: ServingConfig | None = None
) -> CaseStore:
    """Migrate the database to the latest schema and open the store on it."""
    from core.settings import get_settings

    settings = get_settings()
    config = config or ServingConfig.load()
    engine = make_engine(
        database_url or settings.database_url,
        timeouts=DatabaseTimeouts(
            connect_s=config.connect_timeout_s, statement_s=config.statement_timeout_s
        ),
    )
    upgrade_schema(engine)
    return CaseStore(
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(engine, read_only=True),
        cipher=NoteCipher(key_file=settings.note_key_file),
    )


@contextmanager
def operator_store() -> Iterator[CaseStore]:
    """The service's store for one operator command, closed afterwards."""
    store = open_store()
    try:
        yield store
    finally:
        store.close()


def build_runtime(
    *,
    score_cases: ScoreCases,
    worker_ids: frozenset[str] | None,
    store: CaseStore | None = None,
    config: ServingConfig | None = None,
) -> ServingRuntime:
    from core.settings import get_settings

    settings = get_settings()
    config = config or ServingConfig.load()
    return ServingRuntime(
        store=store or open_store(config=config),
        score_cases=score_cases,
        releases=ReleaseCatalog(
            tracking_uri=settings.mlflow_tracking_uri, model_name=settings.model_name
        ),
        config=config,
        worker_ids=worker_ids,
    )
