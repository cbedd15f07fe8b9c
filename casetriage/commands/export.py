"""``casetriage export-training``: the service's decided cases with outcomes, to train on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["export_training", "register"]


def export_training(
    out_dir: Annotated[Path, typer.Argument(help="a new or empty directory to write into")],
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="only cases created on or after this day"),
    ] = None,
    include_notes: Annotated[
        bool,
        typer.Option(
            "--include-notes",
            help="add each case's note text (then needs are extracted afresh in training)",
        ),
    ] = False,
) -> None:
    """Export decided cases with outcomes, de-identified, as a caseload `casetriage train` reads.

    Writes cases.csv (structured fields, needs without their text, sensitive attributes in
    their own columns, the label crisis_90d and supervisor_final_tier, never a label),
    model.yaml and manifest.json. The export is recorded in the audit log.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from casetriage.training_export import ExportError, write_training_export
    from serving.audit_log import CLI_ACTOR
    from serving.runtime import operator_store

    try:
        with operator_store() as store:
            export = write_training_export(
                store,
                out_dir,
                actor=CLI_ACTOR,
                since=since.date() if since else None,
                include_notes=include_notes,
            )
    except ExportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except (SQLAlchemyError, OSError) as error:
        typer.echo(f"error: cannot export from the service database: {error}", err=True)
        raise typer.Exit(1) from None
    counts = export.manifest["counts"]
    typer.echo(
        f"exported {counts['cases']} cases ({counts['crisis']} with a crisis within 90 days) "
        f"to {out_dir}; left out: "
        + ", ".join(f"{name} {n}" for name, n in counts["left_out"].items())
    )
    typer.echo(f"audit entry {export.manifest['export_audit_entry']['seq']}")
    typer.echo(f"train with: {export.train_command}")


def register(app: typer.Typer) -> None:
    """Add ``export-training`` to ``app``."""
    app.command("export-training")(export_training)
