"""The result of scoring one case, typed once and used from ``models`` to the API.

``models.TriageModel.score`` returns :class:`CaseScore`; the service stores its
:class:`ScoreResult` part with the score (so pages show the evidence that was scored, not a
re-extraction), the API returns it inside ``ScoreOut`` and the pages read it back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.schemas import Experiencer, ExtractedNeed, NeedSource, Status, is_active

__all__ = [
    "CaseScore",
    "EvidenceSpan",
    "Mention",
    "Reason",
    "Risk",
    "ScoreResult",
    "ScoredNeed",
    "TierSuggestion",
    "WorkerSuggestion",
]


class _Result(BaseModel):
    """Results are built by our own code: unknown keys are an error, not passed through."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Mention(_Result):
    """One mention of a need that counted towards it (a need may be said several times)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    evidence: str
    status: Status
    experiencer: Experiencer
    source: NeedSource = "lexicon"


class ScoredNeed(ExtractedNeed):
    """A need of the case (see :class:`core.schemas.ExtractedNeed`), with every mention of
    it that counted when the score was made; ``mentions`` is empty in ``extract`` output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mentions: list[Mention] = Field(default_factory=list)


class EvidenceSpan(_Result):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Reason(_Result):
    """One factor behind the risk, in words, with the note's evidence for a need factor."""

    factor: str = Field(description="a model feature, e.g. 'need:housing_instability'")
    direction: Literal["raises", "lowers"]
    text: str
    weight: float | None = None
    evidence: EvidenceSpan | None = None


class Risk(_Result):
    probability: float = Field(ge=0, le=1, description="calibrated risk of a crisis")
    reasons: list[Reason] = []


class TierSuggestion(_Result):
    """The suggested priority tier and the rule of the priority policy that gave it."""

    tier: int = Field(ge=1)
    label: str
    rule: str
    safety_needs: list[str] = Field(
        default=[], description="the client's safety needs that forced the safety tier"
    )
    possible_safety_needs: list[str] = Field(
        default=[], description="those of them only the safety net saw: check them first"
    )
    policy_sha256: str | None = None


class WorkerSuggestion(_Result):
    worker_id: str
    name: str
    score: float
    reasons: list[str] = []


class ScoreResult(_Result):
    """What a score says about a case: needs, risk, tier and caseworker suggestions."""

    needs: list[ScoredNeed]
    risk: Risk
    tier: TierSuggestion
    workers: list[WorkerSuggestion] = []

    def active_needs(self) -> list[str]:
        """Names of the needs present now for the client, sorted."""
        return sorted({need.need for need in self.needs if is_active(need)})

    @property
    def suggested_worker_id(self) -> str | None:
        return self.workers[0].worker_id if self.workers else None


class CaseScore(ScoreResult):
    """A :class:`ScoreResult` with the case it is about and the model version that made it."""

    case_id: str
    model_version: str

    def result(self) -> ScoreResult:
        """The part stored with the score (the case id and version are columns)."""
        return ScoreResult(needs=self.needs, risk=self.risk, tier=self.tier, workers=self.workers)
