"""Figures for the reports, as base64 PNG data URIs so the HTML needs no other file."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bias_audits._audit import AuditResult
    from bias_audits._results import AttributeSummary, GroupResult

__all__ = ["calibration_plot", "figure_to_data_uri", "rates_plot"]

RATE_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "precision")
_PASS, _THIN, _FLAGGED = "#1f5f99", "#9a9a9a", "#b3261e"


def figure_to_data_uri(figure) -> str:
    """Render a matplotlib figure to a PNG data URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _new_figure(**options):
    """A figure outside pyplot: no global backend switch, nothing to close, so a caller's
    own plotting (a notebook's inline figures) is left alone."""
    from matplotlib.figure import Figure

    return Figure(**options)


def rates_plot(
    result: AuditResult,
    attribute: AttributeSummary,
    *,
    metrics: Sequence[str] = RATE_METRICS,
) -> str:
    """Each group's rates with their intervals; grey where evidence is thin, red if flagged."""
    groups: list[GroupResult] = [g for g in result.groups if g.attribute == attribute.attribute]
    flagged = {
        (d.group, d.metric)
        for d in result.disparities
        if d.attribute == attribute.attribute and d.verdict in ("fail", "review")
    }
    metrics = [m for m in metrics if groups and m in groups[0].metrics]
    height = 0.45 * len(groups) + 1.2
    figure = _new_figure(figsize=(3.2 * len(metrics) + 1.6, height), layout="constrained")
    axes = figure.subplots(1, len(metrics), sharey=True)
    axes = [axes] if len(metrics) == 1 else list(axes)
    positions = range(len(groups))
    for axis, metric in zip(axes, metrics, strict=True):
        for y, group in zip(positions, groups, strict=True):
            estimate = group.metrics[metric]
            if estimate.value != estimate.value:  # NaN: undefined
                continue
            colour = (
                _THIN
                if not estimate.sufficient
                else _FLAGGED
                if (group.group, metric) in flagged
                else _PASS
            )
            low = max(estimate.value - estimate.ci_low, 0)
            high = max(estimate.ci_high - estimate.value, 0)
            axis.errorbar(estimate.value, y, xerr=[[low], [high]], fmt="o", color=colour, capsize=3)
            if group.is_reference:
                axis.axvline(estimate.value, color="#555555", linestyle=":", linewidth=1)
        axis.set_title(metric.replace("_", " "), fontsize=9)
        axis.set_xlim(-0.02, 1.02)
        axis.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(list(positions))
    axes[0].set_yticklabels(
        [f"{g.group}{' (ref)' if g.is_reference else ''} n={g.n}" for g in groups], fontsize=8
    )
    axes[0].invert_yaxis()
    return figure_to_data_uri(figure)


def calibration_plot(attribute: AttributeSummary, *, min_cases: int = 0) -> str | None:
    """Observed rate against mean score per score bin, one line per group.

    Groups with fewer than ``min_cases`` rows are drawn dashed and labelled "too few":
    their curves zig-zag by chance and should not be read as miscalibration.
    """
    if not attribute.calibration:
        return None
    figure = _new_figure(figsize=(4.6, 4.2), layout="constrained")
    axis = figure.subplots()
    axis.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label="perfect")
    for group, points in attribute.calibration.items():
        if not points:
            continue
        n = sum(p["n"] for p in points)
        thin = n < min_cases
        axis.plot(
            [p["mean_score"] for p in points],
            [p["observed_rate"] for p in points],
            marker="o",
            markersize=3,
            linestyle="--" if thin else "-",
            alpha=0.5 if thin else 1.0,
            label=f"{group} (too few: n={n})" if thin else group,
        )
    axis.set_xlabel("mean score in bin")
    axis.set_ylabel("observed rate in bin")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(fontsize=7, loc="upper left")
    axis.set_title(f"calibration by {attribute.attribute}", fontsize=9)
    return figure_to_data_uri(figure)
