"""The audited write path: upserted cases, one late head lock per batch, and concurrent
writers on PostgreSQL that share cases without failing, deadlocking or forking the chain."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from serving.api_schemas import CaseIn
from serving.audit_log import Actor, NewEntry, append_entries, append_entry, verify_chain
from serving.tables import AuditEntry, Case, ScoreNeed, ScoreRecord, SensitiveAttributes

from .conftest import make_case

ACTOR = Actor(key_id="k1", role="case_system")


def _scored(triage_model, cases: list[CaseIn]) -> list[dict]:
    return triage_model.score([case.model_input() for case in cases])


class _Statements:
    """Every SQL statement a store's engine sends, in order (an event listener, no mock)."""

    def __init__(self, store) -> None:
        self.engine = store.sessions.kw["bind"]
        self.sent: list[str] = []

    def _record(self, _conn, _cursor, statement, *_args) -> None:
        self.sent.append(" ".join(statement.split()).upper())

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.sent

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_a_batch_is_written_in_a_few_statements_and_locks_the_head_last(store, triage_model):
    cases = [
        CaseIn(**make_case(f"c{i}", audit_attributes={"sex": "female"} if i % 2 else None))
        for i in range(25)
    ]
    results = _scored(triage_model, cases)
    with _Statements(store) as sent:
        records = store.save_scores(
            actor=ACTOR, cases=cases, results=results, idempotency=("batch", "k", "h")
        )
    head_reads = [i for i, sql in enumerate(sent) if sql.startswith("SELECT AUDIT_HEAD")]
    assert len(head_reads) == 1
    after_head = sent[head_reads[0] + 1 :]
    assert [sql.split(" ")[0:3] for sql in after_head] == [
        ["INSERT", "INTO", "AUDIT_LOG"],
        ["UPDATE", "AUDIT_HEAD", "SET"],
    ]
    assert len(sent) <= 10  # 178 when every score flushed and re-locked the head
    with store.sessions() as session:
        report = verify_chain(session)
        logged = session.execute(select(AuditEntry.score_id).order_by(AuditEntry.seq)).scalars()
        assert list(logged) == [record.score_id for record in records]
        assert session.scalar(select(func.count()).select_from(SensitiveAttributes)) == 12
        needs = session.scalar(select(func.count()).select_from(ScoreNeed))
    assert (report.ok, report.entries) == (True, 25)
    assert needs == sum(len(r.active_needs()) for r in results)


def test_scoring_a_case_again_refreshes_it_and_undoes_its_erasure(store, triage_model):
    first = CaseIn(**make_case("c1", audit_attributes={"sex": "female", "age_band": "25-34"}))
    store.save_scores(actor=ACTOR, cases=[first], results=_scored(triage_model, [first]))
    with store.sessions() as session:
        created = session.get(Case, "c1").created_at
    store.erase_case(actor=ACTOR, case_id="c1")
    again = CaseIn(**make_case("c1", note="Cl now housed; follow-up only.", region="south"))
    store.save_scores(actor=ACTOR, cases=[again], results=_scored(triage_model, [again]))
    third = CaseIn(**make_case("c1", audit_attributes={"sex": "male"}))
    store.save_scores(actor=ACTOR, cases=[third], results=_scored(triage_model, [third]))
    with store.sessions() as session:
        case = session.get(Case, "c1")
        attributes = session.get(SensitiveAttributes, "c1")
        report = verify_chain(session)
    assert case.erased_at is None
    assert case.created_at == created
    assert (case.region, case.fields["region"]) == ("north", "north")
    assert store.note_of("c1") == third.note
    assert (attributes.sex, attributes.age_band) == ("male", None)
    assert (report.ok, report.entries) == (True, 4)  # three scores and the erasure


