"""``audit_table``: metrics by group, disparities and the gate's verdict for one table."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from bias_audits._bootstrap import percentile_interval, ratio_of_sums, resample_counts
from bias_audits._groupwise import GroupMetricSamples, choose_reference, judge_groups
from bias_audits._inputs import PreparedTable, prepare_table
from bias_audits._metrics import (
    CONFUSION_METRICS,
    METRIC_NAMES,
    calibration_cells,
    cell_counts,
    confusion_cells,
    ece_from_cells,
    metricframe_estimates,
    weighted_confusion_rows,
)
from bias_audits._policy import AuditPolicy, PolicyError, Tolerance
from bias_audits._results import AttributeSummary, Disparity, GroupResult, clean_float

__all__ = ["INTERSECTION_SEPARATOR", "AuditResult", "audit_table"]

INTERSECTION_SEPARATOR = " × "


@dataclass(frozen=True, kw_only=True)
class AuditResult:
    """Everything an audit found; ``to_dict()`` is what ``report.json`` holds.

    Attributes
    ----------
    verdict : {"pass", "review", "fail"}
        The gate's verdict: the worst disparity verdict, raised to ``review`` when the
        policy says missing evidence must be looked at.
    verdict_reasons : list of str
        Why the verdict is what it is, most severe first.
    """

    verdict: str
    verdict_reasons: list[str]
    groups: list[GroupResult]
    disparities: list[Disparity]
    attributes: list[AttributeSummary]
    overall: dict[str, dict[str, Any]]
    policy: AuditPolicy
    score_kind: str
    threshold: float | None
    provenance: dict[str, Any]
    context: dict[str, str] = field(default_factory=dict)
    mitigation: list[dict[str, Any]] | None = None

    @property
    def insufficient_groups(self) -> list[GroupResult]:
        """Groups where at least one gated metric has too small a denominator."""
        return [g for g in self.groups if not g.sufficient]

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def disparities_with(self, verdict: str) -> list[Disparity]:
        return [d for d in self.disparities if d.verdict == verdict]

    def summary(self) -> list[str]:
        """Plain-language sentences for the top of the report."""
        from bias_audits._summary import summary_sentences

        return summary_sentences(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_reasons": list(self.verdict_reasons),
            "summary": self.summary(),
            "score_kind": self.score_kind,
            "threshold": self.threshold,
            "metrics": list(
                METRIC_NAMES if self.score_kind == "probability" else METRIC_NAMES[:-1]
            ),
            "policy": self.policy.to_dict(),
            "provenance": dict(self.provenance),
            "context": dict(self.context),
            "overall": {
                name: {
                    "value": clean_float(m["value"]),
                    "ci": [clean_float(x) for x in m["ci"]],
                    "n": m["n"],
                }
                for name, m in self.overall.items()
            },
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
            "mitigation": self.mitigation,
        }


def _attribute_columns(
    sensitive: Sequence[str], intersections: Sequence[Sequence[str]]
) -> list[tuple[str, tuple[str, ...]]]:
    attributes = [(column, (column,)) for column in sensitive]
    for combo in intersections:
        if all(column in sensitive for column in combo):
            attributes.append((INTERSECTION_SEPARATOR.join(combo), tuple(combo)))
    return attributes


def _attribute_values(table: PreparedTable, columns: tuple[str, ...]) -> pd.Series:
    values = table.sensitive[columns[0]]
    for column in columns[1:]:
        values = values + INTERSECTION_SEPARATOR + table.sensitive[column]
    return values


def _seed(policy_seed: int, attribute: str) -> int:
    """A seed per attribute, stable across runs and independent of attribute order."""
    return (policy_seed * 1_000_003 + zlib.crc32(attribute.encode())) % 2**32


def _range_summary(
    name: str,
    values: np.ndarray,
    samples: np.ndarray,
    sufficient: np.ndarray,
    fairlearn_value: float,
    ci_level: float,
) -> dict[str, Any]:
    """Largest minus smallest group value, with an interval and fairlearn's point value."""
    low, high = percentile_interval(
        (np.nanmax(samples, axis=1) - np.nanmin(samples, axis=1))[:, None], level=ci_level
    )
    among = values[sufficient]
    return {
        "name": name,
        "value": float(np.nanmax(values) - np.nanmin(values)),
        "ci": [float(low[0]), float(high[0])],
        "fairlearn": float(fairlearn_value),
        "sufficient_groups_only": float(among.max() - among.min()) if among.size > 1 else None,
    }


