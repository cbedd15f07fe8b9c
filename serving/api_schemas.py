"""Request and response bodies of the ``/v1`` API.

Requests forbid unknown fields, so a typo is a 422 naming the field instead of a value
silently ignored. Sensitive attributes arrive in ``audit_attributes``, apart from the
case fields, and go to their own table, never to the model.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.schemas import CASE_NUMERIC_FIELDS, CaseFields
from core.scoring import ScoreResult

__all__ = [
    "AuditAttributes",
    "BatchScoreRequest",
    "BatchScoreResponse",
    "CaseIn",
    "DecisionIn",
    "DecisionOut",
    "ErasureOut",
    "ErrorBody",
    "OutcomeIn",
    "OutcomeOut",
    "QueueItem",
    "QueuePage",
    "ReleaseOut",
    "ScoreOut",
    "ScoreWithDecisions",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
MAX_NOTE_CHARS = 20_000
MAX_BATCH_CASES = 100
DEFAULT_OUTCOME_WINDOW_DAYS = 90
MAX_OUTCOME_WINDOW_DAYS = 365
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _whole_floats_as_ints(data: Any, names: tuple[str, ...]) -> Any:
    """JSON Schema counts ``18.0`` as an integer; strict mode would not. Booleans and
    strings stay rejected, unlike pydantic's lax mode, which would read ``false`` as 0."""
    if isinstance(data, dict):
        for name in names:
            value = data.get(name)
            if isinstance(value, float) and value.is_integer():
                data = {**data, name: int(value)}
    return data


class AuditAttributes(BaseModel):
    """Kept apart for fairness audits of the model and of people's decisions."""

    model_config = ConfigDict(extra="forbid", strict=True)

    race_ethnicity: str | None = Field(default=None, max_length=64)
    sex: str | None = Field(default=None, max_length=64)
    age_band: str | None = Field(default=None, max_length=64)
    disability: str | None = Field(default=None, max_length=64)


class CaseIn(CaseFields):
    """One case to score: its id, the intake note and the structured fields."""

    model_config = ConfigDict(extra="forbid", strict=True)

    case_id: str = Field(pattern=ID_PATTERN, description="the case management system's id")
    note: str = Field(min_length=1, max_length=MAX_NOTE_CHARS, description="intake note text")
    previous_worker_id: str | None = Field(default=None, pattern=ID_PATTERN)
    audit_attributes: AuditAttributes | None = None

    @model_validator(mode="before")
    @classmethod
    def _integral_numbers(cls, data: Any) -> Any:
        return _whole_floats_as_ints(data, CASE_NUMERIC_FIELDS)

    @model_validator(mode="after")
    def _note_not_blank(self) -> CaseIn:
        if not self.note.strip():
            raise ValueError("note: the intake note is blank")
        return self

    def model_input(self) -> dict[str, Any]:
        """What the scorer receives: everything but the audit attributes."""
        return self.model_dump(exclude={"audit_attributes"})


class BatchScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    cases: list[CaseIn] = Field(min_length=1, max_length=MAX_BATCH_CASES)

    @model_validator(mode="after")
    def _unique_case_ids(self) -> BatchScoreRequest:
        seen: set[str] = set()
        for case in self.cases:
            if case.case_id in seen:
                raise ValueError(f"cases: case_id {case.case_id!r} appears twice")
            seen.add(case.case_id)
        return self


class ScoreOut(ScoreResult):
    """A suggestion awaiting a supervisor: ``status`` starts as ``pending_review``.

    Needs, risk, tier and workers are the typed :class:`core.scoring.ScoreResult` the model
    made and the service stored.
    """

    score_id: str
    case_id: str
    status: Literal["pending_review", "confirmed", "overridden", "erased"]
    model_version: str
    created_at: datetime


class BatchScoreResponse(BaseModel):
    scores: list[ScoreOut]