def test_a_case_sent_twice_in_one_call_ends_as_its_last_version(store, triage_model):
    older = CaseIn(**make_case("c1", region="east", audit_attributes={"sex": "female"}))
    newer = CaseIn(**make_case("c1", region="west", note="Second intake note."))
    records = store.save_scores(
        actor=ACTOR, cases=[older, newer], results=_scored(triage_model, [older, newer])
    )
    with store.sessions() as session:
        case = session.get(Case, "c1")
        attributes = session.get(SensitiveAttributes, "c1")
    assert len(records) == 2
    assert case.region == "west"
    assert store.note_of("c1") == "Second intake note."
    assert attributes.sex == "female"  # the later copy gave none, so the earlier stay


def test_append_entries_chains_a_batch_under_one_head_update(store):
    with store.sessions.begin() as session:
        append_entry(session, actor=ACTOR, action="model_serving")
        rows = append_entries(
            session, [NewEntry(actor=ACTOR, action="score", details={"i": i}) for i in range(3)]
        )
        assert append_entries(session, []) == []
    assert [row.seq for row in rows] == [2, 3, 4]
    assert rows[1].prev_hash == rows[0].entry_hash
    with store.sessions() as session:
        assert verify_chain(session).entries == 4


@pytest.mark.postgres
def test_concurrent_batches_sharing_cases_neither_fail_nor_fork_the_chain(pg_store, triage_model):
    """Six writers, 20 batches of 10 drawn from 15 case ids: the same cases, new and old,
    in different orders, written at the same time."""
    pool_cases = [CaseIn(**make_case(f"s{i}", audit_attributes={"sex": "x"})) for i in range(15)]
    results = dict(
        zip(
            [case.case_id for case in pool_cases],
            _scored(triage_model, pool_cases),
            strict=True,
        )
    )
    rng = random.Random(7)
    batches = [rng.sample(pool_cases, 10) for _ in range(20)]
    barrier = threading.Barrier(6)

    def write(worker: int) -> int:
        barrier.wait()
        stored = 0
        for batch in batches[worker::6]:
            stored += len(
                pg_store.save_scores(
                    actor=ACTOR, cases=batch, results=[results[c.case_id] for c in batch]
                )
            )
        return stored

    with ThreadPoolExecutor(6) as pool:
        stored = sum(pool.map(write, range(6)))
    with pg_store.sessions() as session:
        report = verify_chain(session)
        scores = session.scalar(select(func.count()).select_from(ScoreRecord))
        cases = session.scalar(select(func.count()).select_from(Case))
        logged = set(session.execute(select(AuditEntry.score_id)).scalars())
        saved = set(session.execute(select(ScoreRecord.score_id)).scalars())
    assert stored == scores == 200
    assert cases == 15
    assert logged == saved
    assert (report.ok, report.entries) == (True, 200)


@pytest.mark.postgres
def test_a_score_and_an_erasure_of_one_case_are_chained_in_commit_order(pg_store, triage_model):
    case = CaseIn(**make_case("c1"))
    result = _scored(triage_model, [case])
    pg_store.save_scores(actor=ACTOR, cases=[case], results=result)
    barrier = threading.Barrier(2)

    def score() -> None:
        barrier.wait()
        pg_store.save_scores(actor=ACTOR, cases=[case], results=result)

    def erase() -> None:
        barrier.wait()
        pg_store.erase_case(actor=ACTOR, case_id="c1")

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(score), pool.submit(erase)]:
            future.result()
    with pg_store.sessions() as session:
        actions = list(
            session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars()
        )
        erased = session.get(Case, "c1").erased_at is not None
        statuses = sorted(session.execute(select(ScoreRecord.status)).scalars())
        report = verify_chain(session)
    assert report.ok
    # whichever committed last decides the case's state, and the chain says the same
    if actions[-1] == "erasure":
        assert erased
        assert statuses == ["erased", "erased"]
    else:
        assert actions == ["score", "erasure", "score"]
        assert not erased
        assert statuses == ["erased", "pending_review"]
