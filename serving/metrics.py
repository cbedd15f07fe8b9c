"""The service's Prometheus counters and gauges, in ``prometheus_client``'s default
registry, which ``/metrics`` exposes. They are created on first use, once per process.

The monitoring gauges are set from the latest monitoring report (``casetriage monitor``
writes ``REPORTS/monitoring/latest.json``); ``/metrics`` re-reads it when it changed, so
an alert rule can fire on drift or a failing live fairness audit.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = [
    "MONITORING_GAUGES",
    "MONITORING_VERDICTS",
    "counters",
    "monitoring_gauges",
    "publish_monitoring",
    "refresh_monitoring_gauges",
]

#: Headline figure of the monitoring report -> the help text of its gauge.
MONITORING_GAUGES = {
    "n_scores": "cases scored by the version in the monitoring window",
    "n_with_outcome": "decided cases with a 90-day outcome",
    "score_psi": "PSI of the risk probabilities against the release's holdout",
    "max_psi": "largest PSI of any field, need rate, score or tier",
    "drifted": "figures drifted beyond the policy's threshold",
    "review": "figures beyond the policy's review threshold",
    "override_rate": "share of decided cases whose suggestion a supervisor overrode",
    "possible_safety_share": "share of cases with a safety need only the safety net saw",
    "auc": "AUC of the risk against the 90-day outcome",
    "brier": "Brier score of the risk against the 90-day outcome",
    "ece": "expected calibration error against the 90-day outcome",
    "calibration_slope": "calibration slope (1 is calibrated)",
}
MONITORING_VERDICTS = ("pass", "review", "drift", "fail")


@functools.cache
def counters() -> dict[str, Any]:
    from prometheus_client import Counter

    return {
        "scores": Counter("casetriage_scores_total", "scores stored or replayed", ["outcome"]),
        "decisions": Counter(
            "casetriage_decisions_total", "supervisors' decisions", ["action", "amend"]
        ),
        "erasures": Counter("casetriage_erasures_total", "cases erased"),
        "outcomes": Counter(
            "casetriage_outcomes_total", "outcomes told by case systems", ["status"]
        ),
        "scorer_retries": Counter(
            "casetriage_scorer_retries_total",
            "calls to the scorer retried after a dropped connection",
        ),
    }


@functools.cache
def monitoring_gauges() -> dict[str, Any]:
    from prometheus_client import Gauge

    gauges = {
        name: Gauge(f"casetriage_monitoring_{name}", text, ["model_version"])
        for name, text in MONITORING_GAUGES.items()
    }
    gauges["verdict"] = Gauge(
        "casetriage_monitoring_verdict",
        "1 for the latest monitoring verdict, 0 for the others",
        ["model_version", "verdict"],
    )
    gauges["created"] = Gauge(
        "casetriage_monitoring_report_timestamp_seconds",
        "when the latest monitoring report was made (Unix time)",
        ["model_version"],
    )
    return gauges


def publish_monitoring(report: dict[str, Any]) -> None:
    """Set the monitoring gauges from a report's JSON (``report.json``)."""
    from datetime import datetime

    gauges = monitoring_gauges()
    version = str(report["model_version"])
    headline = report["headline"]
    for name in MONITORING_GAUGES:
        value = headline.get(name)
        gauges[name].labels(model_version=version).set(float("nan") if value is None else value)
    for verdict in MONITORING_VERDICTS:
        gauges["verdict"].labels(model_version=version, verdict=verdict).set(
            float(report["verdict"] == verdict)
        )
    created = datetime.fromisoformat(report["created_at"]).timestamp()
    gauges["created"].labels(model_version=version).set(created)


_SEEN: dict[str, float] = {}


def refresh_monitoring_gauges(latest: Path) -> None:
    """Publish ``latest`` (a report's JSON) when it is new or changed since the last call;
    a missing or unreadable file leaves the gauges as they were."""
    try:
        modified = latest.stat().st_mtime
        if _SEEN.get(str(latest)) == modified:
            return
        report = json.loads(latest.read_text(encoding="utf-8"))
        publish_monitoring(report)
    except (OSError, ValueError, KeyError, TypeError):
        return
    _SEEN[str(latest)] = modified
