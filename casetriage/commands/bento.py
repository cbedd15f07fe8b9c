"""``casetriage bento``: the approved champion and the service, packaged as a Bento."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["bento", "register"]


def bento(
    bentofile: Annotated[
        Path, typer.Option(help="the build file (in the folder the Bento is built from)")
    ] = Path("bentofile.yaml"),
) -> None:
    """Export the champion into BentoML's model store, then ``bentoml build``.

    Refuses a champion with no passing or signed-off fairness audit. Serve the result with
    ``bentoml serve casetriage:latest`` (the same environment variables as ``casetriage
    serve``: database, roster, note key).
    """
    import bentoml

    from models.registry import ApprovalError
    from serving.bento_store import export_champion

    if not bentofile.is_file():
        typer.echo(f"error: --bentofile: no build file at {bentofile}", err=True)
        raise typer.Exit(2)
    try:
        exported = export_champion()
    except (ApprovalError, LookupError) as error:
        typer.echo(f"error: refusing to package: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"model {exported.tag} (MLflow version {exported.version}) in BentoML's store")
    built = bentoml.bentos.build_bentofile(
        str(bentofile), build_ctx=str(bentofile.resolve().parent)
    )
    typer.echo(f"bento {built.tag}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("bento")(bento)
