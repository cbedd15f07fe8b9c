"""Cases put straight into a store, with what a scorer returns, for tests that need many
decided cases and outcomes but no model: saving, deciding, backdating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from core.scoring import CaseScore
from serving.api_schemas import CaseIn, DecisionIn, OutcomeIn
from serving.audit_log import Actor
from serving.tables import Case

from .conftest import make_case

__all__ = [
    "CASE_SYSTEM",
    "SUPERVISOR",
    "backdate",
    "decide",
    "need",
    "record",
    "save",
    "stored_result",
]

CASE_SYSTEM = Actor(key_id="system", role="case_system")
SUPERVISOR = Actor(key_id="supervisor", role="supervisor")


def need(name: str, note: str, phrase: str, **changes) -> dict:
    """An extracted need whose evidence is ``phrase`` in ``note``, as the extractor gives it."""
    start = note.index(phrase)
    reading = {"status": "present", "experiencer": "client"} | {
        key: changes[key] for key in ("status", "experiencer") if key in changes
    }
    return {
        "need": name,
        **reading,
        "start": start,
        "end": start + len(phrase),
        "evidence": phrase,
        "code": None,
        "safety": False,
        "confidence": "confident",
        "source": "lexicon",
        "basis": f"the phrase '{phrase}'",
        "mentions": [{"start": start, "end": start + len(phrase), "evidence": phrase, **reading}],
    } | changes


def stored_result(
    case_id: str, tier: int, *, needs: list[dict] | None = None, probability: float = 0.5
) -> CaseScore:
    """What the scorer returns for a case (only the parts storage reads)."""
    return CaseScore.model_validate(
        {
            "case_id": case_id,
            "model_version": "7",
            "needs": needs or [],
            "risk": {"probability": probability, "reasons": []},
            "tier": {"tier": tier, "label": f"tier {tier}", "rule": "test"},
            "workers": [{"worker_id": "W001", "name": "Ann Example", "score": 1.0, "reasons": []}],
        }
    )


def save(store, case_id: str, tier: int = 2, *, needs=None, attributes=None, **fields) -> str:
    """Store one scored case; returns its score id."""
    case = CaseIn(**make_case(case_id, audit_attributes=attributes, **fields))
    (saved,) = store.save_scores(
        actor=CASE_SYSTEM, cases=[case], results=[stored_result(case_id, tier, needs=needs)]
    )
    return saved.score_id


def decide(store, score_id: str, **decision) -> None:
    store.decide(
        actor=SUPERVISOR,
        score_id=score_id,
        decision=DecisionIn(**(decision or {"action": "confirm"})),
        known_worker_ids=None,
    )


def record(store, case_id: str, **outcome):
    return store.record_outcome(actor=CASE_SYSTEM, case_id=case_id, outcome=OutcomeIn(**outcome))


def backdate(store, case_id: str, *, days: float = 0, at: datetime | None = None) -> datetime:
    """Move the case's creation back (its outcome window then has passed); returns it."""
    created = at or datetime.now(UTC) - timedelta(days=days)
    with store.sessions.begin() as session:
        session.execute(update(Case).where(Case.case_id == case_id).values(created_at=created))
    return created
