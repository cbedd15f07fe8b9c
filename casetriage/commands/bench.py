"""``casetriage bench``: run the benchmarks of every part and print their figures."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["bench", "register"]

BENCHMARKS: tuple[str, ...] = (
    "synth",
    "needs",
    "models",
    "audits",
    "serving",
    "scale",
    "events",
    "monitoring",
)


def bench(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help=f"run only these benchmarks ({', '.join(BENCHMARKS)})"),
    ] = None,
    quick: Annotated[bool, typer.Option(help="smaller sizes, for a smoke run")] = False,
    out: Annotated[Path, typer.Option(help="where to write the figures as JSON")] = Path(
        "var/bench/latest.json"
    ),
) -> None:
    """Measure speed, memory and quality targets; print each figure beside its target."""
    from rich.console import Console
    from rich.table import Table

    selected = list(only or BENCHMARKS)
    unknown = sorted(set(selected) - set(BENCHMARKS))
    if unknown:
        raise typer.BadParameter(f"unknown benchmark(s): {', '.join(unknown)}", param_hint="--only")

    console = Console()
    table = Table(title="casetriage benchmarks")
    for column in ("benchmark", "figure", "value", "unit", "target", "met"):
        table.add_column(column)
    results = []
    for name in selected:
        console.print(f"[bold]running[/] {name} …")
        module = importlib.import_module(f"casetriage.benchmarks.{name}")
        for figure in module.run(quick=quick):
            met = {True: "yes", False: "NO", None: ""}[figure.passed]
            table.add_row(
                name, figure.name, f"{figure.value:,.4g}", figure.unit, figure.target, met
            )
            results.append({"benchmark": name, **figure.__dict__})
    console.print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    console.print(f"figures written to {out}")


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
