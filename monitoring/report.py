"""The monitoring report: headline and verdict, then every figure; as JSON, Markdown, HTML.

Verdict, most severe first: ``fail`` (the release gate's fairness audit fails on live
cases), ``drift`` (a field, need rate, score or tier distribution drifted beyond the
policy's threshold), ``review`` (the audit asks for review, or a figure passed the review
threshold), ``pass``. The fairness part is ``insufficient`` until decided cases have
outcomes; that alone never raises an alarm, since a new release has none.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitoring._json import json_safe
from monitoring.caseload import LiveCaseload
from monitoring.drift import DriftFigure, drift_figures
from monitoring.live_figures import (
    calibration_by_group,
    calibration_figures,
    fairness_audit,
    override_figures,
    safety_figures,
)
from monitoring.policy import MonitoringPolicy
from monitoring.reference import TrainingReference

__all__ = ["ALERT_VERDICTS", "MonitoringReport", "build_report", "write_report"]

#: Verdicts a scheduler should alert on (``casetriage monitor`` exits 1).
ALERT_VERDICTS = frozenset({"fail", "drift"})


@dataclass(frozen=True, kw_only=True)
class MonitoringReport:
    """Everything one monitoring run found; ``to_dict()`` is ``report.json``."""

    verdict: str
    reasons: list[str]
    model_version: str
    drift: list[DriftFigure]
    scores: dict[str, Any]
    overrides: dict[str, Any]
    safety: dict[str, Any]
    calibration: dict[str, Any]
    calibration_by_group: list[dict[str, Any]]
    fairness: Any
    policy: MonitoringPolicy
    reference: dict[str, Any]
    window: dict[str, Any]
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def alert(self) -> bool:
        return self.verdict in ALERT_VERDICTS

    @property
    def fairness_verdict(self) -> str:
        return "insufficient" if self.fairness is None else self.fairness.verdict

    def drifted(self, status: str = "drift") -> list[DriftFigure]:
        return [f for f in self.drift if f.status == status]

    def headline(self) -> dict[str, Any]:
        """The figures a scheduler, a dashboard and a person look at first."""
        score = next(f for f in self.drift if f.kind == "score")
        metrics = self.calibration.get("metrics", {})
        return {
            "verdict": self.verdict,
            "fairness_verdict": self.fairness_verdict,
            "n_scores": self.scores["n"],
            "n_with_outcome": self.calibration["n"],
            "score_psi": score.psi,
            "max_psi": max((f.psi for f in self.drift if f.status != "insufficient"), default=None),
            "drifted": len(self.drifted("drift")),
            "review": len(self.drifted("review")),
            "override_rate": self.overrides["override_rate"]["value"],
            "possible_safety_share": self.safety["possible_safety_share"]["value"],
            "auc": metrics.get("auc", {}).get("value"),
            "brier": metrics.get("brier", {}).get("value"),
            "ece": metrics.get("ece", {}).get("value"),
            "calibration_slope": metrics.get("calibration_slope", {}).get("value"),
        }

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "kind": "monitoring",
                "verdict": self.verdict,
                "reasons": list(self.reasons),
                "headline": self.headline(),
                "model_version": self.model_version,
                "created_at": self.created_at,
                "window": self.window,
                "policy": self.policy.to_dict(),
                "reference": self.reference,
                "scores": self.scores,
                "drift": [f.to_dict() for f in self.drift],
                "overrides": self.overrides,
                "safety": self.safety,
                "calibration": self.calibration,
                "calibration_by_group": self.calibration_by_group,
                "fairness": None if self.fairness is None else self.fairness.to_dict(),
            }
        )


def _verdict(drift: list[DriftFigure], fairness: Any, calibration: dict) -> tuple[str, list[str]]:
    reasons = []
    fairness_verdict = "insufficient" if fairness is None else fairness.verdict
    drifted = [f for f in drift if f.status == "drift"]
    review = [f for f in drift if f.status == "review"]
    if fairness_verdict == "fail":
        reasons.append("fairness on live cases: FAIL; " + "; ".join(fairness.verdict_reasons[:3]))
    if drifted:
        reasons.append(
            "drift beyond threshold: " + ", ".join(f"{f.name} (PSI {f.psi:.3f})" for f in drifted)
        )
    if fairness_verdict == "review":
        reasons.append("fairness on live cases: review; " + "; ".join(fairness.verdict_reasons[:3]))
    if review:
        reasons.append(
            "beyond the review threshold: "
            + ", ".join(f"{f.name} (PSI {f.psi:.3f})" for f in review)
        )
    if fairness is None:
        reasons.append(
            f"fairness: insufficient, {calibration['n']} decided cases with a 90-day outcome "
            "and a recorded sensitive attribute"
        )
    if fairness_verdict == "fail":
        verdict = "fail"
    elif drifted:
        verdict = "drift"
    elif fairness_verdict == "review" or review:
        verdict = "review"
    else:
        verdict = "pass"
    if verdict == "pass":
        reasons.insert(0, "no drift beyond the review threshold; fairness not failing")
    return verdict, reasons


def build_report(
    caseload: LiveCaseload,
    reference: TrainingReference,
    *,
    policy: MonitoringPolicy,
    audit_policy,
    threshold: float,
    model_name: str = "",
    window: dict[str, Any] | None = None,
) -> MonitoringReport:
    """Compute every figure of one monitoring run.

    Parameters
    ----------
    threshold : float
        The release gate's decision threshold (the priority policy's tier-2 risk).
    audit_policy : bias_audits.AuditPolicy
        The release policy the gate audits with.
    """
    scores = caseload.scores
    fields = scores[["case_id"]].merge(caseload.fields, on="case_id", how="left")
    need_counts = caseload.needs["need"].value_counts().to_dict()
    drift = drift_figures(
        reference,
        fields=fields,
        need_counts=need_counts,
        n_need_cases=len(scores),
        probabilities=scores["probability"].to_numpy(dtype=float),
        tiers=scores["tier"].to_numpy(dtype=int),
        policy=policy.drift,
    )
    labelled = caseload.labelled()
    attributes = [c for c in caseload.sensitive.columns if c != "case_id"]
    calibration = calibration_figures(labelled, policy.live)
    fairness = fairness_audit(
        labelled,
        threshold=threshold,
        audit_policy=audit_policy,
        context={
            "model": model_name,
            "model_version": caseload.model_version,
            "decision": f"flagged for priority: risk >= {threshold:.2f} (tier 2 or above)",
            "data": "live decided cases with a 90-day outcome",
        },
    )
    verdict, reasons = _verdict(drift, fairness, calibration)
    tiers = scores["tier"].value_counts(normalize=True).sort_index()
    return MonitoringReport(
        verdict=verdict,
        reasons=reasons,
        model_version=caseload.model_version,
        drift=drift,
        scores={
            "n": len(scores),
            "mean_probability": float(scores["probability"].mean()) if len(scores) else None,
            "tier_shares": {f"tier {t}": float(s) for t, s in tiers.items()},
            "counts": dict(caseload.counts),
            "source": caseload.source,
        },
        overrides=override_figures(caseload, policy.live),
        safety=safety_figures(caseload, reference, policy.live),
        calibration=calibration,
        calibration_by_group=calibration_by_group(labelled, attributes, policy.live),
        fairness=fairness,
        policy=policy,
        reference={
            "model_version": reference.model_version,
            "created_at": reference.created_at,
            "source": reference.source,
            "n_training_cases": reference.n_training_cases,
            "n_holdout_cases": reference.n_holdout_cases,
        },
        window=dict(window or {}),
    )


def _number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def _with_ci(figure: dict[str, Any] | None, digits: int = 3) -> str:
    if not figure or figure.get("value") is None:
        return "—"
    low, high = figure.get("ci", [None, None])
    return f"{_number(figure['value'], digits)} ({_number(low, digits)} – {_number(high, digits)})"


def _sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of each table; Markdown and HTML are rendered from these."""
    head = data["headline"]
    sections = [
        (
            "Headline",
            ["figure", "value"],
            [[key.replace("_", " "), _number(value)] for key, value in head.items()],
        ),
        (
            "Drift against the release's reference",
            ["kind", "name", "PSI", "test", "p (corrected)", "n live", "status"],
            [
                [
                    f["kind"],
                    f["name"],
                    _number(f["psi"]),
                    f["test"],
                    _number(f["p_adjusted"], 4),
                    _number(f["n_live"]),
                    f["status"],
                ]
                for f in data["drift"]
            ],
        ),
        (
            "Supervisors and safety",
            ["figure", "value (95% CI)", "n"],
            [
                [
                    name.replace("_", " "),
                    _with_ci(data["overrides"][name]),
                    _number(data["overrides"][name]["n"]),
                ]
                for name in ("override_rate", "upgrade_rate", "downgrade_rate")
            ]
            + [
                [
                    name.replace("_", " "),
                    _with_ci(data["safety"][name]),
                    _number(data["safety"][name]["n"]),
                ]
                for name in ("possible_safety_share", "possible_among_safety", "safety_need_share")
            ],
        ),
    ]
    calibration = data["calibration"]
    sections.append(
        (
            f"Calibration and discrimination ({calibration['n']:,} cases with an outcome, "
            f"{calibration.get('status', '')})",
            ["metric", "value (CI)"],
            [[name, _with_ci(m)] for name, m in calibration.get("metrics", {}).items()],
        )
    )
    sections.append(
        (
            "By group",
            ["attribute", "group", "n", "events", "AUC", "ECE", "slope", "status"],
            [
                [
                    row["attribute"],
                    row["group"],
                    _number(row["n"]),
                    _number(row["n_events"]),
                    _with_ci(row["metrics"].get("auc")),
                    _with_ci(row["metrics"].get("ece")),
                    _with_ci(row["metrics"].get("calibration_slope")),
                    row["status"],
                ]
                for row in data["calibration_by_group"]
            ],
        )
    )
    fairness = data["fairness"]
    if fairness is not None:
        sections.append(
            (
                f"Fairness audit on live cases (release policy {fairness['policy']['name']} "
                f"v{fairness['policy']['version']}): {fairness['verdict'].upper()}",
                ["attribute", "group", "metric", "difference", "verdict"],
                [
                    [
                        d["attribute"],
                        d["group"],
                        d["metric"],
                        _with_ci({"value": d.get("difference"), "ci": d.get("difference_ci")}),
                        d["verdict"],
                    ]
                    for d in fairness["disparities"]
                    if d.get("verdict") in ("fail", "review", "insufficient")
                ],
            )
        )
    return sections


