"""Audit of the people's decisions: do supervisors override, raise or lower priority more
often for some groups than others?

The model is not the only source of bias in triage. Every suggestion waits for a
supervisor; this audit applies the same intervals and verdict rules to their decisions.
Tier 1 is the most urgent, so ``up`` means the final tier number is smaller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bias_audits._audit import _attribute_columns, _overall_verdict, _seed
from bias_audits._bootstrap import CountMetric, ratio_of_sums, resample_counts
from bias_audits._groupwise import GroupMetricSamples, choose_reference, judge_groups
from bias_audits._inputs import AuditInputError, coerce_binary
from bias_audits._metrics import cell_counts
from bias_audits._policy import AuditPolicy, PolicyError
from bias_audits._render import render, write_json
from bias_audits._results import AttributeSummary, Disparity, GroupResult
from bias_audits._summary import METRIC_LABELS, summary_sentences

__all__ = [
    "DECISION_COLUMNS",
    "DECISION_METRICS",
    "DecisionAuditResult",
    "audit_decisions",
    "write_decision_reports",
]

DECISION_COLUMNS = ("suggested_tier", "final_tier", "overridden", "override_direction")
DIRECTIONS = ("kept", "none", "up", "down")  # "kept": not overridden at all
DECISION_METRICS = ("override_rate", "upgrade_rate", "downgrade_rate")


def _line(position: int) -> int:
    return position + 2


@dataclass(frozen=True, kw_only=True)
class DecisionAuditResult:
    """The audit of supervisors' decisions; ``to_dict()`` is what ``report.json`` holds."""

    verdict: str
    verdict_reasons: list[str]
    groups: list[GroupResult]
    disparities: list[Disparity]
    attributes: list[AttributeSummary]
    tiers: list[int]
    policy: AuditPolicy
    provenance: dict[str, Any]
    overall: dict[str, float] = field(default_factory=dict)

    @property
    def insufficient_groups(self) -> list[GroupResult]:
        return [g for g in self.groups if not g.sufficient]

    def summary(self) -> list[str]:
        return summary_sentences(
            self, subject="supervisors", min_denominator=self.policy.decision_min_denominator
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "decisions",
            "verdict": self.verdict,
            "verdict_reasons": list(self.verdict_reasons),
            "summary": self.summary(),
            "tiers": list(self.tiers),
            "metrics": [*DECISION_METRICS, *(f"final_tier_{t}_share" for t in self.tiers)],
            "overall": dict(self.overall),
            "policy": self.policy.to_dict(),
            "provenance": dict(self.provenance),
            "attributes": [a.to_dict() for a in self.attributes],
            "groups": [g.to_dict() for g in self.groups],
            "disparities": [d.to_dict() for d in self.disparities],
            "insufficient_groups": [
                {
                    "attribute": g.attribute,
                    "group": g.group,
                    "n": g.n,
                    "metrics": g.insufficient_metrics,
                }
                for g in self.insufficient_groups
            ],
        }


def _tiers(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values != values.round()) | (values < 0)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise AuditInputError(
            f"column '{column}' must hold whole tier numbers; line {_line(position)} has "
            f"{frame[column].iloc[position]!r}"
        )
    return values.to_numpy(dtype=np.int64)


def _directions(frame: pd.DataFrame, overridden: np.ndarray) -> np.ndarray:
    text = frame["override_direction"].astype("string").str.strip().str.lower()
    text = text.fillna("none")
    bad = ~text.isin(["up", "down", "none"])
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise AuditInputError(
            "column 'override_direction' must be up, down or none; line "
            f"{_line(position)} has {frame['override_direction'].iloc[position]!r}"
        )
    code = text.map({"none": 1, "up": 2, "down": 3}).to_numpy(dtype=np.int64)
    changed = code >= 2
    if (changed & ~overridden).any():
        position = int(np.flatnonzero(changed & ~overridden)[0])
        raise AuditInputError(
            f"line {_line(position)}: override_direction is '{text.iloc[position]}' but "
            "overridden is false"
        )
    return np.where(overridden, code, 0)


