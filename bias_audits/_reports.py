"""``write_reports``: the audit as report.json, a self-contained report.html and report.md."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bias_audits._plots import calibration_plot, rates_plot
from bias_audits._render import render, write_json
from bias_audits._summary import METRIC_LABELS

if TYPE_CHECKING:
    from bias_audits._audit import AuditResult

__all__ = ["write_reports"]


def _sections(result: AuditResult, *, plots: bool) -> list[dict]:
    sections = []
    data = result.to_dict()
    for attribute, summary in zip(result.attributes, data["attributes"], strict=True):
        name = attribute.attribute
        sections.append(
            {
                "summary": summary,
                "groups": [g for g in data["groups"] if g["attribute"] == name],
                "disparities": [d for d in data["disparities"] if d["attribute"] == name],
                "rates_plot": rates_plot(result, attribute) if plots and attribute.groups else None,
                "calibration_plot": calibration_plot(
                    attribute, min_cases=_calibration_minimum(result)
                )
                if plots
                else None,
            }
        )
    return sections


def _calibration_minimum(result: AuditResult) -> int:
    tolerance = result.policy.gated_metrics.get("calibration_error")
    own = tolerance.min_denominator if tolerance is not None else None
    return own or result.policy.min_denominator


def write_reports(result: AuditResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.json``, ``report.html`` and ``report.md`` into ``out_dir``.

    The HTML has no external assets (inline CSS, plots as base64 PNG with alt text), so it
    can be archived with a model version and opened anywhere.

    Returns
    -------
    dict
        ``{"json": path, "html": path, "md": path}``
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = result.to_dict()
    paths = {"json": out / "report.json", "html": out / "report.html", "md": out / "report.md"}
    write_json(data, paths["json"])
    context = {
        "data": data,
        "labels": METRIC_LABELS,
        "metric_names": data["metrics"],
    }
    paths["html"].write_text(
        render("report.html.j2", sections=_sections(result, plots=True), **context),
        encoding="utf-8",
    )
    paths["md"].write_text(
        render("report.md.j2", sections=_sections(result, plots=False), **context),
        encoding="utf-8",
    )
    return paths