def _markdown(data: dict[str, Any]) -> str:
    lines = [
        f"# Monitoring of model version {data['model_version']}: {data['verdict'].upper()}",
        "",
        f"Created {data['created_at']}; window {json.dumps(data['window'])}; policy "
        f"{data['policy']['name']} v{data['policy']['version']} "
        f"(sha256 {data['policy']['sha256'][:12]}…).",
        "",
        *[f"- {reason}" for reason in data["reasons"]],
    ]
    for title, header, rows in _sections(data):
        lines += ["", f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _html(data: dict[str, Any]) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Monitoring v{e(str(data['model_version']))}</title>",
        "<style>body{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #999;"
        "padding:.2rem .5rem;text-align:left}th{background:#eee}</style></head><body>",
        f"<h1>Monitoring of model version {e(str(data['model_version']))}: "
        f"{e(data['verdict'].upper())}</h1>",
        "<ul>" + "".join(f"<li>{e(r)}</li>" for r in data["reasons"]) + "</ul>",
    ]
    for title, header, rows in _sections(data):
        parts.append(f"<h2>{e(title)}</h2><table><thead><tr>")
        parts.append("".join(f"<th scope='col'>{e(h)}</th>" for h in header) + "</tr></thead>")
        parts.append(
            "<tbody>"
            + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody></table>"
        )
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(report: MonitoringReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.json``, ``report.md``, ``report.html`` and, when there is one, the
    full fairness audit under ``fairness/`` (the release gate's own report format)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", "utf-8")
    paths["md"].write_text(_markdown(data), "utf-8")
    paths["html"].write_text(_html(data), "utf-8")
    if report.fairness is not None:
        from bias_audits import write_reports

        paths["fairness"] = write_reports(report.fairness, out / "fairness")["json"]
    return paths
