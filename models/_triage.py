"""The scoring object the service and ``casetriage score`` use: needs, risk, tier, workers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pydantic import ValidationError
from sklearn.pipeline import Pipeline

from core.schemas import CaseFields
from core.scoring import CaseScore
from models._assignment import CaseworkerMatcher
from models._config import ModelConfig, load_model_config
from models._needs import extract_needs
from models._priority import PriorityPolicy
from models._reasons import contributions_from_features, reasons_for_cases

__all__ = ["CaseInputError", "TriageModel"]

_CASE_FIELDS = tuple(CaseFields.model_fields)


class CaseInputError(ValueError):
    """A case to score is malformed; the message names the case and the field."""


def _validate(cases: Sequence[dict]) -> list[dict]:
    clean = []
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            raise CaseInputError(f"case {i}: expected an object with case fields")
        label = f"case {i} ({case.get('case_id', 'no case_id')})"
        if case.get("case_id") in (None, ""):
            raise CaseInputError(f"case {i}: case_id is required")
        note = case.get("note")
        if not isinstance(note, str):
            raise CaseInputError(f"{label}: note must be a string")
        fields = {k: case[k] for k in _CASE_FIELDS if k in case and case[k] is not None}
        try:
            parsed = CaseFields.model_validate(fields)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "fields"
            raise CaseInputError(f"{label}: {where}: {first['msg']}") from None
        previous = case.get("previous_worker_id")
        previous = "" if previous is None or previous != previous else str(previous)
        clean.append(
            {"case_id": str(case["case_id"]), "note": note, "previous_worker_id": previous}
            | parsed.model_dump()
        )
    return clean


class TriageModel:
    """Scores a batch of cases: needs, calibrated risk with reasons, tier, caseworkers.

    Needs are extracted once per case and reused for the model's features, the reasons'
    evidence, the safety override and the output; everything else is vectorised over the
    batch.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted risk pipeline (``features`` then calibrated ``model``).
    version : str
        The registered model version the pipeline came from.
    policy : PriorityPolicy
    roster : DataFrame or None
        Caseworkers; without one no workers are suggested.
    config : ModelConfig or None
        Reasons and assignment settings (default ``core/config/model.yaml``).
    """

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        version: str,
        policy: PriorityPolicy,
        roster: pd.DataFrame | None = None,
        config: ModelConfig | None = None,
    ):
        self.pipeline = pipeline
        self.version = str(version)
        self.policy = policy
        self.config = config or load_model_config()
        self.matcher = (
            CaseworkerMatcher(roster=roster, config=self.config.assignment)
            if roster is not None
            else None
        )

    @classmethod
    def load(
        cls,
        alias: str = "champion",
        *,
        roster: pd.DataFrame | None = None,
        policy: PriorityPolicy | None = None,
        config: ModelConfig | None = None,
        require_approval: bool = True,
    ) -> TriageModel:
        """Load a registered version by alias or number; refuses unapproved versions.

        ``require_approval=False`` exists only for scoring an unreleased ``candidate``
        offline (``casetriage score --model candidate``), never for the service.
        """
        from models import registry

        version = registry.resolve_version(alias)
        if require_approval:
            registry.require_approved(version)
        pipeline, version = registry.load_pipeline(version)
        return cls(
            pipeline=pipeline,
            version=version,
            policy=policy or PriorityPolicy.load(),
            roster=roster,
            config=config,
        )

    def score(self, cases: Sequence[dict]) -> list[CaseScore]:
        """Score cases; each a dict of ``case_id``, ``note``, the case fields and optionally
        ``previous_worker_id``.

        Returns
        -------
        list of core.scoring.CaseScore
            In the order of ``cases``.

        Raises
        ------
        CaseInputError
            Naming the case and the field.
        """
        clean = _validate(cases)
        if not clean:
            return []
        needs = extract_needs([c["note"] for c in clean])
        frame = pd.DataFrame(clean)
        frame["needs"] = needs
        features = self.pipeline.named_steps["features"].transform(frame)
        probability = self.pipeline.named_steps["model"].predict_proba(features)[:, 1]
        factors, contributions = contributions_from_features(self.pipeline, features)
        reasons = reasons_for_cases(
            clean,
            needs,
            factors,
            contributions,
            top_k=self.config.reasons.top_k,
            min_abs_weight=self.config.reasons.min_abs_weight,
        )
        tiers = self.policy.decide(probability, needs)
        workers = (
            self.matcher.suggest(clean, needs) if self.matcher is not None else [[] for _ in clean]
        )
        return [
            CaseScore.model_validate(
                {
                    "case_id": case["case_id"],
                    "needs": needs[i],
                    "risk": {
                        "probability": round(float(probability[i]), 6),
                        "reasons": reasons[i],
                    },
                    "tier": tiers[i].as_dict() | {"policy_sha256": self.policy.sha256},
                    "workers": workers[i],
                    "model_version": self.version,
                }
            )
            for i, case in enumerate(clean)
        ]

    def predict_probability(self, frame: pd.DataFrame) -> np.ndarray:
        """Probabilities for a frame that already has a ``needs`` column."""
        return self.pipeline.predict_proba(frame)[:, 1]
