"""Print ``casetriage evaluate-needs``'s figures as tables a person can read.

A locked split's notes never appear: only its figures and error categories.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from features.evaluation import LOCKED_SPLIT, NeedsEvaluation, NeedsReport

__all__ = ["print_report"]

_ROLE_WORDS = {
    LOCKED_SPLIT: "locked (never read while tuning)",
    "train": "training split (trained on)",
    "tuned": "tuned on",
}


def _headline_row(label: str, figures: dict[str, Any]) -> list[str]:
    return [
        label,
        str(figures["n_notes"]),
        f"{figures['precision']:.3f}",
        f"{figures['recall']:.3f}",
        f"{figures['f1']:.3f}",
        f"{figures['safety_recall']:.3f} of {figures['safety_gold']}",
        f"{figures['safety_precision']:.3f}",
        f"{figures['status_accuracy']:.3f}",
        f"{figures['experiencer_accuracy']:.3f}",
    ]


def _headline_table(report: NeedsReport) -> Table:
    table = Table(title="active needs: per file, per writing style and per note length")
    for column in (
        "file / style",
        "notes",
        "P",
        "R",
        "F1",
        "safety recall",
        "safety P",
        "status acc",
        "experiencer acc",
    ):
        table.add_column(column, justify="left" if column == "file / style" else "right")
    for item in report.files:
        name = f"{Path(item.path).name}: {_ROLE_WORDS[item.role]}"
        table.add_row(*_headline_row(name, item.evaluation.summary()), style="bold")
        for style, figures in item.evaluation.by_style.items():
            table.add_row(*_headline_row(f"  {style}", figures))
        for band, figures in item.evaluation.by_length.items():
            table.add_row(*_headline_row(f"  {band}", figures), style="italic")
    return table


def _per_need_table(name: str, result: NeedsEvaluation) -> Table:
    table = Table(title=f"active needs on {name} ({result.n_notes} notes)")
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
    return table


def _errors_table(result: NeedsEvaluation) -> Table:
    table = Table(title=f"{len(result.errors)} error(s)")
    for column in ("id", "need", "gold", "predicted", "kind", "cue", "evidence"):
        table.add_column(column)
    for e in result.errors:
        table.add_row(
            str(e["id"]),
            e["need"],
            e["gold"],
            e["predicted"],
            e["kind"],
            e.get("cue") or "",
            e["evidence"],
        )
    return table


def _categories_table(name: str, result: NeedsEvaluation, top: int = 15) -> Table:
    table = Table(title=f"error categories on {name} (no notes shown)")
    for column in ("kind", "need", "count", "", "kind ", "cue (how the note said it)", "count "):
        table.add_column(column)
    categories = result.error_categories()
    by_need, by_cue = categories["by_need"][:top], categories["by_cue"][:top]
    for i in range(max(len(by_need), len(by_cue))):
        left = by_need[i] if i < len(by_need) else None
        right = by_cue[i] if i < len(by_cue) else None
        table.add_row(
            left["kind"] if left else "",
            left["need"] if left else "",
            str(left["count"]) if left else "",
            "",
            right["kind"] if right else "",
            right["cue"] if right else "",
            str(right["count"]) if right else "",
        )
    return table


def _sources_table(name: str, result: NeedsEvaluation) -> Table:
    table = Table(title=f"errors on {name} by the part that found the need (no notes shown)")
    for column in ("kind", "found by", "confidence", "count"):
        table.add_column(column)
    for category in result.error_categories()["by_source"]:
        table.add_row(
            category["kind"], category["source"], category["confidence"], str(category["count"])
        )
    return table


def print_report(report: NeedsReport, *, details: bool) -> None:
    """Headline figures per file and style, the gap, and details or error categories."""
    # a pipe or a file gets the whole table rather than rich's 80 columns
    console = Console(width=None if sys.stdout.isatty() else 150)
    console.print(_headline_table(report))
    for item in report.files:
        result = item.evaluation
        name = Path(item.path).name
        if item.role == LOCKED_SPLIT:
            console.print(_categories_table(name, result))
            console.print(_sources_table(name, result))
            continue
        console.print(
            f"{name}: safety-need recall {result.safety_recall:.3f}, status accuracy "
            f"{result.status_accuracy:.3f}, experiencer accuracy "
            f"{result.experiencer_accuracy:.3f} (over {result.n_matched} gold needs also "
            f"found), {result.n_possible} active need(s) returned as 'possible'"
        )
        if details:
            console.print(_per_need_table(name, result))
            if result.errors:
                console.print(_errors_table(result))
    if report.locked is not None:
        f1 = report.locked.micro["f1"]
        for path, gap in report.gap.items():
            console.print(
                f"generalisation gap: {Path(path).name} F1 minus locked F1 ({f1:.3f}) = {gap:+.3f}"
            )
