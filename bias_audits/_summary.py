"""Plain-language sentences that say who the model errs against and how sure we are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bias_audits._results import Disparity

__all__ = ["METRIC_LABELS", "disparity_sentence", "summary_sentences"]


class _Audited(Protocol):
    """What the sentences read of an ``AuditResult`` (kept structural, so this module does
    not import the audit that imports it)."""

    verdict: str
    verdict_reasons: list[str]
    disparities: list[Disparity]
    policy: Any

    @property
    def insufficient_groups(self) -> Sequence[Any]: ...


METRIC_LABELS = {
    "selection_rate": "selection rate (share flagged)",
    "true_positive_rate": "true positive rate (share of actual positives it catches)",
    "false_positive_rate": "false positive rate (share of actual negatives it flags anyway)",
    "false_negative_rate": "false negative rate (share of actual positives it misses)",
    "precision": "precision (share of flags that were right)",
    "accuracy": "accuracy",
    "calibration_error": "calibration error (gap between its scores and what happened)",
    "override_rate": "override rate",
    "upgrade_rate": "upgrade rate (priority raised)",
    "downgrade_rate": "downgrade rate (priority lowered)",
}

_POSITION = {
    "fail": "beyond",
    "review": "with an interval reaching back within",
    "pass": "within",
}


def _who(attribute: str, group: str) -> str:
    if group.lower() in {"yes", "no", "true", "false", "0", "1", "y", "n"}:
        return f"clients with {attribute}={group}"
    return f"{group} clients"


def _ratio_phrase(d: Disparity, *, level: int, subject: str) -> str:
    if d.metric == "selection_rate":
        lead = (
            f"The {subject} flags {_who(d.attribute, d.group)} {d.ratio:.2f}× as often as "
            f"{_who(d.attribute, d.reference)} "
            f"({d.group_value:.0%} vs {d.reference_value:.0%})"
        )
    else:
        lead = (
            f"The {_possessive(subject)} {METRIC_LABELS.get(d.metric, d.metric)} for "
            f"{_who(d.attribute, d.group)} is {d.ratio:.2f}× that for "
            f"{_who(d.attribute, d.reference)} ({d.group_value:.1%} vs "
            f"{d.reference_value:.1%})"
        )
    low, high = d.ratio_ci
    return (
        f"{lead}; the {level}% interval is {low:.2f}–{high:.2f}×, "
        f"{_POSITION[d.verdict]} the policy's {d.max_ratio:g}× tolerance → {_outcome(d)}."
    )


def _outcome(d: Disparity) -> str:
    return d.verdict if d.gated else f"{d.verdict} (reported, not gated)"


def _possessive(subject: str) -> str:
    return f"{subject}'" if subject.endswith("s") else f"{subject}'s"


def _difference_phrase(d: Disparity, *, level: int, subject: str) -> str:
    points = abs(d.difference) * 100
    direction = "higher" if d.difference > 0 else "lower"
    low, high = (x * 100 for x in d.difference_ci)
    return (
        f"The {_possessive(subject)} {METRIC_LABELS.get(d.metric, d.metric)} is "
        f"{points:.1f} points {direction} for {_who(d.attribute, d.group)} "
        f"({d.group_value:.1%}) than for {_who(d.attribute, d.reference)} "
        f"({d.reference_value:.1%}); the {level}% interval of the gap is {low:+.1f} to "
        f"{high:+.1f} points, {_POSITION[d.verdict]} the policy's "
        f"{(d.max_difference or 0) * 100:g}-point tolerance → {_outcome(d)}."
    )


def disparity_sentence(d: Disparity, *, ci_level: float, subject: str = "model") -> str:
    """One sentence for one judged disparity, in the criterion that decided it."""
    level = round(ci_level * 100)
    use_ratio = d.max_ratio is not None and (
        d.max_difference is None or d.criteria.get("ratio") == d.verdict
    )
    if use_ratio:
        return _ratio_phrase(d, level=level, subject=subject)
    return _difference_phrase(d, level=level, subject=subject)


def summary_sentences(
    result: _Audited,
    *,
    limit: int = 8,
    subject: str = "model",
    min_denominator: int | None = None,
) -> list[str]:
    """The report's opening: verdict, the worst disparities, and where evidence is thin."""
    sentences = [f"Verdict: {result.verdict.upper()}. " + "; ".join(result.verdict_reasons) + "."]
    flagged = [d for d in result.disparities if d.verdict in ("fail", "review")]
    order = list(METRIC_LABELS)
    flagged.sort(
        key=lambda d: (
            d.verdict != "fail",
            d.is_intersection,
            order.index(d.metric) if d.metric in order else len(order),
            -abs(d.difference),
        )
    )
    level = result.policy.ci_level
    sentences.extend(
        disparity_sentence(d, ci_level=level, subject=subject) for d in flagged[:limit]
    )
    if len(flagged) > limit:
        sentences.append(f"… and {len(flagged) - limit} more flagged disparities in the tables.")
    thin = result.insufficient_groups
    minimum = min_denominator or result.policy.min_denominator
    if thin:
        names = ", ".join(f"{g.group} ({g.attribute}, n={g.n})" for g in thin[:6])
        more = f" and {len(thin) - 6} more" if len(thin) > 6 else ""
        sentences.append(
            f"Too few cases to judge {names}{more}: below the policy's minimum denominator "
            f"({minimum}, or the metric's own) for at least one gated metric. No verdict "
            f"can be drawn for them either way; collect more data before trusting the {subject} "
            "for these groups."
        )
    if not flagged and not thin:
        sentences.append(
            f"Every gated metric of the {subject} is within the policy's tolerance for "
            "every group, with enough cases in each to judge."
        )
    return sentences
