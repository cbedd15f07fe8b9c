"""The release policy: which disparities are gated, how far they may go, how sure we must be."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["AuditPolicy", "PolicyError", "Tolerance", "default_policy_path"]


def default_policy_path() -> Path:
    """The shipped ``core/config/release_policy.yaml``."""
    from core.config import config_file

    return config_file("release_policy.yaml")


class PolicyError(ValueError):
    """The policy file is missing, unreadable or inconsistent."""


@dataclass(frozen=True, kw_only=True)
class Tolerance:
    """How far a group's metric may lie from the reference group's.

    Parameters
    ----------
    max_difference : float or None
        Largest allowed absolute difference ``group - reference``.
    max_ratio : float or None
        Largest allowed ratio ``group / reference`` or its inverse (so ``1.25`` allows
        ``0.8`` to ``1.25``).
    min_denominator : int or None
        Overrides the policy's minimum denominator for this metric (e.g. the calibration
        error, whose small-sample estimate is biased upward, needs more cases per group).
    """

    max_difference: float | None = None
    max_ratio: float | None = None
    min_denominator: int | None = None

    def to_dict(self) -> dict[str, float | None]:
        return {
            "max_difference": self.max_difference,
            "max_ratio": self.max_ratio,
            "min_denominator": self.min_denominator,
        }


@dataclass(frozen=True, kw_only=True)
class AttributeGate:
    """The metrics gated for one attribute, and why they differ from the default."""

    metrics: tuple[str, ...]
    why: str


@dataclass(frozen=True, kw_only=True)
class AuditPolicy:
    """A versioned fairness policy; its SHA-256 identifies it in every report.

    Build it with :meth:`load` (from ``core/config/release_policy.yaml``) or
    :meth:`from_mapping`; the hash is of the file bytes, or of the canonical YAML
    dump when built from a mapping.
    """

    name: str
    version: int
    ci_level: float
    n_resamples: int
    seed: int
    min_denominator: int
    calibration_bins: int
    gated_metrics: Mapping[str, Tolerance]
    reference_groups: Mapping[str, str] = field(default_factory=dict)
    intersections: tuple[tuple[str, ...], ...] = ()
    insufficient_forces_review_attributes: bool = True
    insufficient_forces_review_intersections: bool = False
    intersection_reviews_hold: bool = True
    decision_min_denominator: int = 30
    decision_gated_metrics: Mapping[str, Tolerance] = field(default_factory=dict)
    attribute_gates: Mapping[str, AttributeGate] = field(default_factory=dict)
    reported_metrics: Mapping[str, Tolerance] = field(default_factory=dict)
    sha256: str = ""
    source: str = ""

    def gated_for(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        """Metrics gated for an attribute (or intersection of ``columns``).

        An attribute listed under ``attribute_gates`` is gated only on its own metrics; an
        intersection is gated on what every one of its columns is gated on.
        """
        names = tuple(self.gated_metrics)
        for column in columns:
            gate = self.attribute_gates.get(column)
            if gate is not None:
                names = tuple(n for n in names if n in gate.metrics)
        return names

    @classmethod
    def load(cls, path: str | Path | None = None) -> AuditPolicy:
        """Read a policy file (default: the shipped ``core/config/release_policy.yaml``)."""
        path = Path(path) if path is not None else default_policy_path()
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise PolicyError(f"cannot read policy file {path}: {error.strerror}") from None
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as error:
            raise PolicyError(f"policy file {path} is not valid YAML: {error}") from None
        if not isinstance(data, Mapping):
            raise PolicyError(f"policy file {path} must hold a mapping at the top level")
        return cls.from_mapping(data, sha256=hashlib.sha256(raw).hexdigest(), source=str(path))

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, sha256: str | None = None, source: str = "<mapping>"
    ) -> AuditPolicy:
        """Validate a parsed policy; every error names the offending key."""
        if sha256 is None:
            canonical = yaml.safe_dump(dict(data), sort_keys=True).encode()
            sha256 = hashlib.sha256(canonical).hexdigest()
        ci_level = _number(data, "ci_level", 0.95)
        if not 0.5 <= ci_level < 1:
            raise PolicyError(f"policy key 'ci_level' must lie in [0.5, 1), got {ci_level}")
        n_resamples = int(_number(data, "n_resamples", 1000))
        if n_resamples < 50:
            raise PolicyError(f"policy key 'n_resamples' must be at least 50, got {n_resamples}")
        gated = _tolerances(data.get("gated_metrics"), "gated_metrics", required=True)
        decisions = data.get("decisions") or {}
        if not isinstance(decisions, Mapping):
            raise PolicyError("policy key 'decisions' must be a mapping")
        insufficient = data.get("insufficient_forces_review") or {}
        if not isinstance(insufficient, Mapping):
            raise PolicyError("policy key 'insufficient_forces_review' must be a mapping")
        references = data.get("reference_groups") or {}
        if not isinstance(references, Mapping):
            raise PolicyError("policy key 'reference_groups' must map attribute -> group")
        intersections = data.get("intersections") or []
        if not isinstance(intersections, list) or not all(
            isinstance(item, list) and len(item) >= 2 for item in intersections
        ):
            raise PolicyError("policy key 'intersections' must be a list of column lists")
        return cls(
            name=str(data.get("name", "unnamed-policy")),
            version=int(_number(data, "version", 1)),
            ci_level=ci_level,
            n_resamples=n_resamples,
            seed=int(_number(data, "seed", 0)),
            min_denominator=int(_number(data, "min_denominator", 30)),
            calibration_bins=int(_number(data, "calibration_bins", 10)),
            gated_metrics=gated,
            reference_groups={str(k): str(v) for k, v in references.items()},
            intersections=tuple(tuple(str(c) for c in item) for item in intersections),
            insufficient_forces_review_attributes=bool(insufficient.get("attributes", True)),
            insufficient_forces_review_intersections=bool(insufficient.get("intersections", False)),
            intersection_reviews_hold=bool(data.get("intersection_reviews_hold", True)),
            decision_min_denominator=int(
                _number(decisions, "min_denominator", _number(data, "min_denominator", 30))
            ),
            decision_gated_metrics=_tolerances(
                decisions.get("gated_metrics"), "decisions.gated_metrics", required=False
            ),
            attribute_gates=_attribute_gates(data.get("attribute_gates"), gated),
            reported_metrics=_tolerances(
                data.get("reported_metrics"), "reported_metrics", required=False
            ),
            sha256=sha256,
            source=source,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary, as written into reports."""
        return {
            "name": self.name,
            "version": self.version,
            "sha256": self.sha256,
            "source": self.source,
            "ci_level": self.ci_level,
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "min_denominator": self.min_denominator,
            "calibration_bins": self.calibration_bins,
            "gated_metrics": {k: v.to_dict() for k, v in self.gated_metrics.items()},
            "reference_groups": dict(self.reference_groups),
            "intersections": [list(item) for item in self.intersections],
            "insufficient_forces_review": {
                "attributes": self.insufficient_forces_review_attributes,
                "intersections": self.insufficient_forces_review_intersections,
            },
            "intersection_reviews_hold": self.intersection_reviews_hold,
            "decisions": {
                "min_denominator": self.decision_min_denominator,
                "gated_metrics": {k: v.to_dict() for k, v in self.decision_gated_metrics.items()},
            },
            "reported_metrics": {k: v.to_dict() for k, v in self.reported_metrics.items()},
            "attribute_gates": {
                k: {"metrics": list(v.metrics), "why": v.why}
                for k, v in self.attribute_gates.items()
            },
        }


