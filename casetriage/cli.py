"""The ``casetriage`` command line: wires each command to the package that does the work.

Every command module imports its heavy dependencies inside the command, so
``casetriage --help`` stays fast and importing this module does no work.
"""

from __future__ import annotations

import typer

from casetriage.commands import (
    audits,
    bench,
    bento,
    data,
    events,
    export,
    modeling,
    monitor,
    needs,
    release,
    retention,
    service,
)

__all__ = ["app", "main"]

app = typer.Typer(
    name="casetriage",
    help="Triage social-services cases: extract needs, score risk, audit fairness, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (
    data,
    needs,
    modeling,
    audits,
    release,
    service,
    bento,
    export,
    retention,
    events,
    monitor,
    bench,
):
    module.register(app)


def main() -> None:
    app()
