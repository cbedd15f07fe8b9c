"""``casetriage train`` and ``casetriage score``: the risk model's commands."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "score", "train"]

_UNRELEASED = {"candidate"}


class Engine(StrEnum):
    local = "local"
    spark = "spark"


def train(
    data_dir: Annotated[Path, typer.Argument(help="folder with cases.csv (casetriage synth)")],
    config: Annotated[
        Path | None, typer.Option(help="model config (default core/config/model.yaml)")
    ] = None,
) -> None:
    """Train the model families, log the run to MLflow and register a 'candidate' version."""
    from models import ModelConfigError
    from models.registry import train_and_register

    try:
        logged = train_and_register(data_dir, config_path=config)
    except (FileNotFoundError, ValueError, ModelConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(logged["comparison"].to_string(index=False))
    typer.echo(f"run id:  {logged['run_id']}")
    typer.echo(f"version: {logged['version']} (alias: candidate)  family: {logged['family']}")
    for name, value in sorted(logged["metrics"].items()):
        if not name.startswith("selection_"):
            typer.echo(f"{name}: {value:.4f}")


def _read_input(path: Path, chunk_size: int):
    """Yield chunks of case dicts from a CSV or JSONL file (``-`` for JSONL on stdin)."""
    import pandas as pd

    if str(path) != "-" and path.suffix.lower() == ".csv":
        reader = pd.read_csv(
            path,
            dtype={"case_id": str, "previous_worker_id": str, "note": str},
            keep_default_na=False,
            chunksize=chunk_size,
        )
        for frame in reader:
            yield frame.to_dict("records")
        return
    stream = sys.stdin if str(path) == "-" else path.open()
    chunk = []
    with stream:
        for line_number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                chunk.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path} line {line_number}: not valid JSON ({error.msg})"
                ) from None
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def score(
    cases_path: Annotated[Path, typer.Argument(help="cases CSV or JSONL ('-' for stdin)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="output JSONL ('-' for stdout)")],
    model: Annotated[str, typer.Option(help="alias or version number")] = "champion",
    workers: Annotated[
        Path | None, typer.Option(help="workers.csv roster for caseworker suggestions")
    ] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="cases scored per batch")] = 1000,
    engine: Annotated[
        Engine,
        typer.Option(
            help="local: this process, JSONL out; spark: a Spark job, Parquet/JSONL folder"
        ),
    ] = Engine.local,
    master: Annotated[
        str, typer.Option(help="Spark master URL (--engine spark): local[N] or a cluster's")
    ] = "local[2]",
) -> None:
    """Score cases in chunks: needs, risk with reasons, tier and caseworker suggestions.

    With ``--engine spark`` a CSV or Parquet caseload is scored on Apache Spark by the same
    model code; OUT is then a new folder (Parquet, or JSON lines when it ends in .jsonl).
    """
    if engine is Engine.spark:
        _score_on_spark(cases_path, out, model=model, workers=workers, master=master)
        return
    from rich.progress import Progress

    from models import CaseInputError, TriageModel, read_roster
    from models.registry import ApprovalError

    unreleased = model in _UNRELEASED
    if unreleased:
        typer.echo(
            f"warning: scoring with '{model}', an UNRELEASED model that has not passed the "
            "fairness gate; do not use these scores for decisions",
            err=True,
        )
    try:
        roster = read_roster(workers) if workers is not None else None
        triage = TriageModel.load(model, roster=roster, require_approval=not unreleased)
    except (LookupError, ApprovalError, FileNotFoundError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if str(cases_path) != "-" and not cases_path.is_file():
        typer.echo(f"error: cases file not found: {cases_path}", err=True)
        raise typer.Exit(2)
    sink = sys.stdout if str(out) == "-" else out.open("w")
    n = 0
    try:
        with sink, Progress(disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("scoring", total=None)
            for chunk in _read_input(cases_path, chunk_size):
                for result in triage.score(chunk):
                    sink.write(result.model_dump_json() + "\n")
                n += len(chunk)
                progress.update(task, completed=n)
    except (CaseInputError, ValueError) as error:
        typer.echo(f"error: {error} (after {n} cases written)", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"scored {n} cases with model version {triage.version}", err=True)


def _score_on_spark(
    cases_path: Path, out: Path, *, model: str, workers: Path | None, master: str
) -> None:
    if workers is not None:
        typer.echo(
            "error: --workers: caseworker suggestions depend on the whole batch's caseload, "
            "so they are not made on Spark; score with --engine local for suggestions",
            err=True,
        )
        raise typer.Exit(2)
    if str(cases_path) == "-" or str(out) == "-":
        typer.echo("error: --engine spark reads and writes files, not stdin/stdout", err=True)
        raise typer.Exit(2)
    try:
        from models.spark import SparkScoringError, score_with_spark
    except ImportError as error:
        typer.echo(
            f"error: --engine spark needs pyspark ({error.name} is not installed): "
            "pip install 'casetriage[spark]'",
            err=True,
        )
        raise typer.Exit(2) from None
    from models.registry import ApprovalError

    unreleased = model in _UNRELEASED
    if unreleased:
        typer.echo(
            f"warning: scoring with '{model}', an UNRELEASED model that has not passed the "
            "fairness gate; do not use these scores for decisions",
            err=True,
        )
    try:
        summary = score_with_spark(
            cases_path, out, master=master, model=model, require_approval=not unreleased
        )
    except (LookupError, ApprovalError, SparkScoringError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"scored {summary.n_cases} cases with model version {summary.model_version} on "
        f"Spark {summary.master} in {summary.seconds:.1f} s -> {summary.out}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("train")(train)
    app.command("score")(score)
