"""Score extracted needs against labelled notes (``shared/intake_notes`` format).

Error kinds: ``missed`` (the need is not found at all), ``spurious`` (found, not in the
gold labels), ``wrong_status`` / ``wrong_experiencer`` (found with other labels).

Figures: per-need and micro P/R/F1 of *active* needs (present, client) over all
(note, need) pairs; recall and precision of the safety needs (a need returned with
``confidence: possible`` counts as found: it reaches the supervisor as a safety need);
status and experiencer accuracy over the gold needs the system also found; the same
headline figures per writing style; and the errors, for a person to read.

A locked test split is read by nobody who tunes the extractor: :meth:`NeedsEvaluation.redacted`
gives its aggregate figures and error *categories* (kind, need, how the note said it, style)
with no note id, text or evidence.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.schemas import NEEDS, SAFETY_NEEDS, is_active

__all__ = [
    "FileEvaluation",
    "NeedsEvaluation",
    "NeedsReport",
    "evaluate_extractions",
    "evaluate_gold_files",
    "is_locked",
    "read_gold",
]

#: A gold record whose ``split`` is this belongs to the locked test split.
LOCKED_SPLIT = "locked"


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


@dataclass(kw_only=True)
class NeedsEvaluation:
    """The figures of one evaluation; see the module docstring."""

    n_notes: int
    per_need: dict[str, dict[str, float]]
    micro: dict[str, float]
    safety_recall: float
    safety_recall_by_need: dict[str, float]
    safety_precision: float
    safety_counts: dict[str, int]
    status_accuracy: float
    experiencer_accuracy: float
    n_matched: int
    n_possible: int
    by_style: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_length: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """The headline figures, as in each ``by_style`` entry."""
        return {
            "n_notes": self.n_notes,
            "precision": self.micro["precision"],
            "recall": self.micro["recall"],
            "f1": self.micro["f1"],
            "safety_recall": self.safety_recall,
            "safety_precision": self.safety_precision,
            "safety_gold": self.safety_counts["gold"],
            "status_accuracy": self.status_accuracy,
            "experiencer_accuracy": self.experiencer_accuracy,
            "n_matched": self.n_matched,
        }

    def error_categories(self) -> dict[str, list[dict[str, Any]]]:
        """Counts of errors by kind and need, by kind and cue (how the note said the need),
        by kind and tag, by kind and style, and by kind and the part that found the
        prediction (source and confidence): what went wrong, without any note."""

        def counted(*keys: str) -> list[dict[str, Any]]:
            counts = Counter(tuple(str(e.get(k) or "-") for k in keys) for e in self.errors)
            return [dict(zip(keys, key, strict=True)) | {"count": n} for key, n in counts.items()]

        tags = Counter((e["kind"], t) for e in self.errors for t in e.get("tags") or ())
        return {
            "by_need": sorted(counted("kind", "need"), key=lambda c: -c["count"]),
            "by_cue": sorted(counted("kind", "cue"), key=lambda c: -c["count"]),
            "by_style": sorted(counted("kind", "style"), key=lambda c: -c["count"]),
            "by_tag": [{"kind": k, "tag": t, "count": n} for (k, t), n in tags.most_common()],
            "by_source": sorted(counted("kind", "source", "confidence"), key=lambda c: -c["count"]),
        }

    def redacted(self) -> dict[str, Any]:
        """Everything but the errors themselves: figures and error categories only."""
        report = self.to_dict()
        del report["errors"]
        report["n_errors"] = len(self.errors)
        report["error_categories"] = self.error_categories()
        return report


def is_locked(records: Iterable[dict[str, Any]]) -> bool:
    """Whether any of these gold records belongs to the locked test split."""
    return any(r.get("split") == LOCKED_SPLIT for r in records)


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
            if not isinstance(record, dict):
                raise ValueError(f"{path}: line {number}: expected a JSON object")
            for key, kind in (("id", (str, int)), ("text", str), ("needs", list)):
                if not isinstance(record.get(key), kind):
                    raise ValueError(f"{path}: line {number}: field '{key}' missing or wrong type")
            for i, need in enumerate(record["needs"]):
                if not isinstance(need, dict) or need.get("need") not in NEEDS:
                    raise ValueError(f"{path}: line {number}: needs[{i}].need is not a known need")
                for key in ("status", "experiencer"):
                    if not isinstance(need.get(key), str):
                        raise ValueError(f"{path}: line {number}: needs[{i}].{key} is missing")
            records.append(record)
    return records


def _error_kind(g: dict | None, p: dict | None) -> str:
    """``missed`` (no prediction), ``spurious`` (no gold need), or which labels are wrong."""
    if p is None:
        return "missed"
    if g is None:
        return "spurious"
    wrong = [k for k in ("status", "experiencer") if g[k] != p[k]]
    return "wrong_" + "_and_".join(wrong)


def evaluate_extractions(
    gold: Iterable[dict[str, Any]], predicted: Iterable[list[dict[str, Any]]]
) -> NeedsEvaluation:
    """Compare predictions (one list of needs per note, in order) with gold records."""
    pairs = list(zip(gold, predicted, strict=True))
    result = _evaluate(pairs)
    styles = sorted({str(r["style"]) for r, _ in pairs if r.get("style")})
    if len(styles) > 1:
        result.by_style = {
            style: _evaluate([(r, p) for r, p in pairs if r.get("style") == style]).summary()
            for style in styles
        }
    lengths = {}
    for record, predicted in pairs:
        lengths.setdefault(_length_band(record.get("text", "")), []).append((record, predicted))
    if len(lengths) > 1:
        result.by_length = {
            band: _evaluate(lengths[band]).summary() for band in LENGTH_BANDS if band in lengths
        }
    return result


#: Note lengths reported apart: short notes like the dev notes, long assessments.
LENGTH_BANDS = ("short (< 80 words)", "medium", "long (>= 250 words)")


def _length_band(text: str) -> str:
    words = len(text.split())
    return LENGTH_BANDS[0] if words < 80 else LENGTH_BANDS[2] if words >= 250 else LENGTH_BANDS[1]


def _evaluate(pairs: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> NeedsEvaluation:
    counts = {need: [0, 0, 0] for need in NEEDS}
    safety_hits = {need: [0, 0] for need in SAFETY_NEEDS}
    safety_predicted = safety_correct = n_possible = 0
    status_ok = experiencer_ok = matched = 0
    errors: list[dict[str, Any]] = []
    for record, needs in pairs:
        gold_by_need = {n["need"]: n for n in record["needs"]}
        pred_by_need = {n["need"]: n for n in needs}
        for need in NEEDS:
            g, p = gold_by_need.get(need), pred_by_need.get(need)
            g_active, p_active = bool(g and is_active(g)), bool(p and is_active(p))
            if p_active and p.get("confidence") == "possible":
                n_possible += 1
            if g_active and p_active:
                counts[need][0] += 1
            elif p_active:
                counts[need][1] += 1
            elif g_active:
                counts[need][2] += 1
            if need in SAFETY_NEEDS:
                if g_active:
                    safety_hits[need][1] += 1
                    safety_hits[need][0] += p_active
                if p_active:
                    safety_predicted += 1
                    safety_correct += g_active
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
                        "kind": _error_kind(g, p),
                        "style": record.get("style"),
                        "cue": (g or {}).get("cue"),
                        "tags": list((g or {}).get("tags") or ()),
                        "confidence": (p or {}).get("confidence"),
                        "source": (p or {}).get("source"),
                    }
                )
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    safety_total = sum(h[1] for h in safety_hits.values())
    return NeedsEvaluation(
        n_notes=len(pairs),
        per_need={need: _prf(*c) for need, c in counts.items()},
        micro=_prf(tp, fp, fn),
        safety_recall=sum(h[0] for h in safety_hits.values()) / safety_total
        if safety_total
        else 1.0,
        safety_recall_by_need={
            need: (h[0] / h[1] if h[1] else float("nan")) for need, h in sorted(safety_hits.items())
        },
        safety_precision=safety_correct / safety_predicted if safety_predicted else 1.0,
        safety_counts={
            "gold": safety_total,
            "found": sum(h[0] for h in safety_hits.values()),
            "predicted": safety_predicted,
        },
        status_accuracy=status_ok / matched if matched else 0.0,
        experiencer_accuracy=experiencer_ok / matched if matched else 0.0,
        n_matched=matched,
        n_possible=n_possible,
        errors=errors,
    )


@dataclass(frozen=True, kw_only=True)
class FileEvaluation:
    """The evaluation of one gold file; ``role`` is ``locked``, ``train`` or ``tuned``."""

    path: str
    role: str
    evaluation: NeedsEvaluation

    def to_dict(self, *, details: bool) -> dict[str, Any]:
        if self.role == LOCKED_SPLIT or not details:
            figures = self.evaluation.redacted()
        else:
            figures = self.evaluation.to_dict()
        return {"path": self.path, "role": self.role, "evaluation": figures}


@dataclass(frozen=True, kw_only=True)
class NeedsReport:
    """Evaluations of several gold files and the generalisation gap between them.

    ``gap`` maps each non-locked file to its active-need F1 minus the locked split's (all
    locked files pooled): how much of a figure on notes we tuned on does not carry over to
    notes nobody tuning the extractor has read.
    """

    files: list[FileEvaluation]
    locked: NeedsEvaluation | None
    gap: dict[str, float]

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        return {
            "files": [f.to_dict(details=details) for f in self.files],
            "locked_pooled": self.locked.redacted() if self.locked else None,
            "gap_f1": self.gap,
        }


def _role(records: list[dict[str, Any]]) -> str:
    if is_locked(records):
        return LOCKED_SPLIT
    return "train" if any(r.get("split") == "train" for r in records) else "tuned"


def evaluate_gold_files(paths: Iterable[str | Path], extractor: Any) -> NeedsReport:
    """Run ``extractor`` over each gold file and compare; see :class:`NeedsReport`."""
    files, locked_pairs = [], []
    for path in paths:
        records = read_gold(path)
        predicted = list(extractor.extract_many(r["text"] for r in records))
        role = _role(records)
        files.append(
            FileEvaluation(
                path=str(path), role=role, evaluation=evaluate_extractions(records, predicted)
            )
        )
        if role == LOCKED_SPLIT:
            locked_pairs += zip(records, predicted, strict=True)
    locked = None
    if locked_pairs:
        locked = evaluate_extractions([r for r, _ in locked_pairs], [p for _, p in locked_pairs])
    gap = {
        f.path: f.evaluation.micro["f1"] - locked.micro["f1"]
        for f in files
        if locked is not None and f.role != LOCKED_SPLIT
    }
    return NeedsReport(files=files, locked=locked, gap=gap)
