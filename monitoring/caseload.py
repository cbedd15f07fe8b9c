"""The live caseload of one model version, as frames: what the monitor reads.

The service's storage builds it (``serving.live_cases``); tests and benchmarks can build
it directly. Sensitive attributes are a frame of their own, joined only for the
per-group figures and the fairness audit, never beside the model's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.schemas import CASE_CATEGORICAL_FIELDS, CASE_NUMERIC_FIELDS

__all__ = ["LABEL", "LiveCaseload"]

LABEL = "crisis_90d"

_COLUMNS = {
    "scores": ("score_id", "case_id", "tier", "probability", "created_at", "possible_safety"),
    "fields": ("case_id", *CASE_NUMERIC_FIELDS, *CASE_CATEGORICAL_FIELDS),
    "needs": ("score_id", "need"),
    "decisions": ("score_id", "action", "final_tier"),
    "outcomes": ("case_id", LABEL),
    "sensitive": ("case_id",),
}


@dataclass(frozen=True, kw_only=True)
class LiveCaseload:
    """One row per case in ``scores`` (its latest score by this version), and beside it:

    Attributes
    ----------
    scores : DataFrame
        ``score_id, case_id, tier, probability, created_at, possible_safety``.
    fields : DataFrame
        ``case_id`` and the structured model inputs.
    needs : DataFrame
        ``score_id, need``: the active needs of each score.
    decisions : DataFrame
        ``score_id, action, final_tier``: the latest decision on each decided score.
    outcomes : DataFrame
        ``case_id, crisis_90d`` (0/1) for cases whose outcome tells the 90-day label.
    sensitive : DataFrame
        ``case_id`` and whichever sensitive attributes are recorded.
    """

    model_version: str
    scores: pd.DataFrame
    fields: pd.DataFrame
    needs: pd.DataFrame
    decisions: pd.DataFrame
    outcomes: pd.DataFrame
    sensitive: pd.DataFrame
    source: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, columns in _COLUMNS.items():
            frame = getattr(self, name)
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ValueError(f"live caseload: {name} lacks column(s) {', '.join(missing)}")

    def labelled(self) -> pd.DataFrame:
        """Decided cases with a 90-day outcome: score, label, tiers and sensitive attributes."""
        frame = self.scores[["score_id", "case_id", "tier", "probability"]].merge(
            self.decisions, on="score_id", how="inner"
        )
        frame = frame.merge(self.outcomes, on="case_id", how="inner")
        return frame.merge(self.sensitive, on="case_id", how="left")
