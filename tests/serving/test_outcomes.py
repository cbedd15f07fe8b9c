"""Outcome intake: what followed a case, recorded once, amended only on purpose, audited."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.errors import ConflictError, GoneError, InvalidRequestError, NotFoundError
from serving.audit_log import Actor, verify_chain
from serving.case_store import utc
from serving.tables import AuditEntry, Outcome

from .stored_cases import backdate, decide, record, save

ADMIN = Actor(key_id="admin", role="admin")


def _entries(store, action: str | None = None) -> list[AuditEntry]:
    with store.sessions() as session:
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(session.execute(query).scalars())


def _chain_ok(store) -> bool:
    with store.sessions() as session:
        return verify_chain(session).ok


def test_an_outcome_is_recorded_once_and_audited_without_its_date(store):
    save(store, "c1")
    created = backdate(store, "c1", at=datetime(2026, 1, 10, 5, 0, tzinfo=UTC))
    first = record(store, "c1", crisis=True, crisis_on=date(2026, 2, 3))
    assert first.status == "recorded"
    assert (first.outcome.crisis, first.outcome.crisis_on, first.outcome.window_days) == (
        True,
        date(2026, 2, 3),
        90,
    )
    assert first.outcome.recorded_by_key_id == "system"
    again = record(store, "c1", crisis=True, crisis_on=date(2026, 2, 3), window_days=90)
    assert again.status == "unchanged"
    assert utc(again.outcome.recorded_at) == first.outcome.recorded_at
    (entry,) = _entries(store, "outcome")
    assert entry.case_id == "c1"
    assert json.loads(entry.details) == {
        "crisis": True,
        "window_days": 90,
        "days_to_crisis": (date(2026, 2, 3) - created.date()).days,
    }
    assert "2026-02-03" not in entry.details
    assert _chain_ok(store)


def test_a_different_outcome_needs_an_amendment_which_the_chain_keeps(store):
    save(store, "c1")
    backdate(store, "c1", days=200)
    record(store, "c1", crisis=False)
    crisis_on = (datetime.now(UTC) - timedelta(days=150)).date()
    with pytest.raises(ConflictError) as refused:
        record(store, "c1", crisis=True, crisis_on=crisis_on)
    assert refused.value.field == "amend"
    with store.sessions() as session:
        assert session.get(Outcome, "c1").crisis is False
    amended = record(store, "c1", crisis=True, crisis_on=crisis_on, amend=True)
    assert amended.status == "amended"
    assert (amended.outcome.crisis, amended.outcome.crisis_on) == (True, crisis_on)
    # the same amendment again is a replay, not a second amendment
    assert record(store, "c1", crisis=True, crisis_on=crisis_on, amend=True).status == ("unchanged")
    (entry,) = _entries(store, "outcome_amended")
    details = json.loads(entry.details)
    assert (details["crisis"], details["replaces_crisis"]) == (True, False)
    assert details["replaces_days_to_crisis"] is None
    assert details["days_to_crisis"] in (49, 50, 51)
    assert _chain_ok(store)


def test_amending_nothing_unknown_and_erased_cases_are_refused(store):
    save(store, "c1")
    backdate(store, "c1", days=100)
    with pytest.raises(ConflictError) as nothing:
        record(store, "c1", crisis=False, amend=True)
    assert nothing.value.field == "amend"
    with pytest.raises(NotFoundError) as unknown:
        record(store, "nope", crisis=False)
    assert unknown.value.field == "case_id"
    store.erase_case(actor=ADMIN, case_id="c1")
    with pytest.raises(GoneError) as gone:
        record(store, "c1", crisis=False)
    assert gone.value.field == "case_id"
    assert _entries(store, "outcome") == []


@pytest.mark.parametrize(
    ("crisis_on", "window_days", "field", "words"),
    [
        (date(2026, 1, 8), 90, "crisis_on", "before the case was created"),
        (date(2026, 4, 11), 90, "crisis_on", "after the 90-day window"),
        (date(2026, 1, 25), 10, "crisis_on", "after the 10-day window"),
    ],
)
def test_an_impossible_crisis_day_is_refused_naming_the_field(
    store, crisis_on, window_days, field, words
):
    save(store, "c1")
    backdate(store, "c1", at=datetime(2026, 1, 10, 5, 0, tzinfo=UTC))
    with pytest.raises(InvalidRequestError, match=words) as refused:
        record(store, "c1", crisis=True, crisis_on=crisis_on, window_days=window_days)
    assert refused.value.field == field
    with store.sessions() as session:
        assert session.get(Outcome, "c1") is None


def test_the_crisis_day_allows_for_time_zones_but_not_the_future(store):
    save(store, "c1")
    # 05:00 UTC on the 10th is still the 9th west of UTC-5: that day is accepted
    backdate(store, "c1", at=datetime(2026, 1, 10, 5, 0, tzinfo=UTC))
    assert record(store, "c1", crisis=True, crisis_on=date(2026, 1, 9)).status == "recorded"
    save(store, "c2")
    backdate(store, "c2", days=1)
    with pytest.raises(InvalidRequestError, match="future") as future:
        record(store, "c2", crisis=True, crisis_on=datetime.now(UTC).date() + timedelta(days=2))
    assert future.value.field == "crisis_on"


def test_no_crisis_cannot_be_told_before_the_window_ends(store):
    save(store, "c1")
    backdate(store, "c1", days=30)
    with pytest.raises(InvalidRequestError, match="window ends") as early:
        record(store, "c1", crisis=False)
    assert early.value.field == "crisis"
    assert record(store, "c1", crisis=False, window_days=30).status == "recorded"


def test_erasure_keeps_whether_a_crisis_came_but_not_its_day(store):
    score_id = save(store, "c1")
    decide(store, score_id)
    backdate(store, "c1", days=40)
    record(store, "c1", crisis=True, crisis_on=(datetime.now(UTC) - timedelta(days=3)).date())
    assert store.erase_case(actor=ADMIN, case_id="c1") == (1, 1)
    with store.sessions() as session:
        outcome = session.get(Outcome, "c1")
        assert (outcome.crisis, outcome.crisis_on, outcome.window_days) == (True, None, 90)
    (erasure,) = _entries(store, "erasure")
    assert json.loads(erasure.details) == {"reason": "request", "scores": 1, "decisions": 1}
    assert _chain_ok(store)


def _post(client, keys, case_id, body, role="case_system"):
    return client.post(f"/v1/cases/{case_id}/outcome", json=body, headers={"X-API-Key": keys[role]})


def test_the_outcome_route_records_replays_conflicts_and_amends(client, keys, store):
    save(store, "c1")
    backdate(store, "c1", days=120)
    crisis_day = (datetime.now(UTC) - timedelta(days=100)).date().isoformat()
    recorded = _post(client, keys, "c1", {"crisis": True, "crisis_on": crisis_day})
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body | {"recorded_at": None} == {
        "case_id": "c1",
        "crisis": True,
        "crisis_on": crisis_day,
        "window_days": 90,
        "recorded_by_key_id": keys["case_system"].split("_")[1],
        "recorded_at": None,
        "status": "recorded",
    }
    replay = _post(client, keys, "c1", {"crisis": True, "crisis_on": crisis_day})
    assert replay.status_code == 200
    assert replay.json() == body | {"status": "unchanged"}
    conflict = _post(client, keys, "c1", {"crisis": False})
    assert (conflict.status_code, conflict.json()["field"]) == (409, "amend")
    amended = _post(client, keys, "c1", {"crisis": False, "amend": True})
    assert amended.status_code == 200
    assert (amended.json()["crisis"], amended.json()["status"]) == (False, "amended")
    assert _post(client, keys, "c1", {"crisis": False}, role="supervisor").status_code == 403
    assert [e.action for e in _entries(store) if e.action.startswith("outcome")] == [
        "outcome",
        "outcome_amended",
    ]


def test_the_outcome_route_maps_missing_erased_and_bad_input(client, keys, store):
    missing = _post(client, keys, "nope", {"crisis": False})
    assert (missing.status_code, missing.json()["field"]) == (404, "case_id")
    save(store, "c1")
    backdate(store, "c1", days=10)
    cases = [
        ({"crisis": True}, "crisis_on"),
        ({"crisis": False, "crisis_on": "2026-01-01"}, "crisis_on"),
        ({"crisis": True, "crisis_on": "01/02/2026"}, "crisis_on"),
        ({"crisis": True, "crisis_on": "2026-02-30"}, "crisis_on"),
        ({"crisis": True, "crisis_on": 0}, "crisis_on"),
        ({"crisis": "yes"}, "crisis"),
        ({"crisis": False, "window_days": 0}, "window_days"),
        ({"crisis": False, "window_days": 366}, "window_days"),
        ({"crisis": False, "window_days": "90"}, "window_days"),
        ({"crisis": False, "note": "x"}, "note"),
        ({"crisis": False}, "crisis"),  # the 90-day window is still open
        ({"crisis": True, "crisis_on": "2020-01-01"}, "crisis_on"),  # before the case
    ]
    for body, field in cases:
        response = _post(client, keys, "c1", body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
        assert field in response.json()["error"]
    assert _post(client, keys, "bad id!", {"crisis": False}).status_code == 422
    assert _post(client, keys, "c1", {"crisis": False, "window_days": 10.0}).status_code == 201
    score_id = save(store, "c2")
    decide(store, score_id)
    store.erase_case(actor=ADMIN, case_id="c2")
    gone = _post(client, keys, "c2", {"crisis": False, "window_days": 1})
    assert (gone.status_code, gone.json()["field"]) == (410, "case_id")


@pytest.mark.postgres
def test_simultaneous_outcomes_on_postgres_record_one(pg_store):
    barrier = threading.Barrier(4)

    def tell(case_id: str, crisis: bool) -> str:
        outcome = {"crisis": crisis}
        if crisis:
            outcome["crisis_on"] = (datetime.now(UTC) - timedelta(days=90)).date()
        barrier.wait()
        try:
            return record(pg_store, case_id, **outcome).status
        except ConflictError:
            return "conflict"

    for case_id in ("c1", "c2"):
        save(pg_store, case_id)
        backdate(pg_store, case_id, days=100)
    with ThreadPoolExecutor(4) as pool:
        same = sorted(pool.map(lambda _: tell("c1", False), range(4)))
        mixed = list(pool.map(lambda crisis: tell("c2", crisis), [True, False, True, False]))
    assert same == ["recorded", "unchanged", "unchanged", "unchanged"]
    # whichever came first is recorded; the other like it replays, the two unlike conflict
    assert sorted(mixed) == ["conflict", "conflict", "recorded", "unchanged"]
    with pg_store.sessions() as session:
        report = verify_chain(session)
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert report.ok
    assert actions.count("outcome") == 2
