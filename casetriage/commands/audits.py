"""``casetriage audit`` and ``casetriage audit-decisions``: fairness audits from the shell.

Exit codes: 0 the audit passed, 1 it failed or needs review, 2 bad input.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["audit", "audit_decisions_command", "register"]

EXIT_PASS = 0
EXIT_HELD = 1
EXIT_BAD_INPUT = 2


def _read_csv(path: Path):
    """Read a CSV or exit 2 with a message that names the file."""
    import pandas as pd

    if not path.is_file():
        typer.echo(f"error: data file {path} does not exist", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        frame = pd.read_csv(path, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        typer.echo(f"error: cannot read {path} as CSV: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    return frame, hashlib.sha256(path.read_bytes()).hexdigest()


def _load_policy(policy: Path | None):
    from bias_audits import AuditPolicy, PolicyError

    try:
        return AuditPolicy.load(policy)
    except PolicyError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _finish(verdict: str, reasons: list[str], paths: dict[str, Path]) -> None:
    typer.echo(f"verdict: {verdict.upper()}")
    for reason in reasons:
        typer.echo(f"  - {reason}")
    for kind, path in paths.items():
        typer.echo(f"{kind}: {path}")
    raise typer.Exit(EXIT_PASS if verdict == "pass" else EXIT_HELD)


def audit(
    data: Annotated[Path, typer.Argument(help="CSV table, one row per case")],
    label: Annotated[str, typer.Option(help="observed outcome column (0/1, true/false, yes/no)")],
    score: Annotated[
        str,
        typer.Option(help="prediction column: binary, probability or integer risk score"),
    ],
    sensitive: Annotated[
        list[str], typer.Option(help="sensitive attribute column (repeat for several)")
    ],
    out: Annotated[Path, typer.Option(help="folder for report.json, report.html, report.md")],
    threshold: Annotated[
        float | None,
        typer.Option(help="flag a case when score >= threshold (needed unless binary)"),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="release policy YAML (default core/config/release_policy.yaml)"),
    ] = None,
) -> None:
    """Audit any table's predictions for disparities between groups against the policy."""
    from bias_audits import AuditInputError, audit_table, write_reports

    frame, data_hash = _read_csv(data)
    audit_policy = _load_policy(policy)
    try:
        result = audit_table(
            frame,
            label=label,
            score=score,
            threshold=threshold,
            sensitive=sensitive,
            policy=audit_policy,
            source=str(data),
            source_sha256=data_hash,
        )
    except AuditInputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    kind = {"binary": "binary predictions", "probability": "probabilities"}.get(
        result.score_kind, "integer risk scores"
    )
    typer.echo(f"read '{score}' as {kind}; audited {result.provenance['n_rows_audited']} rows")
    dropped = result.provenance["dropped_missing_label_or_score"]
    if dropped:
        typer.echo(f"dropped {dropped} rows with a missing label or score")
    for column, missing in result.provenance["missing_by_attribute"].items():
        if missing:
            typer.echo(f"dropped {missing} rows with a missing '{column}' from that attribute")
    _finish(result.verdict, result.verdict_reasons, write_reports(result, out))


def audit_decisions_command(
    out: Annotated[Path, typer.Option(help="folder for report.json, report.html, report.md")],
    from_csv: Annotated[
        Path | None,
        typer.Option(
            "--from-csv",
            help="audit this CSV (suggested_tier, final_tier, overridden, override_direction "
            "and the sensitive columns) instead of the service's stored decisions",
        ),
    ] = None,
    sensitive: Annotated[
        list[str] | None,
        typer.Option(
            help="sensitive attribute column (repeat for several); default: every audited "
            "attribute the decided cases carry"
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="release policy YAML (default core/config/release_policy.yaml)"),
    ] = None,
) -> None:
    """Audit supervisors' decisions: override, up- and down-grade rates by group.

    By default reads the latest decision on every decided case from the service database
    (CASETRIAGE_DATABASE_URL); the cases' sensitive attributes are joined only here.
    """
    from bias_audits import AuditInputError, audit_decisions, write_decision_reports

    if from_csv is not None:
        frame, data_hash = _read_csv(from_csv)
        source = str(from_csv)
    else:
        frame, data_hash, source = _stored_decisions()
    attributes = sensitive or _attributes_present(frame)
    audit_policy = _load_policy(policy)
    try:
        result = audit_decisions(
            frame,
            sensitive=attributes,
            policy=audit_policy,
            source=source,
            source_sha256=data_hash,
        )
    except AuditInputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _finish(result.verdict, result.verdict_reasons, write_decision_reports(result, out))


def _stored_decisions():
    """The service's decided cases as a frame, a hash of its content and a source label."""
    from sqlalchemy.exc import SQLAlchemyError

    from serving.runtime import operator_store
    from serving.stored_decisions import stored_decisions

    try:
        with operator_store() as store:
            decided = stored_decisions(store)
    except (SQLAlchemyError, ValueError, OSError) as error:
        typer.echo(f"error: cannot read the service database: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if decided.frame.empty:
        typer.echo(
            "error: the service database holds no decided case yet; nothing to audit", err=True
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    return decided.frame, decided.sha256, decided.source


def _attributes_present(frame) -> list[str]:
    """Every audited attribute with at least one value in ``frame``; exit 2 when none."""
    from core.schemas import SENSITIVE_ATTRIBUTES
    from serving.stored_decisions import attributes_present

    present = list(attributes_present(frame))
    if not present:
        typer.echo(
            "error: --sensitive: no sensitive attribute column found "
            f"(looked for {', '.join(SENSITIVE_ATTRIBUTES)})",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    return present


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("audit")(audit)
    app.command("audit-decisions")(audit_decisions_command)
