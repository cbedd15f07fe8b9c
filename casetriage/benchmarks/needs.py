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
    * ``extract_cli_memory_growth``: peak RSS on the whole file over a quarter of it.
    * the dev notes (``shared/intake_notes/dev.jsonl``, tuned on), the blind corpus's training
      split and its locked test split (``corpus/needs``), and synthetic notes
      (``casetriage.synth``): active-need micro F1, safety-need recall and precision, status
      and experiencer accuracy; the locked split's worst style; the generalisation gap.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from casetriage.benchmarks import Figure

__all__ = ["run"]

DEV_NOTES = Path("/work/shared/intake_notes/dev.jsonl")
TRAINING_SPLIT = Path("corpus/needs/train.jsonl")
LOCKED_SPLIT_FILE = Path("corpus/needs/locked.jsonl")


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


def _cli_seconds(texts: list[str]) -> tuple[float, float, float]:
    """Wall seconds of ``casetriage extract`` on a JSON-lines file of ``texts``, the peak
    RSS (MiB) of that command, and the file's size (MB)."""
    import subprocess
    import sys
    import tempfile

    import psutil

    with tempfile.TemporaryDirectory(prefix="casetriage-bench-extract-") as tmp:
        source = Path(tmp) / "notes.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for i, text in enumerate(texts):
                out.write(json.dumps({"id": i, "text": text}) + "\n")
        command = [sys.executable, "-m", "casetriage", "extract", str(source), "-o", f"{tmp}/o"]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        watched, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            try:
                peak = max(peak, watched.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        if child.wait() != 0:
            raise RuntimeError(f"casetriage extract exited with {child.returncode}")
        elapsed = time.perf_counter() - started
        size = source.stat().st_size / 1e6
    return elapsed, peak / 2**20, size


def _quality(prefix: str, gold: list[dict], extractor) -> list[Figure]:
    from features.evaluation import evaluate_extractions

    result = evaluate_extractions(gold, extractor.extract_many(g["text"] for g in gold))
    return _quality_figures(prefix, result)


def _quality_figures(prefix: str, result) -> list[Figure]:
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
            detail=f"{result.safety_counts['found']} of {result.safety_counts['gold']} safety "
            "needs found ('possible' counts as found)",
        ),
        Figure(
            name=f"{prefix}_safety_precision",
            value=result.safety_precision,
            unit="precision",
            target=">= 0.80",
            passed=result.safety_precision >= 0.80,
            detail=f"{result.safety_counts['predicted']} safety needs returned active",
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
    start_up, _, _ = _cli_seconds(texts[:1])
    _, quarter_peak, quarter_size = _cli_seconds(texts[: len(texts) // 4])
    cli_elapsed, cli_peak, cli_size = _cli_seconds(texts)
    cli_rate = words / cli_elapsed
    figures = [
        Figure(
            name="extract_words_per_s",
            value=extract_rate,
            unit="words/CPU-s",
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
            target=">= 0.05",
            passed=extract_rate / tokenizer_rate >= 0.05,
            detail="share of the bare tokenizer's speed the full pipeline (lexicon, classifier, "
            "safety net, ConText, refiner) keeps",
        ),
        Figure(
            name="extract_cli_words_per_s",
            value=cli_rate,
            unit="words/s",
            detail=f"casetriage extract on a {len(texts):,}-line file, {start_up:.1f} s of "
            f"start-up included ({words / (cli_elapsed - start_up):,.0f} words/s without); "
            f"peak RSS {cli_peak:,.0f} MiB",
        ),
        Figure(
            name="extract_cli_memory_growth",
            value=cli_peak / quarter_peak,
            unit="ratio",
            target="<= 1.15 (flat)",
            passed=cli_peak / quarter_peak <= 1.15,
            detail=f"peak RSS {cli_peak:,.0f} MiB on {cli_size:,.0f} MB of notes against "
            f"{quarter_peak:,.0f} MiB on {quarter_size:,.0f} MB: memory does not grow with "
            "the input (notes stream through in packs)",
        ),
    ]
    figures += _blind_quality(extractor)
    figures += _quality("synthetic", synthetic, extractor)
    return figures


def _blind_quality(extractor) -> list[Figure]:
    """The dev notes, the training split and the locked split, per style, and the gap."""
    from features.evaluation import LOCKED_SPLIT, evaluate_gold_files

    files = [p for p in (DEV_NOTES, TRAINING_SPLIT, LOCKED_SPLIT_FILE) if p.is_file()]
    report = evaluate_gold_files(files, extractor)
    figures = []
    for item in report.files:
        name = {LOCKED_SPLIT: "locked", "train": "train"}.get(item.role, "dev")
        figures += _quality_figures(name, item.evaluation)
        if item.role == LOCKED_SPLIT and item.evaluation.by_style:
            worst = min(item.evaluation.by_style.items(), key=lambda kv: kv[1]["f1"])
            figures.append(
                Figure(
                    name="locked_worst_style_f1",
                    value=worst[1]["f1"],
                    unit="F1",
                    target=">= 0.90",
                    passed=worst[1]["f1"] >= 0.90,
                    detail=", ".join(
                        f"{style} {f['f1']:.3f}" for style, f in item.evaluation.by_style.items()
                    ),
                )
            )
    for path, gap in report.gap.items():
        name = "dev" if Path(path) == DEV_NOTES else Path(path).stem
        figures.append(
            Figure(
                name=f"gap_{name}_minus_locked_f1",
                value=gap,
                unit="F1",
                target="<= 0.05" if name == "dev" else "",
                passed=gap <= 0.05 if name == "dev" else None,
                detail=f"active-need F1 on {Path(path).name} minus the locked split's",
            )
        )
    return figures
