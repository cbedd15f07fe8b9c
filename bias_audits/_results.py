"""Plain, JSON-ready records of an audit: per-group estimates and per-group disparities."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AttributeSummary", "Disparity", "GroupResult", "MetricEstimate", "clean_float"]


def clean_float(value: float | None) -> float | None:
    """JSON has no NaN or infinity: undefined values become ``None``."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


@dataclass(frozen=True, kw_only=True)
class MetricEstimate:
    """A metric for one group: point value, bootstrap interval and its denominator ``n``."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    sufficient: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": clean_float(self.value),
            "ci": [clean_float(self.ci_low), clean_float(self.ci_high)],
            "n": self.n,
            "sufficient": self.sufficient,
        }


@dataclass(frozen=True, kw_only=True)
class GroupResult:
    """All metrics of one group of one attribute (or intersection)."""

    attribute: str
    group: str
    n: int
    sufficient: bool
    is_reference: bool
    is_intersection: bool
    metrics: dict[str, MetricEstimate]

    @property
    def insufficient_metrics(self) -> list[str]:
        return [name for name, m in self.metrics.items() if not m.sufficient]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "group": self.group,
            "n": self.n,
            "sufficient": self.sufficient,
            "is_reference": self.is_reference,
            "is_intersection": self.is_intersection,
            "insufficient_metrics": self.insufficient_metrics,
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
        }


@dataclass(frozen=True, kw_only=True)
class Disparity:
    """One group's metric against the reference group's, judged against the policy."""

    attribute: str
    group: str
    reference: str
    metric: str
    is_intersection: bool
    group_value: float
    reference_value: float
    difference: float
    difference_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    max_difference: float | None
    max_ratio: float | None
    n_group: int
    n_reference: int
    verdict: str
    reason: str
    criteria: dict[str, str] = field(default_factory=dict)
    gated: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "group": self.group,
            "reference": self.reference,
            "metric": self.metric,
            "is_intersection": self.is_intersection,
            "group_value": clean_float(self.group_value),
            "reference_value": clean_float(self.reference_value),
            "difference": clean_float(self.difference),
            "difference_ci": [clean_float(x) for x in self.difference_ci],
            "ratio": clean_float(self.ratio),
            "ratio_ci": [clean_float(x) for x in self.ratio_ci],
            "tolerance": {"max_difference": self.max_difference, "max_ratio": self.max_ratio},
            "n_group": self.n_group,
            "n_reference": self.n_reference,
            "verdict": self.verdict,
            "gated": self.gated,
            "reason": self.reason,
            "criteria": dict(self.criteria),
        }


@dataclass(frozen=True, kw_only=True)
class AttributeSummary:
    """What was audited for one attribute: reference, rows used and dropped, summaries."""

    attribute: str
    is_intersection: bool
    reference: str
    reference_source: str
    n_rows: int
    n_missing: int
    groups: list[str]
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration: dict[str, list[dict[str, float]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "is_intersection": self.is_intersection,
            "reference": self.reference,
            "reference_source": self.reference_source,
            "n_rows": self.n_rows,
            "n_missing_dropped": self.n_missing,
            "groups": list(self.groups),
            "summaries": {
                name: {k: _clean(v) for k, v in summary.items()}
                for name, summary in self.summaries.items()
            },
            "calibration": self.calibration,
        }


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return clean_float(value)
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value