def _number(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise PolicyError(f"policy key '{key}' must be a number, got {value!r}")
    return float(value)


def _tolerances(raw: Any, key: str, *, required: bool) -> dict[str, Tolerance]:
    if raw is None and not required:
        return {}
    if not isinstance(raw, Mapping) or not raw:
        raise PolicyError(f"policy key '{key}' must map metric names to tolerances")
    tolerances = {}
    for metric, spec in raw.items():
        if not isinstance(spec, Mapping) or not spec.keys() & {"max_difference", "max_ratio"}:
            raise PolicyError(f"policy key '{key}.{metric}' needs max_difference and/or max_ratio")
        unknown = set(spec) - {"max_difference", "max_ratio", "min_denominator"}
        if unknown:
            raise PolicyError(f"policy key '{key}.{metric}' has unknown keys {sorted(unknown)}")
        difference = spec.get("max_difference")
        ratio = spec.get("max_ratio")
        if difference is not None and not (isinstance(difference, int | float) and difference >= 0):
            raise PolicyError(f"policy key '{key}.{metric}.max_difference' must be >= 0")
        if ratio is not None and not (isinstance(ratio, int | float) and ratio >= 1):
            raise PolicyError(f"policy key '{key}.{metric}.max_ratio' must be >= 1")
        minimum = spec.get("min_denominator")
        if minimum is not None and not (isinstance(minimum, int) and minimum >= 1):
            raise PolicyError(f"policy key '{key}.{metric}.min_denominator' must be an int >= 1")
        tolerances[str(metric)] = Tolerance(
            max_difference=None if difference is None else float(difference),
            max_ratio=None if ratio is None else float(ratio),
            min_denominator=minimum,
        )
    return tolerances


def _attribute_gates(raw: Any, gated: Mapping[str, Tolerance]) -> dict[str, AttributeGate]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PolicyError("policy key 'attribute_gates' must map attribute -> {metrics, why}")
    gates = {}
    for attribute, spec in raw.items():
        key = f"attribute_gates.{attribute}"
        if not isinstance(spec, Mapping) or set(spec) != {"metrics", "why"}:
            raise PolicyError(f"policy key '{key}' needs exactly 'metrics' and 'why'")
        metrics = spec["metrics"]
        if not isinstance(metrics, list) or not set(metrics) <= set(gated):
            raise PolicyError(f"policy key '{key}.metrics' must list metrics of gated_metrics")
        why = spec["why"]
        if not isinstance(why, str) or len(why.strip()) < 20:
            raise PolicyError(f"policy key '{key}.why' must explain the exception in words")
        gates[str(attribute)] = AttributeGate(metrics=tuple(metrics), why=" ".join(why.split()))
    return gates
