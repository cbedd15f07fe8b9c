"""``casetriage retention apply``: erase closed cases the retention policy no longer keeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["apply", "register", "retention_app"]

retention_app = typer.Typer(
    help="The retention policy (core/config/retention_policy.yaml).", no_args_is_help=True
)


@retention_app.command("apply")
def apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list the cases due; erase nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    policy: Annotated[
        Path | None, typer.Option(help="an operator's copy of retention_policy.yaml")
    ] = None,
) -> None:
    """Erase closed cases past their keeping period, as a right-to-erasure request would.

    Each erasure is chained with the reason "retention" and the policy's version; the run
    ends with one retention_run entry, a clean-up of the freed bytes and a check of the
    whole chain. Running it again erases nothing new. Exit 1 if the chain does not verify,
    2 if the policy is invalid.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from core.config import ConfigError
    from serving.audit_log import CLI_ACTOR, verify_chain
    from serving.retention import apply_retention
    from serving.retention_policy import RetentionPolicy
    from serving.runtime import operator_store

    try:
        loaded = RetentionPolicy.load(policy)
    except ConfigError as error:
        typer.echo(f"error: --policy: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        with operator_store() as store:
            report = apply_retention(store, loaded, actor=CLI_ACTOR, dry_run=dry_run)
            with store.read_sessions() as session:
                chain = verify_chain(session)
    except (SQLAlchemyError, OSError) as error:
        typer.echo(f"error: cannot apply retention to the service database: {error}", err=True)
        raise typer.Exit(1) from None
    result = report.to_dict() | {
        "chain": {"ok": chain.ok, "entries": chain.entries, "problem": chain.problem}
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        verb = "due (dry run, nothing erased)" if dry_run else "erased"
        typer.echo(
            f"retention policy v{report.policy_version} as of {result['as_of']}: "
            f"{len(report.due)} cases {verb}; {report.closed_kept} closed and kept; "
            f"{report.open} open"
        )
        pruned = "to prune" if dry_run else "pruned"
        typer.echo(f"{report.events_pruned} settled decision events {pruned}")
        if not dry_run:
            typer.echo(
                f"scrubbed {report.scores_scrubbed} scores and "
                f"{report.decisions_scrubbed} decision reasons; freed bytes: "
                f"{report.purge['action']} "
                + ("complete" if report.purge["complete"] else "INCOMPLETE (busy readers)")
            )
        state = "intact" if chain.ok else f"BROKEN at entry {chain.first_bad_seq}"
        typer.echo(f"audit log {state}: {chain.entries} entries")
    if not chain.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``retention`` to ``app``."""
    app.add_typer(retention_app, name="retention")
