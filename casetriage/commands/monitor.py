"""``casetriage monitor``: the serving version's drift, calibration and live fairness.

Exit codes: 0 pass or review (printed), 1 fail or drift (alert: appended to the audit log),
2 bad input (unknown version, no reference, not a service database, bad policy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["monitor", "register"]

EXIT_OK = 0
EXIT_ALERT = 1
EXIT_BAD_INPUT = 2


def _figure(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,}" if isinstance(value, int) else f"{value:.3f}"


def monitor(
    database_url: Annotated[
        str | None,
        typer.Option(help="the service database (default CASETRIAGE_DATABASE_URL)"),
    ] = None,
    model_version: Annotated[
        str | None, typer.Option(help="model version or alias (default: champion)")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="folder for report.json/.md/.html (default var/reports/monitoring/…)"),
    ] = None,
    since: Annotated[
        float | None,
        typer.Option(min=0.0, help="only cases scored in the last DAYS days (default: all)"),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="monitoring policy YAML (default core/config/monitoring_policy.yaml)"),
    ] = None,
) -> None:
    """Compare the live caseload with the release's reference and audit live fairness.

    Prints the headline figures and the verdict. A `fail` (the release gate's fairness
    audit fails on live decided cases with outcomes) or `drift` (beyond the policy's
    threshold) is appended to the audit log and exits 1, so a scheduler can alert.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from core.config import ConfigError
    from core.settings import get_settings
    from serving.audit_log import CLI_ACTOR
    from serving.monitoring_run import MonitoringError, run_monitoring

    try:
        run = run_monitoring(
            database_url=database_url or get_settings().database_url,
            actor=CLI_ACTOR,
            model_version=model_version,
            since_days=since,
            out_dir=out,
            policy_path=policy,
        )
    except (MonitoringError, ConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (SQLAlchemyError, OSError) as error:
        typer.echo(f"error: cannot read the service database: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    report = run.report
    typer.echo(f"model version {report.model_version}: {report.scores['source']}")
    for name, value in report.headline().items():
        if name != "verdict":
            typer.echo(f"  {name.replace('_', ' ')}: {_figure(value)}")
    typer.echo(f"verdict: {report.verdict.upper()}")
    for reason in report.reasons:
        typer.echo(f"  - {reason}")
    for kind, path in run.paths.items():
        typer.echo(f"{kind}: {path}")
    if run.audit_entry is not None:
        typer.echo(f"alert recorded as audit entry {run.audit_entry['seq']}")
    raise typer.Exit(EXIT_ALERT if report.alert else EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add ``monitor`` to ``app``."""
    app.command("monitor")(monitor)
