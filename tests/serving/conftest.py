"""Fixtures for the serving tests: a migrated database, keys per role, the app in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.api_keys import ROLES, create_key
from serving.audit_log import CLI_ACTOR
from serving.case_store import CaseStore
from serving.database import make_engine, make_session_factory, upgrade_schema
from serving.note_cipher import NoteCipher


def in_process_client_class():
    """Starlette's TestClient; it warns once at import that it prefers ``httpx2``, not installed."""
    import warnings

    from starlette.exceptions import StarletteDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient
    return TestClient


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'serving.db'}"


@pytest.fixture
def store(tmp_path: Path) -> CaseStore:
    engine = make_engine(sqlite_url(tmp_path))
    upgrade_schema(engine)
    yield CaseStore(
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(engine, read_only=True),
        cipher=NoteCipher(key_file=tmp_path / "secrets" / "note.key"),
    )
    engine.dispose()


@pytest.fixture
def keys(store: CaseStore) -> dict[str, str]:
    """One plaintext API key per role."""
    issued = {}
    with store.sessions.begin() as session:
        for role in ROLES:
            issued[role] = create_key(session, role=role, name=f"test {role}", actor=CLI_ACTOR).key
    return issued


@pytest.fixture(scope="session")
def triage_model(champion_env):
    """The champion ``TriageModel``, loaded the way the service loads it."""
    from serving.champion import load_champion

    with pytest.MonkeyPatch.context() as patch:
        for key, value in champion_env.items():
            patch.setenv(key, value)
        return load_champion()


@pytest.fixture(scope="session")
def worker_ids(champion_env) -> frozenset[str]:
    from serving.champion import load_roster

    roster = load_roster(Path(champion_env["CASETRIAGE_ROSTER"]))
    return frozenset(roster["worker_id"].astype(str))


@pytest.fixture
def scored_inputs() -> list[list[dict]]:
    """Every list of cases the scorer received, to prove what reached the model."""
    return []


@pytest.fixture
def runtime(store, scored_inputs, triage_model, worker_ids, champion_env):
    """What the service attaches to the app: storage, scorer, releases, limits."""
    from starlette.concurrency import run_in_threadpool

    from governance import ReleaseCatalog
    from serving.http_api import ServingRuntime
    from serving.serving_config import THIS_MACHINE, ServingConfig

    async def score_cases(cases):
        scored_inputs.append(cases)
        return await run_in_threadpool(triage_model.score, cases)

    return ServingRuntime(
        store=store,
        score_cases=score_cases,
        releases=ReleaseCatalog(
            tracking_uri=champion_env["MLFLOW_TRACKING_URI"],
            model_name=champion_env["CASETRIAGE_MODEL_NAME"],
        ),
        config=ServingConfig(max_body_bytes=64_000, webhook_hosts=(*THIS_MACHINE, "*.example")),
        worker_ids=worker_ids,
    )


@pytest.fixture
def client(runtime):
    from serving.http_api import create_app

    app = create_app()
    app.state.runtime = runtime
    client_class = in_process_client_class()
    with client_class(app, raise_server_exceptions=False) as test_client:
        yield test_client


def make_case(case_id: str = "c1", **changes) -> dict:
    case = {
        "case_id": case_id,
        "note": "Cl received an eviction notice; denies SI.",
        "age": 34,
        "household_size": 3,
        "n_children": 2,
        "prior_referrals": 1,
        "prior_crises": 0,
        "income_band": "under_15k",
        "housing_type": "renting",
        "referral_source": "self",
        "region": "north",
        "preferred_language": "en",
    }
    case.update(changes)
    return case


@pytest.fixture
def postgres_url(postgres_cluster_url):
    """A fresh database in the session's cluster, so each test starts empty."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_cluster_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_cluster_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def pg_store(postgres_url, tmp_path):
    engine = make_engine(postgres_url)
    upgrade_schema(engine)
    yield CaseStore(
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(engine, read_only=True),
        cipher=NoteCipher(key_file=tmp_path / "secrets" / "note.key"),
    )
    engine.dispose()
