"""Needs extraction: throughput on one core vs spaCy's bare tokenizer, and quality targets.

Figures
    * ``extract_words_per_s``: words (whitespace-separated) per CPU-second of one process
      through the full pipeline (``NeedsExtractor.extract_many``) on a large set of notes;
      the wall-clock rate is in its detail (equal on a quiet machine).
    * ``tokenizer_words_per_s`` and ``extract_vs_tokenizer``: the bare ``spacy.blank("en")``
      tokenizer on the same texts, and our share of its speed. The two alternate in slices
      of 1,000 notes, so a neighbour's load falls on both alike and the ratio stays put.
    * ``extract_cli_words_per_s``: ``casetriage extract`` on a JSON-lines file of those notes,
      start-up, reading and writing included, and the command's peak memory.
    * dev set (``shared/intake_notes/dev.jsonl``) and synthetic notes (``casetriage.synth``):
      active-need micro F1, safety-need recall, status and experiencer accuracy.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from casetriage.benchmarks import Figure

__all__ = ["run"]

DEV_NOTES = Path("/work/shared/intake_notes/dev.jsonl")


def _corpus(records: list[dict], target_words: int) -> list[str]:
    texts, words, i = [], 0, 0
    while words < target_words:
        text = records[i % len(records)]["text"]
        texts.append(text)
        words += len(text.split())
        i += 1
    return texts


@dataclass
class _Clock:
    """CPU and wall seconds spent in one kind of work."""

    cpu: float = 0.0
    wall: float = 0.0

    def time(self, work, batch: list[str]) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        work(batch)
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall


def _alternating(works: dict[str, object], texts: list[str], slice_size: int = 1000):
    """Time each work on the same texts, alternating slice by slice."""
    clocks = {name: _Clock() for name in works}
    for i in range(0, len(texts), slice_size):
        for name, work in works.items():
            clocks[name].time(work, texts[i : i + slice_size])
    return clocks


def _cli_seconds(texts: list[str]) -> tuple[float, float]:
    """Wall seconds of ``casetriage extract`` on a JSON-lines file of ``texts``, and the
    peak RSS (MiB) of the command so far."""
    import resource
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="casetriage-bench-extract-") as tmp:
        source = Path(tmp) / "notes.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for i, text in enumerate(texts):
                out.write(json.dumps({"id": i, "text": text}) + "\n")
        command = [sys.executable, "-m", "casetriage", "extract", str(source), "-o", f"{tmp}/o"]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _quality(prefix: str, gold: list[dict], extractor) -> list[Figure]:
    from features.evaluation import evaluate_extractions

    result = evaluate_extractions(gold, extractor.extract_many(g["text"] for g in gold))
    detail = f"{result.n_notes} notes"
    return [
        Figure(
            name=f"{prefix}_active_micro_f1",
            value=result.micro["f1"],
            unit="F1",
            target=">= 0.90",
            passed=result.micro["f1"] >= 0.90,
            detail=detail,
        ),
        Figure(
            name=f"{prefix}_safety_recall",
            value=result.safety_recall,
            unit="recall",
            target="= 1.00",
            passed=result.safety_recall == 1.0,
            detail=detail,
        ),
        Figure(
            name=f"{prefix}_status_accuracy",
            value=result.status_accuracy,
            unit="accuracy",
            target=">= 0.90",
            passed=result.status_accuracy >= 0.90,
            detail=f"over {result.n_matched} gold needs also found",
        ),
        Figure(
            name=f"{prefix}_experiencer_accuracy",
            value=result.experiencer_accuracy,
            unit="accuracy",
            target=">= 0.90",
            passed=result.experiencer_accuracy >= 0.90,
            detail=f"over {result.n_matched} gold needs also found",
        ),
    ]


def _synthetic_gold(n_cases: int, seed: int) -> list[dict]:
    from casetriage.synth import generate_caseload

    cases = generate_caseload(n_cases=n_cases, seed=seed).cases
    return [
        {"id": i, "text": t, "needs": json.loads(g)}
        for i, t, g in zip(cases["case_id"], cases["note"], cases["gold_needs"], strict=True)
    ]


def run(*, quick: bool) -> list[Figure]:
    """Measure throughput and quality; ``quick`` uses ~0.3M words instead of ~3M."""
    import spacy

    from features.evaluation import read_gold
    from features.extractor import get_extractor

    extractor = get_extractor()
    synthetic = _synthetic_gold(300 if quick else 2000, seed=20240611)
    texts = _corpus(synthetic, 300_000 if quick else 3_000_000)
    tokenizer = spacy.blank("en").tokenizer
    for _ in extractor.extract_many(texts[:2000]):  # warm caches outside the timing
        pass
    for _ in tokenizer.pipe(texts[:2000]):
        pass

    def run_tokenizer(batch: list[str]) -> None:
        for _ in tokenizer.pipe(batch, batch_size=256):
            pass

    def run_extractor(batch: list[str]) -> None:
        for _ in extractor.extract_many(batch):
            pass

    clocks = _alternating({"tokenizer": run_tokenizer, "extract": run_extractor}, texts)
    words = sum(len(t.split()) for t in texts)
    extract_rate = words / clocks["extract"].cpu
    tokenizer_rate = words / clocks["tokenizer"].cpu
    start_up, _ = _cli_seconds(texts[:1])
    cli_elapsed, cli_peak = _cli_seconds(texts)
    cli_rate = words / cli_elapsed
    figures = [
        Figure(
            name="extract_words_per_s",
            value=extract_rate,
            unit="words/CPU-s",
            target=">= 100,000 (one core)",
            passed=extract_rate >= 100_000,
            detail=f"{len(texts):,} notes, {words:,} words, one process; "
            f"wall clock {words / clocks['extract'].wall:,.0f} words/s",
        ),
        Figure(
            name="tokenizer_words_per_s",
            value=tokenizer_rate,
            unit="words/CPU-s",
            detail='spacy.blank("en") tokenizer on the same texts, alternating with extract',
        ),
        Figure(
            name="extract_vs_tokenizer",
            value=extract_rate / tokenizer_rate,
            unit="ratio",
            detail="share of the bare tokenizer's speed the full pipeline keeps",
        ),
        Figure(
            name="extract_cli_words_per_s",
            value=cli_rate,
            unit="words/s",
            detail=f"casetriage extract on a {len(texts):,}-line file, {start_up:.1f} s of "
            f"start-up included ({words / (cli_elapsed - start_up):,.0f} words/s without); "
            f"peak RSS {cli_peak:,.0f} MiB",
        ),
    ]
    if DEV_NOTES.is_file():
        figures += _quality("dev", read_gold(DEV_NOTES), extractor)
    figures += _quality("synthetic", synthetic, extractor)
    return figures
