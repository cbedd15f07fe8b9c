"""``casetriage extract`` and ``casetriage evaluate-needs``: needs extraction from notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["evaluate_needs", "extract", "register", "train_needs"]


def _load_extractor(**parts: bool):
    """The shared extractor, or one with only some ``parts``; a broken data file is a clear
    error (exit 2), not a traceback."""
    from features._resources import ResourceError
    from features.extractor import NeedsExtractor, get_extractor

    try:
        return NeedsExtractor(**parts) if not all(parts.values()) else get_extractor()
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


#: Gold files ``evaluate-needs`` reads when given none (those that exist): the labelled dev
#: notes the rules were tuned on, the blind corpus's training split and its locked test split.
TRAINING_SPLIT = Path("corpus/needs/train.jsonl")
LOCKED_SPLIT = Path("corpus/needs/locked.jsonl")
DEFAULT_GOLD = (Path("../shared/intake_notes/dev.jsonl"), TRAINING_SPLIT, LOCKED_SPLIT)


def evaluate_needs(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(help="labelled notes {id, text, needs}; default: dev, train and locked"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    details: Annotated[
        bool,
        typer.Option(help="per-need tables and the errors (never for a locked split)"),
    ] = False,
    lexicon: Annotated[bool, typer.Option(help="run the lexicon (to compare the parts)")] = True,
    classifier: Annotated[bool, typer.Option(help="run the sentence classifier")] = True,
    safety_net: Annotated[bool, typer.Option(help="run the safety net's warning signs")] = True,
    refiner: Annotated[bool, typer.Option(help="run the mention refiner")] = True,
) -> None:
    """P/R/F1 of active needs, safety recall and precision, status and experiencer accuracy,
    per file and per writing style, and the gap between the tuned-on notes and the locked
    split. A locked split (records with ``"split": "locked"``) shows only aggregate figures
    and error categories, never its notes."""
    from casetriage.commands._needs_report import print_report
    from features.evaluation import evaluate_gold_files

    files = gold or [path for path in DEFAULT_GOLD if path.is_file()]
    if not files:
        raise typer.BadParameter("no gold file given and none of the defaults exist")
    for path in files:
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {path}", param_hint="GOLD")
    parts = {
        "lexicon": lexicon,
        "classifier": classifier,
        "safety_net": safety_net,
        "refiner": refiner,
    }
    try:
        report = evaluate_gold_files(files, _load_extractor(**parts))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(details=details), indent=2))
    else:
        print_report(report, details=details or len(files) == 1)


def train_needs(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(help="labelled notes with evidence quotes; default: the training split"),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output-dir", help="where to write the two model files (default: packaged)"
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="training config (default core/config/needs_classifier.yaml)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Train the needs pipeline's sentence classifier on the training split.

    Each candidate of the config is scored end to end with leave-one-writer-out
    cross-validation; the best is fitted on all notes and written with its thresholds.
    The locked split is refused.
    """
    from features._mention_model import default_mention_model_path
    from features._need_model import default_model_path
    from features._resources import ResourceError
    from features.need_training import report_json, train_need_model

    files = gold or [TRAINING_SPLIT]
    for path in files:
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {path}", param_hint="GOLD")
    classifier_file, refiner_file = default_model_path(), default_mention_model_path()
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        classifier_file = output_dir / classifier_file.name
        refiner_file = output_dir / refiner_file.name
    try:
        report = train_need_model(
            files,
            classifier_file,
            refiner_file,
            config_path=config,
            progress=lambda message: typer.echo(message, err=True),
        )
    except (ValueError, ResourceError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if as_json:
        typer.echo(report_json(report))
        return
    typer.echo(f"{report.n_notes} notes, {report.n_sentences} sentences, writers {report.writers}")
    typer.echo("leave-one-writer-out cross-validation, active needs:")
    for row in report.candidates:
        typer.echo(
            f"  {row['candidate']:<70} F1 {row['f1']:.3f}  P {row['precision']:.3f}  "
            f"R {row['recall']:.3f}  safety recall {row['safety_recall']:.3f}"
        )
    typer.echo(f"chosen: {report.chosen}; the parts, cross-validated the same way:")
    for name, row in report.cross_validated.items():
        typer.echo(
            f"  {name:<45} F1 {row['f1']:.3f}  safety recall {row['safety_recall']:.3f} "
            f"(P {row['safety_precision']:.3f})  status {row['status_accuracy']:.3f}  "
            f"experiencer {row['experiencer_accuracy']:.3f}"
        )
    if report.weak_phrases:
        typer.echo(
            f"{len(report.weak_phrases)} weak lexicon phrases, read by the refiner: "
            + ", ".join(report.weak_phrases)
        )
    typer.echo(f"wrote {', '.join(report.outputs)}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("extract")(extract)
    app.command("evaluate-needs")(evaluate_needs)
    app.command("train-needs")(train_needs)