def audit_table(
    frame: pd.DataFrame,
    *,
    label: str,
    score: str,
    threshold: float | None = None,
    sensitive: Sequence[str],
    policy: AuditPolicy | None = None,
    intersections: Sequence[Sequence[str]] | None = None,
    source: str | None = None,
    source_sha256: str | None = None,
    context: Mapping[str, str] | None = None,
) -> AuditResult:
    """Audit one table of labels and scores for disparities between groups.

    Parameters
    ----------
    frame : DataFrame
        One row per case; any columns.
    label : str
        Observed outcome column (0/1, true/false or yes/no).
    score : str
        A binary prediction, a probability (with ``threshold``) or a non-negative integer
        risk score (with ``threshold``). A row is flagged when ``score >= threshold``.
    threshold : float, optional
    sensitive : sequence of str
        Sensitive attribute columns; each is audited, and so are the policy's
        intersections of them. Rows missing one attribute are dropped for that attribute
        only, and the report says how many.
    policy : AuditPolicy, optional
        Default: ``AuditPolicy.load()``.
    intersections : sequence of sequences of str, optional
        Override the policy's intersections.
    source, source_sha256 : str, optional
        Provenance of the data, written into the report.
    context : mapping, optional
        E.g. model name and version, written into the report.

    Returns
    -------
    AuditResult

    Raises
    ------
    bias_audits.AuditInputError
        When a column is unknown, a label is not binary or scores are out of range.
    """
    policy = policy or AuditPolicy.load()
    unknown = sorted(set(policy.gated_metrics) - set(METRIC_NAMES))
    if unknown:
        raise PolicyError(
            f"policy gates unknown metric(s) {unknown}; known: {', '.join(METRIC_NAMES)}"
        )
    table = prepare_table(
        frame, label=label, score=score, threshold=threshold, sensitive=list(sensitive)
    )
    gated = {
        name: tol
        for name, tol in policy.gated_metrics.items()
        if name != "calibration_error" or table.y_prob is not None
    }
    reported = {name: tol for name, tol in policy.reported_metrics.items() if name not in gated}
    combos = policy.intersections if intersections is None else intersections
    cells = confusion_cells(table.y_true, table.y_pred)

    groups: list[GroupResult] = []
    disparities: list[Disparity] = []
    attributes: list[AttributeSummary] = []
    for attribute, columns in _attribute_columns(list(sensitive), combos):
        found = _audit_attribute(
            table, cells, attribute, columns, policy=policy, gated=gated, reported=reported
        )
        groups.extend(found.groups)
        disparities.extend(found.disparities)
        attributes.append(found.summary)

    verdict, reasons = _overall_verdict(disparities, groups, policy)
    return AuditResult(
        verdict=verdict,
        verdict_reasons=reasons,
        groups=groups,
        disparities=disparities,
        attributes=attributes,
        overall=_overall(table, cells, policy),
        policy=policy,
        score_kind=table.score_kind,
        threshold=table.threshold,
        provenance={
            "source": source,
            "source_sha256": source_sha256,
            "n_input_rows": table.n_input_rows,
            "n_rows_audited": len(table.y_true),
            "dropped_missing_label_or_score": table.dropped_missing_label_or_score,
            "missing_by_attribute": dict(table.missing_by_attribute),
            "label_column": label,
            "score_column": score,
            "sensitive_columns": list(sensitive),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        context=dict(context or {}),
    )


@dataclass(frozen=True, kw_only=True)
class _AttributeAudit:
    groups: list[GroupResult]
    disparities: list[Disparity]
    summary: AttributeSummary


def _audit_attribute(
    table: PreparedTable,
    cells: np.ndarray,
    attribute: str,
    columns: Sequence[str],
    *,
    policy: AuditPolicy,
    gated: Mapping[str, Tolerance],
    reported: Mapping[str, Tolerance],
) -> _AttributeAudit:
    """The groups of one attribute (or intersection): metrics with CIs, then judged."""
    is_intersection = len(columns) > 1
    values = _attribute_values(table, columns)
    present = values.notna().to_numpy()
    codes, uniques = pd.factorize(values[present], sort=True)
    names = [str(u) for u in uniques]
    n_missing = int((~present).sum())
    if not names:
        summary = AttributeSummary(
            attribute=attribute,
            is_intersection=is_intersection,
            reference="",
            reference_source="no rows with a value",
            n_rows=0,
            n_missing=n_missing,
            groups=[],
        )
        return _AttributeAudit(groups=[], disparities=[], summary=summary)
    counts = cell_counts(codes, cells[present], n_groups=len(names), n_cells=4)
    calibration = None
    if table.y_prob is not None:
        calibration = calibration_cells(
            table.y_true[present],
            table.y_prob[present],
            codes,
            n_groups=len(names),
            n_bins=policy.calibration_bins,
        )
    metric_samples = _metric_samples(counts, calibration, names, attribute, policy)
    reference, reference_source = choose_reference(
        names, counts.sum(axis=1), wanted=_wanted_reference(policy, columns)
    )
    group_results, group_disparities = judge_groups(
        attribute=attribute,
        is_intersection=is_intersection,
        groups=names,
        sizes=counts.sum(axis=1),
        reference=reference,
        metrics=metric_samples,
        tolerances={k: v for k, v in gated.items() if k in policy.gated_for(columns)} | reported,
        min_denominator=policy.min_denominator,
        ci_level=policy.ci_level,
    )
    summary = AttributeSummary(
        attribute=attribute,
        is_intersection=is_intersection,
        reference=reference,
        reference_source=reference_source,
        n_rows=int(present.sum()),
        n_missing=n_missing,
        groups=names,
        summaries=_summaries(counts, names, metric_samples, policy),
        calibration=_calibration_curves(calibration, names),
    )
    return _AttributeAudit(
        groups=group_results,
        disparities=[
            replace(d, gated=False) if d.metric in reported else d for d in group_disparities
        ],
        summary=summary,
    )


def _metric_samples(
    counts: np.ndarray,
    calibration: tuple[np.ndarray, np.ndarray] | None,
    names: list[str],
    attribute: str,
    policy: AuditPolicy,
) -> dict[str, GroupMetricSamples]:
    """Each metric per group: fairlearn's MetricFrame value, its denominator and bootstrap
    samples of it (resampled confusion counts)."""
    resampled = resample_counts(
        counts, n_resamples=policy.n_resamples, seed=_seed(policy.seed, attribute)
    )
    estimates = metricframe_estimates(
        counts=counts, groups=names, calibration=calibration, n_bins=policy.calibration_bins
    )
    metric_samples = {}
    for metric in CONFUSION_METRICS:
        exact, denominators = ratio_of_sums(counts, metric)
        samples, _ = ratio_of_sums(resampled, metric)
        point = estimates[metric.name].to_numpy(dtype=float)
        # fairlearn reports 0 for a rate over nobody; it is undefined.
        point = np.where(denominators == 0, np.nan, point)
        if not np.allclose(point, exact, equal_nan=True):
            raise RuntimeError(
                f"MetricFrame and confusion counts disagree on {metric.name} for "
                f"{attribute}: {point} vs {exact}"
            )
        metric_samples[metric.name] = GroupMetricSamples(
            values=point, denominators=denominators, samples=samples
        )
    if calibration is not None:
        ece_counts, ece_means = calibration
        ece_resampled = resample_counts(
            ece_counts,
            n_resamples=policy.n_resamples,
            seed=_seed(policy.seed, attribute + "/calibration"),
        )
        metric_samples["calibration_error"] = GroupMetricSamples(
            values=estimates["calibration_error"].to_numpy(dtype=float),
            denominators=counts.sum(axis=1),
            samples=ece_from_cells(ece_resampled, ece_means),
        )
    return metric_samples


def _wanted_reference(policy: AuditPolicy, columns: tuple[str, ...]) -> str | None:
    parts = [policy.reference_groups.get(column) for column in columns]
    if any(part is None for part in parts):
        return None
    return INTERSECTION_SEPARATOR.join(parts)


def _overall(table: PreparedTable, cells: np.ndarray, policy: AuditPolicy) -> dict:
    counts = np.bincount(cells, minlength=4)[None, :]
    resampled = resample_counts(
        counts, n_resamples=policy.n_resamples, seed=_seed(policy.seed, "<overall>")
    )
    overall = {}
    for metric in CONFUSION_METRICS:
        value, denominator = ratio_of_sums(counts, metric)
        samples, _ = ratio_of_sums(resampled, metric)
        low, high = percentile_interval(samples, level=policy.ci_level)
        overall[metric.name] = {
            "value": float(value[0]),
            "ci": [float(low[0]), float(high[0])],
            "n": int(denominator[0]),
        }
    return overall


def _summaries(
    counts: np.ndarray,
    names: list[str],
    metric_samples: Mapping[str, GroupMetricSamples],
    policy: AuditPolicy,
) -> dict[str, dict[str, Any]]:
    """Demographic parity and equalised odds: ours with intervals, fairlearn's beside them."""
    y_true, y_pred, groups, weight = weighted_confusion_rows(counts, names)
    sufficient = {
        name: m.denominators >= policy.min_denominator for name, m in metric_samples.items()
    }
    selection = metric_samples["selection_rate"]
    tpr = metric_samples["true_positive_rate"]
    fpr = metric_samples["false_positive_rate"]
    dp = _range_summary(
        "demographic_parity_difference",
        selection.values,
        selection.samples,
        sufficient["selection_rate"],
        demographic_parity_difference(
            y_true, y_pred, sensitive_features=groups, sample_weight=weight
        ),
        policy.ci_level,
    )
    tpr_range = _range_summary(
        "tpr", tpr.values, tpr.samples, sufficient["true_positive_rate"], np.nan, policy.ci_level
    )
    fpr_range = _range_summary(
        "fpr", fpr.values, fpr.samples, sufficient["false_positive_rate"], np.nan, policy.ci_level
    )
    with np.errstate(all="ignore"):
        eo_samples = np.fmax(
            np.nanmax(tpr.samples, axis=1) - np.nanmin(tpr.samples, axis=1),
            np.nanmax(fpr.samples, axis=1) - np.nanmin(fpr.samples, axis=1),
        )
    low, high = percentile_interval(eo_samples[:, None], level=policy.ci_level)
    both = [
        x
        for x in (tpr_range["sufficient_groups_only"], fpr_range["sufficient_groups_only"])
        if x is not None
    ]
    eo = {
        "name": "equalized_odds_difference",
        "value": float(np.nanmax([tpr_range["value"], fpr_range["value"]])),
        "ci": [float(low[0]), float(high[0])],
        "fairlearn": float(
            equalized_odds_difference(
                y_true, y_pred, sensitive_features=groups, sample_weight=weight
            )
        ),
        "sufficient_groups_only": max(both) if both else None,
    }
    return {"demographic_parity_difference": dp, "equalized_odds_difference": eo}


def _calibration_curves(
    calibration: tuple[np.ndarray, np.ndarray] | None, names: list[str]
) -> dict[str, list[dict[str, float]]]:
    """Per group and non-empty score bin: mean score, observed rate, count (for the plot)."""
    if calibration is None:
        return {}
    counts, means = calibration
    negatives, positives = counts[:, 0::2], counts[:, 1::2]
    totals = negatives + positives
    score_sums = negatives * means[:, 0::2] + positives * means[:, 1::2]
    curves = {}
    for g, name in enumerate(names):
        curves[name] = [
            {
                "mean_score": float(score_sums[g, b] / totals[g, b]),
                "observed_rate": float(positives[g, b] / totals[g, b]),
                "n": int(totals[g, b]),
            }
            for b in np.flatnonzero(totals[g])
        ]
    return curves


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _overall_verdict(
    disparities: list[Disparity], groups: list[GroupResult], policy: AuditPolicy
) -> tuple[str, list[str]]:
    judged = [d for d in disparities if d.verdict != "insufficient" and d.gated]
    beyond_reported = [d for d in disparities if not d.gated and d.verdict in ("fail", "review")]
    reasons = []
    failing = [d for d in judged if d.verdict == "fail"]
    reviewing = [
        d
        for d in judged
        if d.verdict == "review" and (policy.intersection_reviews_hold or not d.is_intersection)
    ]
    listed = [
        d
        for d in judged
        if d.verdict == "review" and d.is_intersection and not policy.intersection_reviews_hold
    ]
    verdict = "fail" if failing else "review" if reviewing else "pass"
    if failing:
        reasons.append(
            f"{_count(len(failing), 'disparity', 'disparities')} beyond tolerance, "
            "even at the interval bound nearest to parity"
        )
    if reviewing:
        reasons.append(
            f"{_count(len(reviewing), 'disparity', 'disparities')} beyond tolerance, "
            "with an interval reaching back within"
        )
    if beyond_reported:
        metrics = ", ".join(sorted({d.metric for d in beyond_reported}))
        reasons.append(
            f"{_count(len(beyond_reported), 'reported disparity', 'reported disparities')} "
            f"({metrics}) beyond tolerance: shown for the reviewer, not gated by policy"
        )
    if listed:
        reasons.append(
            f"{_count(len(listed), 'intersection disparity', 'intersection disparities')} "
            "beyond tolerance with an interval reaching back within: listed for the "
            "reviewer, does not hold the release by policy"
        )
    thin = [d for d in disparities if d.verdict == "insufficient" and d.gated]
    forcing = [
        d
        for d in thin
        if (d.is_intersection and policy.insufficient_forces_review_intersections)
        or (not d.is_intersection and policy.insufficient_forces_review_attributes)
    ]
    if forcing and verdict == "pass":
        verdict = "review"
    if thin:
        where = sorted({f"{d.attribute}={d.group}" for d in thin})
        shown = ", ".join(where[:8]) + (" …" if len(where) > 8 else "")
        effect = "forces review by policy" if forcing else "listed, does not hold the release"
        reasons.append(
            f"insufficient evidence for {_count(len(where), 'group', 'groups')} ({shown}); {effect}"
        )
    if not judged:
        verdict = "review"
        reasons.append("no disparity could be judged: the data are too thin to pass anything")
    if verdict == "pass" and not reasons:
        reasons.append("every gated disparity is within the policy's tolerance")
    return verdict, reasons
