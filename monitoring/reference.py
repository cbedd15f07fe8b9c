"""The training reference of a release: what the live caseload is compared against.

Built once per release and logged as ``monitoring/reference.json`` on the model version's
MLflow run. It holds counts, never cases: per structured model input the count of each
value (numbers) or category, per need how many cases had it, and from the held-out cases
scored exactly as the service scores them the risk probabilities, tiers and safety
needs only the safety net saw. Counts (not shares) are kept so that the tests against
the live caseload know how many cases the reference rests on.

Structured fields come from the training split (what the model was fitted on); needs and
scores come from the holdout, because only those were scored through the serving path
(needs extracted with the same extractor, tiers from the same priority policy).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.schemas import CASE_CATEGORICAL_FIELDS, CASE_NUMERIC_FIELDS, NEEDS
from core.scoring import CaseScore
from models._featurize import CATEGORIES

__all__ = [
    "REFERENCE_ARTIFACT",
    "ReferenceMissingError",
    "TrainingReference",
    "build_reference",
    "load_reference",
    "log_reference",
    "quantile_edges",
    "reference_from_counts",
]

REFERENCE_ARTIFACT = "monitoring/reference.json"
SCHEMA_VERSION = 1


class ReferenceMissingError(LookupError):
    """A model version has no monitoring reference (released before monitoring existed)."""


def quantile_edges(values: np.ndarray, weights: np.ndarray | None, n_bins: int) -> list[float]:
    """Inner cut points of ``n_bins`` quantile bins; fewer when values repeat.

    A value ``x`` falls in bin ``searchsorted(edges, x, side="left")``: bins are
    ``(-inf, e0], (e0, e1], ..., (e_last, inf)``.
    """
    values = np.asarray(values, dtype=float)
    if weights is None:
        weights = np.ones_like(values)
    order = np.argsort(values, kind="stable")
    values, weights = values[order], np.asarray(weights, dtype=float)[order]
    cumulative = np.cumsum(weights) / weights.sum()
    cuts = np.arange(1, n_bins) / n_bins
    picked = values[np.minimum(np.searchsorted(cumulative, cuts, side="left"), len(values) - 1)]
    edges = np.unique(picked)
    return [float(e) for e in edges if e < values[-1]]


@dataclass(frozen=True, kw_only=True)
class TrainingReference:
    """The reference counts of one release (see the module docstring).

    Attributes
    ----------
    numeric : dict
        Field -> ``{"values": [...], "counts": [...], "edges": [...]}``.
    categorical : dict
        Field -> ``{category: count}`` over every allowed category.
    needs : dict
        ``{"n": cases, "counts": {need: cases with it}}`` on the holdout.
    scores : dict
        ``{"n", "probabilities" (sorted), "edges", "tiers": {tier: count},
        "possible_safety": count}`` on the holdout.
    """

    model_version: str | None
    numeric: dict[str, dict[str, list[float]]]
    categorical: dict[str, dict[str, int]]
    needs: dict[str, Any]
    scores: dict[str, Any]
    n_training_cases: int
    n_holdout_cases: int
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    source: str = ""
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "model_version": self.model_version,
            "created_at": self.created_at,
            "source": self.source,
            "n_training_cases": self.n_training_cases,
            "n_holdout_cases": self.n_holdout_cases,
            "numeric": self.numeric,
            "categorical": self.categorical,
            "needs": self.needs,
            "scores": self.scores,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingReference:
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"monitoring reference: schema_version {data.get('schema_version')!r} is not "
                f"{SCHEMA_VERSION}; rebuild it with the release gate"
            )
        missing = [k for k in ("numeric", "categorical", "needs", "scores") if k not in data]
        if missing:
            raise ValueError(f"monitoring reference: missing key(s) {', '.join(missing)}")
        return cls(
            model_version=data.get("model_version"),
            numeric=data["numeric"],
            categorical=data["categorical"],
            needs=data["needs"],
            scores={
                **data["scores"],
                "tiers": {int(k): v for k, v in data["scores"]["tiers"].items()},
            },
            n_training_cases=int(data["n_training_cases"]),
            n_holdout_cases=int(data["n_holdout_cases"]),
            created_at=str(data.get("created_at", "")),
            source=str(data.get("source", "")),
        )

    def numeric_sample(self, name: str) -> np.ndarray:
        """The training values of a numeric field, rebuilt from its counts (sorted)."""
        spec = self.numeric[name]
        return np.repeat(np.asarray(spec["values"], dtype=float), np.asarray(spec["counts"]))


def _numeric_counts(values: pd.Series, n_bins: int) -> dict[str, list[float]]:
    counted = pd.to_numeric(values, errors="raise").value_counts().sort_index()
    numbers = counted.index.to_numpy(dtype=float)
    counts = counted.to_numpy(dtype=np.int64)
    return {
        "values": [float(v) for v in numbers],
        "counts": [int(c) for c in counts],
        "edges": quantile_edges(numbers, counts, n_bins),
    }


def build_reference(
    train: pd.DataFrame,
    holdout_scores: Sequence[CaseScore],
    *,
    model_version: str | None,
    numeric_bins: int = 10,
    score_bins: int = 10,
    source: str = "",
) -> TrainingReference:
    """Count the training split's structured fields and the holdout's needs and scores.

    Parameters
    ----------
    train : DataFrame
        The training cases (``MODEL_INPUT_FIELDS`` columns; any others are ignored, so
        sensitive attributes never enter the reference).
    holdout_scores : sequence of CaseScore
        The held-out cases as the release gate scored them.
    """
    need_counts = dict.fromkeys(NEEDS, 0)
    for score in holdout_scores:
        for need in score.active_needs():
            need_counts[need] += 1
    return reference_from_counts(
        train,
        need_counts=need_counts,
        probabilities=np.array([float(s.risk.probability) for s in holdout_scores]),
        tiers=np.array([s.tier.tier for s in holdout_scores], dtype=int),
        possible_safety=sum(bool(s.tier.possible_safety_needs) for s in holdout_scores),
        model_version=model_version,
        numeric_bins=numeric_bins,
        score_bins=score_bins,
        source=source,
    )


def reference_from_counts(
    train: pd.DataFrame,
    *,
    need_counts: dict[str, int],
    probabilities: np.ndarray,
    tiers: np.ndarray,
    possible_safety: int,
    model_version: str | None,
    numeric_bins: int = 10,
    score_bins: int = 10,
    source: str = "",
) -> TrainingReference:
    """:func:`build_reference` from the holdout's counts and arrays (one entry per case)."""
    if train.empty or len(probabilities) == 0:
        raise ValueError("monitoring reference: needs training cases and scored holdout cases")
    missing = [c for c in (*CASE_NUMERIC_FIELDS, *CASE_CATEGORICAL_FIELDS) if c not in train]
    if missing:
        raise ValueError(f"monitoring reference: the training cases lack {', '.join(missing)}")
    numeric = {name: _numeric_counts(train[name], numeric_bins) for name in CASE_NUMERIC_FIELDS}
    categorical = {}
    for name in CASE_CATEGORICAL_FIELDS:
        counted = train[name].astype(str).value_counts()
        categorical[name] = {c: int(counted.get(c, 0)) for c in CATEGORIES[name]}
    probabilities = np.sort(np.asarray(probabilities, dtype=float))
    tier_values, tier_counts = np.unique(np.asarray(tiers, dtype=int), return_counts=True)
    return TrainingReference(
        model_version=None if model_version is None else str(model_version),
        numeric=numeric,
        categorical=categorical,
        needs={
            "n": len(probabilities),
            "counts": {need: int(need_counts.get(need, 0)) for need in NEEDS},
        },
        scores={
            "n": len(probabilities),
            "probabilities": [round(float(p), 6) for p in probabilities],
            "edges": quantile_edges(probabilities, None, score_bins),
            "tiers": {int(t): int(c) for t, c in zip(tier_values, tier_counts, strict=True)},
            "possible_safety": int(possible_safety),
        },
        n_training_cases=len(train),
        n_holdout_cases=len(probabilities),
        source=source,
    )


