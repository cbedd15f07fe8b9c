"""A stored decision as the API returns it."""

from __future__ import annotations

from serving.api_schemas import DecisionOut
from serving.case_store import utc
from serving.tables import Decision

__all__ = ["decision_out"]


def decision_out(row: Decision) -> DecisionOut:
    return DecisionOut(
        decision_id=row.decision_id,
        score_id=row.score_id,
        action=row.action,
        tier=row.tier,
        worker_id=row.worker_id,
        reason=row.reason,
        amends_decision_id=row.amends_decision_id,
        decided_by_key_id=row.decided_by_key_id,
        decided_at=utc(row.decided_at),
    )
