"""A live caseload in a service database, for the monitoring tests, benchmark and the
false-alarm script: synthetic cases scored by a real model and stored through the store,
then decided and given outcomes in bulk (as months of supervisors and case systems would).

Decisions and outcomes go in as rows (Core ``INSERT``), not through the API: they are
not what is measured, and a million API calls would take hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, insert, update

from core.schemas import MODEL_INPUT_FIELDS, SENSITIVE_ATTRIBUTES
from serving.api_schemas import CaseIn
from serving.audit_log import Actor
from serving.tables import Case, Decision, Outcome, ScoreRecord

__all__ = ["CASE_SYSTEM", "decide_and_tell_outcomes", "store_scored_caseload"]

CASE_SYSTEM = Actor(key_id="bench-case-system", role="case_system")
_BATCH = 500


def store_scored_caseload(store, cases: pd.DataFrame, model, *, batch: int = _BATCH) -> None:
    """Score ``cases`` (a synthetic caseload's rows) with ``model`` and save them through
    ``store.save_scores`` in batches, with their sensitive attributes kept apart."""
    for start in range(0, len(cases), batch):
        part = cases.iloc[start : start + batch]
        inputs = []
        for row in part.to_dict(orient="records"):
            inputs.append(
                CaseIn(
                    case_id=str(row["case_id"]),
                    note=str(row["note"]),
                    **{name: row[name] for name in MODEL_INPUT_FIELDS},
                    preferred_language=str(row["preferred_language"]),
                    audit_attributes={name: str(row[name]) for name in SENSITIVE_ATTRIBUTES},
                )
            )
        results = model.score([case.model_input() for case in inputs])
        store.save_scores(actor=CASE_SYSTEM, cases=inputs, results=results)


def decide_and_tell_outcomes(
    sessions,
    labels: pd.Series,
    *,
    override_share: float = 0.1,
    seed: int = 0,
    days_ago: int = 120,
) -> None:
    """Decide every pending score (``override_share`` of them overridden one tier up) and
    record each case's 90-day outcome from ``labels`` (case_id -> 0/1), the cases moved
    ``days_ago`` back so their outcome windows have closed."""
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    created = now - timedelta(days=days_ago)
    with sessions.begin() as session:
        pending = session.execute(
            ScoreRecord.__table__.select()
            .with_only_columns(ScoreRecord.score_id, ScoreRecord.case_id, ScoreRecord.tier)
            .where(ScoreRecord.status == "pending_review")
        ).all()
        override = rng.random(len(pending)) < override_share
        decisions = [
            {
                "score_id": score_id,
                "action": "override" if flip else "confirm",
                "tier": max(1, tier - 1) if flip else tier,
                "worker_id": None,
                "reason": "bench: a supervisor's judgement" if flip else None,
                "decided_by_key_id": "bench-supervisor",
                "decided_at": now,
            }
            for (score_id, _, tier), flip in zip(pending, override, strict=True)
        ]
        if decisions:
            session.execute(insert(Decision.__table__), decisions)
        table = ScoreRecord.__table__
        overridden = [{"sid": d["score_id"]} for d in decisions if d["action"] == "override"]
        if overridden:
            session.execute(
                update(table)
                .where(table.c.score_id == bindparam("sid"))
                .values(status="overridden"),
                overridden,
            )
        session.execute(
            update(table).where(table.c.status == "pending_review").values(status="confirmed")
        )
        session.execute(update(Case.__table__).values(created_at=created))
        outcomes = [
            {
                "case_id": str(case_id),
                "crisis": bool(label),
                "crisis_on": (created + timedelta(days=30)).date() if label else None,
                "window_days": 90,
                "recorded_by_key_id": CASE_SYSTEM.key_id,
                "recorded_at": now,
            }
            for case_id, label in labels.items()
        ]
        if outcomes:
            session.execute(insert(Outcome.__table__), outcomes)
