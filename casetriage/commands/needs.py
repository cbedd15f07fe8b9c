"""``casetriage extract`` and ``casetriage evaluate-needs``: needs extraction from notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["evaluate_needs", "extract", "register"]


def _load_extractor():
    """The shared extractor; a broken data file is a clear error (exit 2), not a traceback."""
    from features._resources import ResourceError
    from features.extractor import get_extractor

    try:
        return get_extractor()
    except ResourceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None


def extract(
    source: Annotated[str, typer.Argument(help="JSON lines {id, text}; '-' for stdin")],
    output: Annotated[
        str, typer.Option("-o", "--output", help="JSON lines {id, needs}; '-' for stdout")
    ] = "-",
    batch_size: Annotated[
        int, typer.Option(min=1, help="Docs per nlp.pipe batch (short notes share a Doc)")
    ] = 64,
    mentions: Annotated[
        bool, typer.Option(help="also write every mention of each need (for highlighting)")
    ] = False,
) -> None:
    """Extract needs (status, experiencer, evidence, ICD-10-CM code) from intake notes.

    Bad lines (not UTF-8, not JSON, no id or text, text not a string) are reported on
    stderr with their line number and field; the good lines are still written, and the
    exit code is 1 at the end.
    """
    from contextlib import ExitStack

    from features.jsonl_io import BadLine, read_note_lines

    bad: list[BadLine] = []

    def report(line: BadLine) -> None:
        bad.append(line)
        sys.stderr.write(json.dumps({"error": line.to_dict()}) + "\n")
        sys.stderr.flush()

    with ExitStack() as stack:
        if source == "-":
            reader, total = sys.stdin.buffer, None
        else:
            path = Path(source)
            if not path.is_file():
                raise typer.BadParameter(f"no such file: {source}", param_hint="SOURCE")
            reader, total = stack.enter_context(path.open("rb")), path.stat().st_size
        writer = (
            sys.stdout
            if output == "-"
            else stack.enter_context(open(output, "w", encoding="utf-8"))
        )
        advance = None
        if sys.stderr.isatty():
            from rich.progress import Progress

            progress = stack.enter_context(Progress(transient=True))
            task = progress.add_task("extracting", total=total)

            def advance(n: int) -> None:
                progress.advance(task, n)

        records = read_note_lines(reader, on_bad=report, on_bytes=advance)
        from collections import deque

        ids: deque[str | int] = deque()  # ids of notes in flight, so memory stays flat

        def texts():
            for record in records:
                ids.append(record.id)
                yield record.text

        extractor = _load_extractor()
        for needs in extractor.extract_many(texts(), batch_size=batch_size, mentions=mentions):
            writer.write(json.dumps({"id": ids.popleft(), "needs": needs}, ensure_ascii=False))
            writer.write("\n")
        writer.flush()
    if bad:
        typer.echo(f"{len(bad)} bad line(s) skipped; see the errors above", err=True)
        raise typer.Exit(code=1)


def evaluate_needs(
    gold: Annotated[Path, typer.Argument(help="labelled notes {id, text, needs}")],
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
) -> None:
    """P/R/F1 of active needs per need and overall, safety recall, status/experiencer accuracy,
    and the list of errors."""
    from features.evaluation import evaluate_extractions, read_gold

    if not gold.is_file():
        raise typer.BadParameter(f"no such file: {gold}", param_hint="GOLD")
    try:
        records = read_gold(gold)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    predicted = list(_load_extractor().extract_many(r["text"] for r in records))
    result = evaluate_extractions(records, predicted)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"active needs on {gold.name} ({result.n_notes} notes)")
    for column in ("need", "precision", "recall", "F1", "tp", "fp", "fn"):
        table.add_column(column, justify="left" if column == "need" else "right")
    for need, m in [*result.per_need.items(), ("micro (all)", result.micro)]:
        table.add_row(
            need,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            *(str(int(m[k])) for k in ("tp", "fp", "fn")),
        )
    console.print(table)
    console.print(f"safety-need recall: {result.safety_recall:.3f}")
    console.print(
        f"status accuracy: {result.status_accuracy:.3f}  experiencer accuracy: "
        f"{result.experiencer_accuracy:.3f}  (over {result.n_matched} gold needs also found)"
    )
    if result.errors:
        errors = Table(title=f"{len(result.errors)} error(s)")
        for column in ("id", "need", "gold", "predicted", "kind", "evidence"):
            errors.add_column(column)
        for e in result.errors:
            errors.add_row(
                str(e["id"]), e["need"], e["gold"], e["predicted"], e["kind"], e["evidence"]
            )
        console.print(errors)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("extract")(extract)
    app.command("evaluate-needs")(evaluate_needs)
