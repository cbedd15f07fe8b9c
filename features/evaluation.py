"""Score extracted needs against labelled notes (``shared/intake_notes`` format).

Figures: per-need and micro P/R/F1 of *active* needs (present, client) over all
(note, need) pairs; recall of the safety needs; status and experiencer accuracy over
the gold needs the system also found; and the list of errors, for a person to read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from casetriage.schemas import NEEDS, SAFETY_NEEDS, is_active

__all__ = ["NeedsEvaluation", "evaluate_extractions", "read_gold"]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


@dataclass(kw_only=True)
class NeedsEvaluation:
    n_notes: int
    per_need: dict[str, dict[str, float]]
    micro: dict[str, float]
    safety_recall: float
    safety_recall_by_need: dict[str, float]
    status_accuracy: float
    experiencer_accuracy: float
    n_matched: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read labelled notes; a malformed line raises ``ValueError`` naming line and field."""
    records = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number}: not JSON ({exc.msg})") from exc
            for key, kind in (("id", (str, int)), ("text", str), ("needs", list)):
                if not isinstance(record.get(key), kind):
                    raise ValueError(f"{path}: line {number}: field '{key}' missing or wrong type")
            for i, need in enumerate(record["needs"]):
                if not isinstance(need, dict) or need.get("need") not in NEEDS:
                    raise ValueError(f"{path}: line {number}: needs[{i}].need is not a known need")
            records.append(record)
    return records


def evaluate_extractions(
    gold: Iterable[dict[str, Any]], predicted: Iterable[list[dict[str, Any]]]
) -> NeedsEvaluation:
    """Compare predictions (one list of needs per note, in order) with gold records."""
    counts = {need: [0, 0, 0] for need in NEEDS}
    safety_hits = {need: [0, 0] for need in SAFETY_NEEDS}
    status_ok = experiencer_ok = matched = n_notes = 0
    errors: list[dict[str, Any]] = []
    for record, needs in zip(gold, predicted, strict=True):
        n_notes += 1
        gold_by_need = {n["need"]: n for n in record["needs"]}
        pred_by_need = {n["need"]: n for n in needs}
        for need in NEEDS:
            g, p = gold_by_need.get(need), pred_by_need.get(need)
            g_active, p_active = bool(g and is_active(g)), bool(p and is_active(p))
            if g_active and p_active:
                counts[need][0] += 1
            elif p_active:
                counts[need][1] += 1
            elif g_active:
                counts[need][2] += 1
            if need in SAFETY_NEEDS and g_active:
                safety_hits[need][1] += 1
                safety_hits[need][0] += p_active
            if g and p:
                matched += 1
                status_ok += g["status"] == p["status"]
                experiencer_ok += g["experiencer"] == p["experiencer"]
            if (g_active != p_active) or (
                g and p and (g["status"], g["experiencer"]) != (p["status"], p["experiencer"])
            ):
                errors.append(
                    {
                        "id": record["id"],
                        "need": need,
                        "gold": f"{g['status']}/{g['experiencer']}" if g else "-",
                        "predicted": f"{p['status']}/{p['experiencer']}" if p else "-",
                        "evidence": p.get("evidence", "") if p else "",
                        "kind": "false_negative"
                        if g_active and not p_active
                        else "false_positive"
                        if p_active and not g_active
                        else "label",
                    }
                )
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    safety_total = sum(h[1] for h in safety_hits.values())
    return NeedsEvaluation(
        n_notes=n_notes,
        per_need={need: _prf(*c) for need, c in counts.items()},
        micro=_prf(tp, fp, fn),
        safety_recall=sum(h[0] for h in safety_hits.values()) / safety_total
        if safety_total
        else 1.0,
        safety_recall_by_need={
            need: (h[0] / h[1] if h[1] else float("nan")) for need, h in sorted(safety_hits.items())
        },
        status_accuracy=status_ok / matched if matched else 0.0,
        experiencer_accuracy=experiencer_ok / matched if matched else 0.0,
        n_matched=matched,
        errors=errors,
    )