class DecisionIn(BaseModel):
    """A supervisor's decision: confirm the suggestion, or override tier and/or worker."""

    model_config = ConfigDict(extra="forbid", strict=True)

    action: Literal["confirm", "override"]
    tier: int | None = Field(
        default=None, ge=1, le=99, description="the tier decided on (one of the policy's tiers)"
    )
    worker_id: str | None = Field(default=None, pattern=ID_PATTERN)
    reason: str | None = Field(default=None, max_length=2000)
    amend: bool = Field(default=False, description="replace an earlier decision, kept beside it")

    @model_validator(mode="before")
    @classmethod
    def _integral_tier(cls, data: Any) -> Any:
        return _whole_floats_as_ints(data, ("tier",))

    @model_validator(mode="after")
    def _consistent(self) -> DecisionIn:
        has_reason = bool(self.reason and self.reason.strip())
        if self.action == "override":
            if self.tier is None and self.worker_id is None:
                raise ValueError("tier: an override changes the tier, the worker or both")
            if not has_reason:
                raise ValueError("reason: an override needs a reason")
        if self.amend and not has_reason:
            raise ValueError("reason: an amendment needs a reason")
        return self


class DecisionOut(BaseModel):
    decision_id: int
    score_id: str
    action: str
    tier: int
    worker_id: str | None
    reason: str | None
    amends_decision_id: int | None
    decided_by_key_id: str
    decided_at: datetime


class ScoreWithDecisions(BaseModel):
    score_id: str
    case_id: str
    status: str
    model_version: str
    created_at: datetime
    erased: bool
    result: ScoreResult | None
    decisions: list[DecisionOut]


class QueueItem(BaseModel):
    score_id: str
    case_id: str
    tier: int
    probability: float
    region: str | None
    needs: list[str]
    suggested_worker_id: str | None
    model_version: str
    created_at: datetime
    waiting_seconds: float


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_offset: int | None


class ReleaseOut(BaseModel):
    version: str
    aliases: list[str]
    audit_verdict: str | None
    audit_policy_hash: str | None
    audit_report_uri: str | None
    signoff: dict[str, str]
    created_at: datetime | None


class OutcomeIn(BaseModel):
    """What followed a case, as the case system tells it: a crisis within the window or not.

    The window starts when the case was first scored here. ``crisis: false`` says no crisis
    came in the whole window, so it can be told only once the window has passed.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    crisis: bool = Field(description="a crisis came within window_days of the case")
    crisis_on: date | None = Field(
        default=None,
        description="the first day of a crisis in the window (YYYY-MM-DD); required when crisis",
    )
    window_days: int = Field(
        default=DEFAULT_OUTCOME_WINDOW_DAYS,
        ge=1,
        le=MAX_OUTCOME_WINDOW_DAYS,
        description="how many days after the case the crisis (or its absence) covers",
    )
    amend: bool = Field(default=False, description="replace a different, earlier outcome")

    @field_validator("crisis_on", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # strict mode takes no string for a date, and lax mode would read 0 as 1970-01-01
        if isinstance(value, str):
            if not _ISO_DATE.match(value):
                raise ValueError("expected a date as YYYY-MM-DD")
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a calendar date") from None
        return value

    @model_validator(mode="before")
    @classmethod
    def _integral_window(cls, data: Any) -> Any:
        return _whole_floats_as_ints(data, ("window_days",))

    @model_validator(mode="after")
    def _date_matches_crisis(self) -> OutcomeIn:
        if self.crisis and self.crisis_on is None:
            raise ValueError("crisis_on: the day of the crisis is required when crisis is true")
        if not self.crisis and self.crisis_on is not None:
            raise ValueError("crisis_on: there is no crisis day when crisis is false")
        return self

    def same_as(self, crisis: bool, crisis_on: date | None, window_days: int) -> bool:
        """Whether this tells exactly the outcome already stored."""
        return (self.crisis, self.crisis_on, self.window_days) == (crisis, crisis_on, window_days)


class OutcomeOut(BaseModel):
    """The stored outcome; ``status`` says what this request did to it."""

    case_id: str
    crisis: bool
    crisis_on: date | None
    window_days: int
    recorded_by_key_id: str
    recorded_at: datetime
    status: Literal["recorded", "unchanged", "amended"]


class ErasureOut(BaseModel):
    case_id: str
    scores_scrubbed: int
    decisions_scrubbed: int


class ErrorBody(BaseModel):
    error: str
    field: str | None = None
    detail: list[Any] | None = None
