"""Needs extraction: throughput on one core vs spaCy's bare tokenizer, and quality targets.

Figures
    * ``extract_words_per_s``: words (whitespace-separated) per second through the full
      pipeline (``NeedsExtractor.extract_many``) on a large set of notes, one process.
    * ``tokenizer_words_per_s`` and ``extract_vs_tokenizer``: the bare ``spacy.blank("en")``
      tokenizer on the same texts, and our share of its speed (both measured in this run, so
      machine noise mostly cancels).
    * dev set (``shared/intake_notes/dev.jsonl``) and synthetic notes (``casetriage.synth``):
      active-need micro F1, safety-need recall, status and experiencer accuracy.
"""

from __future__ import annotations

import json
import time
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


def _rate(fn, texts: list[str]) -> float:
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    fn(texts)
    return words / (time.perf_counter() - start)


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
    extractor.extract_many(texts[:200])  # warm caches outside the timing

    def run_tokenizer(batch: list[str]) -> None:
        for _ in tokenizer.pipe(batch, batch_size=256):
            pass

    def run_extractor(batch: list[str]) -> None:
        for _ in extractor.extract_many(batch, batch_size=256):
            pass

    tokenizer_rate = _rate(run_tokenizer, texts)
    extract_rate = _rate(run_extractor, texts)
    words = sum(len(t.split()) for t in texts)
    figures = [
        Figure(
            name="extract_words_per_s",
            value=extract_rate,
            unit="words/s",
            target=">= 100,000 (one core)",
            passed=extract_rate >= 100_000,
            detail=f"{len(texts):,} notes, {words:,} words, one process",
        ),
        Figure(
            name="tokenizer_words_per_s",
            value=tokenizer_rate,
            unit="words/s",
            detail='spacy.blank("en") tokenizer on the same texts',
        ),
        Figure(
            name="extract_vs_tokenizer",
            value=extract_rate / tokenizer_rate,
            unit="ratio",
            detail="share of the bare tokenizer's speed the full pipeline keeps",
        ),
    ]
    if DEV_NOTES.is_file():
        figures += _quality("dev", read_gold(DEV_NOTES), extractor)
    figures += _quality("synthetic", synthetic, extractor)
    return figures