def log_reference(run_id: str, reference: TrainingReference) -> str:
    """Log the reference on a training run; returns its ``runs:/`` URI."""
    from models import registry

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(REFERENCE_ARTIFACT).name
        path.write_text(json.dumps(reference.to_dict(), indent=1), encoding="utf-8")
        registry.store_client().log_artifact(
            run_id, str(path), artifact_path=str(Path(REFERENCE_ARTIFACT).parent)
        )
    return f"runs:/{run_id}/{REFERENCE_ARTIFACT}"


def load_reference(version: str | int) -> TrainingReference:
    """The reference logged with a registered model version.

    Raises
    ------
    LookupError
        No such version (from ``models.registry.resolve_version``).
    ReferenceMissingError
        The version's run has no reference.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    from core.settings import get_settings
    from models import registry

    version = registry.resolve_version(version)
    client = registry.store_client()
    run_id = client.get_model_version(get_settings().model_name, version).run_id
    registry.use_configured_store()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            local = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=REFERENCE_ARTIFACT, dst_path=tmp
            )
            data = json.loads(Path(local).read_text(encoding="utf-8"))
        except (MlflowException, OSError, json.JSONDecodeError):
            raise ReferenceMissingError(
                f"model version {version} has no monitoring reference "
                f"(runs:/{run_id}/{REFERENCE_ARTIFACT}); run the release gate on it again "
                "(casetriage release DATA_DIR --version "
                f"{version}) to record one"
            ) from None
    reference = TrainingReference.from_dict(data)
    if reference.model_version is None:
        reference = TrainingReference.from_dict(data | {"model_version": version})
    return reference