def _validate(frame: pd.DataFrame, sensitive: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Direction code (0 kept, 1 overridden without tier change, 2 up, 3 down) and tiers."""
    if not sensitive:
        raise AuditInputError("give at least one sensitive attribute column (--sensitive)")
    for column in (*DECISION_COLUMNS, *sensitive):
        if column not in frame.columns:
            raise AuditInputError(
                f"column '{column}' is missing (need {', '.join(DECISION_COLUMNS)} and the "
                "sensitive columns)"
            )
    overridden_values = coerce_binary(frame["overridden"], column="overridden")
    if overridden_values.isna().any():
        position = int(np.flatnonzero(overridden_values.isna().to_numpy())[0])
        raise AuditInputError(f"column 'overridden' is empty on line {_line(position)}")
    overridden = overridden_values.to_numpy(dtype=bool)
    suggested = _tiers(frame, "suggested_tier")
    final = _tiers(frame, "final_tier")
    direction = _directions(frame, overridden)
    checks = [
        ((~overridden) & (final != suggested), "not overridden but final_tier differs"),
        ((direction == 2) & (final >= suggested), "direction 'up' needs a smaller final_tier"),
        ((direction == 3) & (final <= suggested), "direction 'down' needs a larger final_tier"),
    ]
    for mask, message in checks:
        if mask.any():
            raise AuditInputError(f"line {_line(int(np.flatnonzero(mask)[0]))}: {message}")
    return direction, final


def audit_decisions(
    frame: pd.DataFrame,
    *,
    sensitive: Sequence[str],
    policy: AuditPolicy | None = None,
    source: str | None = None,
    source_sha256: str | None = None,
) -> DecisionAuditResult:
    """Override, up- and down-grade rates and final-tier shares by group, with verdicts.

    Parameters
    ----------
    frame : DataFrame
        One row per decided case: ``suggested_tier``, ``final_tier``, ``overridden``
        (bool), ``override_direction`` (up/down/none) and the sensitive columns.
    sensitive : sequence of str
    policy : AuditPolicy, optional
        Its ``decisions`` section gives tolerances and the minimum denominator.

    Returns
    -------
    DecisionAuditResult
    """
    policy = policy or AuditPolicy.load()
    unknown = sorted(set(policy.decision_gated_metrics) - set(DECISION_METRICS))
    if unknown:
        raise PolicyError(f"policy decisions section gates unknown metric(s) {unknown}")
    direction, final = _validate(frame, sensitive)
    tiers = sorted(int(t) for t in np.unique(final))
    tier_index = np.searchsorted(tiers, final)
    n_tiers = len(tiers)
    cells = direction * n_tiers + tier_index
    n_cells = len(DIRECTIONS) * n_tiers

    def direction_cells(*codes: int) -> tuple[int, ...]:
        return tuple(c * n_tiers + t for c in codes for t in range(n_tiers))

    everything = tuple(range(n_cells))
    metrics = [
        CountMetric(
            name="override_rate", numerator=direction_cells(1, 2, 3), denominator=everything
        ),
        CountMetric(name="upgrade_rate", numerator=direction_cells(2), denominator=everything),
        CountMetric(name="downgrade_rate", numerator=direction_cells(3), denominator=everything),
        *(
            CountMetric(
                name=f"final_tier_{tier}_share",
                numerator=tuple(c * n_tiers + t for c in range(len(DIRECTIONS))),
                denominator=everything,
            )
            for t, tier in enumerate(tiers)
        ),
    ]
    table = frame[list(sensitive)].astype("string").apply(lambda c: c.str.strip())
    table = table.mask(table == "")
    groups: list[GroupResult] = []
    disparities: list[Disparity] = []
    attributes: list[AttributeSummary] = []
    for attribute, columns in _attribute_columns(list(sensitive), policy.intersections):
        values = table[columns[0]]
        for column in columns[1:]:
            values = values + " × " + table[column]
        present = values.notna().to_numpy()
        codes, uniques = pd.factorize(values[present], sort=True)
        names = [str(u) for u in uniques]
        if not names:
            continue
        counts = cell_counts(codes, cells[present], n_groups=len(names), n_cells=n_cells)
        resampled = resample_counts(
            counts,
            n_resamples=policy.n_resamples,
            seed=_seed(policy.seed, "decisions/" + attribute),
        )
        samples = {}
        for metric in metrics:
            value, denominator = ratio_of_sums(counts, metric)
            resampled_value, _ = ratio_of_sums(resampled, metric)
            samples[metric.name] = GroupMetricSamples(
                values=value, denominators=denominator, samples=resampled_value
            )
        sizes = counts.sum(axis=1)
        wanted = " × ".join(policy.reference_groups.get(c, "\0") for c in columns)
        reference, reference_source = choose_reference(
            names, sizes, wanted=None if "\0" in wanted else wanted
        )
        group_results, group_disparities = judge_groups(
            attribute=attribute,
            is_intersection=len(columns) > 1,
            groups=names,
            sizes=sizes,
            reference=reference,
            metrics=samples,
            tolerances=policy.decision_gated_metrics,
            min_denominator=policy.decision_min_denominator,
            ci_level=policy.ci_level,
        )
        groups.extend(group_results)
        disparities.extend(group_disparities)
        attributes.append(
            AttributeSummary(
                attribute=attribute,
                is_intersection=len(columns) > 1,
                reference=reference,
                reference_source=reference_source,
                n_rows=int(present.sum()),
                n_missing=int((~present).sum()),
                groups=names,
            )
        )
    verdict, reasons = _overall_verdict(disparities, groups, policy)
    overall = {
        "n_decisions": len(frame),
        "override_rate": float((direction > 0).mean()),
        "upgrade_rate": float((direction == 2).mean()),
        "downgrade_rate": float((direction == 3).mean()),
    }
    provenance = {
        "source": source,
        "source_sha256": source_sha256,
        "n_input_rows": len(frame),
        "missing_by_attribute": {c: int(table[c].isna().sum()) for c in sensitive},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return DecisionAuditResult(
        verdict=verdict,
        verdict_reasons=reasons,
        groups=groups,
        disparities=disparities,
        attributes=attributes,
        tiers=tiers,
        policy=policy,
        provenance=provenance,
        overall=overall,
    )


def write_decision_reports(result: DecisionAuditResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.json``, ``report.html`` and ``report.md`` for a decisions audit."""
    from bias_audits._plots import rates_plot

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = result.to_dict()
    paths = {"json": out / "report.json", "html": out / "report.html", "md": out / "report.md"}
    write_json(data, paths["json"])
    sections = []
    for attribute, summary in zip(result.attributes, data["attributes"], strict=True):
        sections.append(
            {
                "summary": summary,
                "groups": [g for g in data["groups"] if g["attribute"] == attribute.attribute],
                "disparities": [
                    d for d in data["disparities"] if d["attribute"] == attribute.attribute
                ],
                "plot": rates_plot(result, attribute, metrics=DECISION_METRICS),
            }
        )
    context: Mapping[str, Any] = {
        "data": data,
        "labels": METRIC_LABELS,
        "metric_names": data["metrics"],
    }
    paths["html"].write_text(render("decisions.html.j2", sections=sections, **context), "utf-8")
    for section in sections:
        section["plot"] = None
    paths["md"].write_text(render("decisions.md.j2", sections=sections, **context), "utf-8")
    return paths
