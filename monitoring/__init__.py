"""Monitoring of the serving model version against the reference of its release.

A release records its training reference (:mod:`monitoring.reference`); on demand the
monitor compares the live caseload with it (:mod:`monitoring.drift`), measures what the
model and the people do on live cases, including the release gate's own fairness audit
on cases with outcomes (:mod:`monitoring.live_figures`), and reports a verdict
(:mod:`monitoring.report`). Importing this package does no work.
"""

from monitoring.caseload import LABEL, LiveCaseload
from monitoring.drift import DriftFigure, drift_figures, population_stability_index
from monitoring.policy import MonitoringPolicy, load_monitoring_policy
from monitoring.reference import (
    REFERENCE_ARTIFACT,
    ReferenceMissingError,
    TrainingReference,
    build_reference,
    load_reference,
    log_reference,
)
from monitoring.report import ALERT_VERDICTS, MonitoringReport, build_report, write_report

__all__ = [
    "ALERT_VERDICTS",
    "LABEL",
    "REFERENCE_ARTIFACT",
    "DriftFigure",
    "LiveCaseload",
    "MonitoringPolicy",
    "MonitoringReport",
    "ReferenceMissingError",
    "TrainingReference",
    "build_reference",
    "build_report",
    "drift_figures",
    "load_monitoring_policy",
    "load_reference",
    "log_reference",
    "population_stability_index",
    "write_report",
]
