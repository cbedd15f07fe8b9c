"""The same storage on PostgreSQL: migrations, a chain that concurrent writers cannot fork,
idempotency and one-decision-per-score enforced by the database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.errors import ConflictError
from serving.api_schemas import CaseIn, DecisionIn
from serving.audit_log import Actor, append_entry, verify_chain
from serving.case_store import IdempotencyRaceError
from serving.tables import Base

from .conftest import make_case

pytestmark = pytest.mark.postgres

ACTOR = Actor(key_id="k1", role="case_system")
SUPERVISOR = Actor(key_id="k2", role="supervisor")


def test_migrations_match_the_tables(pg_store):
    with pg_store.sessions.kw["bind"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_concurrent_writers_cannot_fork_the_chain(pg_store):
    def writer(w: int) -> None:
        for i in range(15):
            with pg_store.sessions.begin() as session:
                append_entry(session, actor=ACTOR, action="score", details={"w": w, "i": i})

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with pg_store.sessions() as session:
        report = verify_chain(session)
    assert (report.ok, report.entries) == (True, 90)


def test_the_database_keeps_one_score_per_idempotency_key(pg_store, triage_model):
    case = CaseIn(**make_case())
    result = triage_model.score([case.model_input()])
    barrier = threading.Barrier(4)

    def save():
        barrier.wait()
        try:
            return pg_store.save_scores(
                actor=ACTOR, cases=[case], results=result, idempotency=("single", "k", "h")
            )[0].score_id
        except IdempotencyRaceError:
            return "race"

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: save(), range(4)))
    assert sum(outcome != "race" for outcome in outcomes) == 1
    assert pg_store.find_idempotent(scope="single", key="k").score_ids == [
        next(o for o in outcomes if o != "race")
    ]
    with pg_store.sessions() as session:
        assert verify_chain(session).entries == 1


def test_two_simultaneous_decisions_make_one_and_a_conflict(pg_store, triage_model):
    case = CaseIn(**make_case())
    score_id = pg_store.save_scores(
        actor=ACTOR, cases=[case], results=triage_model.score([case.model_input()])
    )[0].score_id
    barrier = threading.Barrier(3)

    def decide():
        barrier.wait()
        try:
            pg_store.decide(
                actor=SUPERVISOR,
                score_id=score_id,
                decision=DecisionIn(action="confirm"),
                known_worker_ids=None,
            )
            return "decided"
        except ConflictError:
            return "conflict"

    with ThreadPoolExecutor(3) as pool:
        outcomes = sorted(pool.map(lambda _: decide(), range(3)))
    assert outcomes == ["conflict", "conflict", "decided"]
    assert pg_store.note_of("c1") == case.note
