"""``read_live_cases``: the served version's cases, the same on SQLite and PostgreSQL.

One case for each way a case counts or is left out: rescored (latest score counts),
another version, erased, amended decision, undecided, an outcome that cannot tell the
90-day label, a safety need only the safety net saw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from monitoring import LABEL
from serving.api_schemas import CaseIn
from serving.live_cases import read_live_cases
from serving.tables import ScoreRecord

from .conftest import make_case
from .stored_cases import CASE_SYSTEM, SUPERVISOR, backdate, decide, record, stored_result

NOTE = "Cl received an eviction notice; says she might hurt herself."
ATTRIBUTES = {"race_ethnicity": "Black", "sex": "female", "age_band": "25-44", "disability": "no"}


def _need(name: str, phrase: str, **changes) -> dict:
    start = NOTE.index(phrase)
    return {
        "need": name,
        "status": "present",
        "experiencer": "client",
        "start": start,
        "end": start + len(phrase),
        "evidence": phrase,
        "code": None,
        "safety": name == "suicide_risk",
        "confidence": "confident",
        "source": "lexicon",
        "basis": "test",
    } | changes


def _save(store, case_id: str, *, tier=2, probability=0.4, version="7", possible=False, age=34):
    needs = [_need("housing_instability", "eviction notice")]
    if possible:
        needs.append(_need("suicide_risk", "might hurt herself", confidence="possible"))
    result = stored_result(case_id, tier, needs=needs, probability=probability)
    tier_update = {"possible_safety_needs": ["suicide_risk"]} if possible else {}
    result = result.model_copy(
        update={"model_version": version, "tier": result.tier.model_copy(update=tier_update)}
    )
    case = CaseIn(**make_case(case_id, note=NOTE, age=age, audit_attributes=ATTRIBUTES))
    (saved,) = store.save_scores(actor=CASE_SYSTEM, cases=[case], results=[result])
    return saved.score_id


def _caseload(store):
    ids = {}
    ids["rescored"] = _save(store, "rescored", probability=0.2, age=30)
    ids["rescored_again"] = _save(store, "rescored", probability=0.6, age=31)
    ids["other_version"] = _save(store, "other_version", version="6")
    ids["erased"] = _save(store, "erased")
    ids["amended"] = _save(store, "amended", tier=3, possible=True)
    ids["undecided"] = _save(store, "undecided")
    ids["short"] = _save(store, "short")
    for case_id in ("rescored", "erased", "amended", "short", "undecided"):
        backdate(store, case_id, days=120)
    decide(store, ids["rescored_again"])
    decide(store, ids["erased"])
    decide(store, ids["amended"])
    decide(store, ids["amended"], action="override", tier=1, reason="warning signs", amend=True)
    decide(store, ids["short"])
    created = backdate(store, "rescored", days=120)
    record(store, "rescored", crisis=True, crisis_on=(created + timedelta(days=10)).date())
    record(store, "amended", crisis=False)
    record(store, "short", crisis=False, window_days=30)
    store.erase_case(actor=SUPERVISOR, case_id="erased")
    return ids


def _check(store):
    _caseload(store)
    live = read_live_cases(store.read_sessions, model_version="7", chunk_rows=2)
    scores = live.scores.set_index("case_id")
    fields = live.fields.set_index("case_id")
    assert len(scores) == 4  # rescored (once), amended, undecided, short
    assert sorted(scores["probability"]) == [0.4, 0.4, 0.4, 0.6]
    assert fields.loc[scores.index[scores["probability"] == 0.6][0], "age"] == 31
    assert scores["possible_safety"].sum() == 1
    assert set(live.needs["need"]) == {"housing_instability", "suicide_risk"}
    decided = live.decisions.merge(live.scores, on="score_id")
    assert sorted(decided["action"]) == ["confirm", "confirm", "override"]
    assert decided.loc[decided["action"] == "override", "final_tier"].item() == 1
    assert sorted(live.outcomes[LABEL]) == [0, 1]
    assert live.counts["outcomes_cannot_tell_90_days"] == 1
    labelled = live.labelled()
    assert len(labelled) == 2
    assert set(labelled["race_ethnicity"]) == {"Black"}
    assert "note" not in "".join(str(c) for frame in (live.scores, live.fields) for c in frame)
    assert set(live.fields.columns) == {
        "case_id", "age", "household_size", "n_children", "prior_referrals", "prior_crises",
        "income_band", "housing_type", "referral_source", "region",
    }  # fmt: skip
    with store.sessions.begin() as session:
        session.execute(
            update(ScoreRecord)
            .where(ScoreRecord.case_id == "short")
            .values(created_at=datetime.now(UTC) - timedelta(days=60))
        )
    since = read_live_cases(store.read_sessions, model_version="7", since_days=30)
    assert len(since.scores) == 3
    assert len(read_live_cases(store.read_sessions, model_version="5").scores) == 0


def test_read_live_cases_sqlite(store):
    _check(store)


@pytest.mark.postgres
def test_read_live_cases_postgres(pg_store):
    _check(pg_store)
