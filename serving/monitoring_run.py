"""One monitoring run against the service database: read, report, record, publish.

``casetriage monitor`` calls :func:`run_monitoring`; the report's JSON is also copied to
``latest.json`` under the reports folder, where ``/metrics`` and the reviewer's page find
it. A verdict that should alert (``fail`` or ``drift``) is appended to the audit chain.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from serving.audit_log import Actor, append_entry
from serving.database import make_engine, make_session_factory
from serving.live_cases import read_live_cases

__all__ = [
    "MonitoringError",
    "MonitoringRun",
    "latest_report_path",
    "read_latest_report",
    "run_monitoring",
]

_TABLES = ("scores", "cases", "score_needs", "decisions", "outcomes", "sensitive_attributes")


class MonitoringError(ValueError):
    """The run cannot start: no such version, no reference, not a service database."""


@dataclass(frozen=True, kw_only=True)
class MonitoringRun:
    report: Any
    paths: dict[str, Path]
    audit_entry: dict[str, Any] | None


def latest_report_path() -> Path:
    """Where the latest monitoring report's JSON is kept."""
    from core.settings import get_settings

    return get_settings().reports_dir / "monitoring" / "latest.json"


def _resolve(model_version: str | None):
    from models import registry
    from monitoring import ReferenceMissingError, load_reference

    try:
        version = registry.resolve_version(model_version or "champion")
        return version, load_reference(version)
    except (LookupError, ValueError) as error:
        if isinstance(error, ReferenceMissingError):
            raise MonitoringError(str(error)) from None
        raise MonitoringError(f"--model-version: {error}") from None


def _alert_details(report, paths: dict[str, Path]) -> dict[str, Any]:
    """What the chain keeps of an alert: figures and names, no case or person."""
    return {
        "verdict": report.verdict,
        "fairness_verdict": report.fairness_verdict,
        "drifted": [f"{f.kind}:{f.name}" for f in report.drifted("drift")],
        "n_scores": report.scores["n"],
        "n_with_outcome": report.calibration["n"],
        "policy_sha256": report.policy.sha256,
        "report": str(paths["json"]),
    }


def run_monitoring(
    *,
    database_url: str,
    actor: Actor,
    model_version: str | None = None,
    since_days: float | None = None,
    out_dir: Path | None = None,
    policy_path: Path | None = None,
) -> MonitoringRun:
    """Monitor ``model_version`` (default: the ``champion`` alias) on the database's cases.

    Raises
    ------
    MonitoringError
        Unknown version, a version without a reference, or a database without the
        service's tables.
    core.config.ConfigError
        The monitoring policy is invalid.
    """
    from bias_audits import AuditPolicy
    from core.settings import get_settings
    from models import PriorityPolicy
    from monitoring import build_report, load_monitoring_policy, write_report

    policy = load_monitoring_policy(policy_path)
    version, reference = _resolve(model_version)
    try:
        engine = make_engine(database_url)
    except ValueError as error:
        raise MonitoringError(f"--database-url: {error}") from None
    try:
        missing = sorted(set(_TABLES) - set(inspect(engine).get_table_names()))
        if missing:
            raise MonitoringError(
                f"--database-url: {engine.url.render_as_string(hide_password=True)} is not a "
                f"casetriage service database (no table {', '.join(missing)})"
            )
        caseload = read_live_cases(
            make_session_factory(engine, read_only=True),
            model_version=version,
            since_days=since_days,
        )
        report = build_report(
            caseload,
            reference,
            policy=policy,
            audit_policy=AuditPolicy.load(),
            threshold=PriorityPolicy.load().thresholds[2],
            model_name=get_settings().model_name,
            window={
                "since_days": since_days,
                "until": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = out_dir or get_settings().reports_dir / "monitoring" / f"v{version}-{stamp}"
        paths = write_report(report, out)
        latest = latest_report_path()
        latest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(paths["json"], latest)
        entry = None
        if report.alert:
            with make_session_factory(engine).begin() as session:
                row = append_entry(
                    session,
                    actor=actor,
                    action="monitoring_alert",
                    model_version=version,
                    details=_alert_details(report, paths),
                )
                entry = {"seq": row.seq, "entry_hash": row.entry_hash}
    finally:
        engine.dispose()
    return MonitoringRun(report=report, paths=paths, audit_entry=entry)


def read_latest_report() -> dict[str, Any] | None:
    """The latest report's JSON, or None when no run has written one."""
    try:
        return json.loads(latest_report_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
