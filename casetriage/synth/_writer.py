"""Write a caseload to a directory: cases.csv, notes.jsonl, workers.csv, manifest.json."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from casetriage.synth._generate import Caseload
from core.schemas import NEEDS

__all__ = ["GENERATOR_VERSION", "OUTPUT_FILES", "oracle_auc", "summarise", "write_caseload"]

GENERATOR_VERSION = "1.0.0"
OUTPUT_FILES: tuple[str, ...] = ("cases.csv", "notes.jsonl", "workers.csv", "manifest.json")


def oracle_auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney form); None when only one class is present."""
    labels = np.asarray(labels).astype(bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def summarise(caseload: Caseload) -> dict:
    """The figures the manifest reports: oracle AUC, base rates, prevalence, styles."""
    cases = caseload.cases
    recorded = cases["crisis_90d"].to_numpy()
    true = cases["crisis_90d_true"].to_numpy()
    probability = cases["true_probability"].to_numpy()
    active = dict.fromkeys(NEEDS, 0)
    mentioned = dict.fromkeys(NEEDS, 0)
    for gold in cases["gold_needs"]:
        for label in json.loads(gold):
            mentioned[label["need"]] += 1
            if label["status"] == "present" and label["experiencer"] == "client":
                active[label["need"]] += 1
    auc = oracle_auc(probability, recorded)
    auc_true = oracle_auc(probability, true)
    group_column = caseload.switches.target_group.attribute
    return {
        "oracle_auc": None if auc is None else round(auc, 4),
        "oracle_auc_true_outcome": None if auc_true is None else round(auc_true, 4),
        "base_rate": round(float(recorded.mean()), 4),
        "base_rate_true_outcome": round(float(true.mean()), 4),
        f"base_rate_by_{group_column}": {
            str(group): {
                "n": len(rows),
                "recorded": round(float(rows["crisis_90d"].mean()), 4),
                "true": round(float(rows["crisis_90d_true"].mean()), 4),
            }
            for group, rows in cases.groupby(group_column, sort=True)
        },
        "active_need_prevalence": {n: round(c / len(cases), 4) for n, c in active.items()},
        "need_mentions": mentioned,
        "note_styles": {
            str(k): int(v) for k, v in caseload.note_styles.value_counts().sort_index().items()
        },
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="")
    os.replace(partial, path)


def write_caseload(caseload: Caseload, out_dir: Path) -> dict:
    """Write the four files into ``out_dir`` (created if missing) and return the manifest.

    The bytes depend only on the seed, the switches and the config: no clock, no host. The
    manifest is written last, so its presence means the other three files are complete.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = caseload.cases
    notes = "".join(
        json.dumps({"id": i, "text": t, "needs": json.loads(g)}, ensure_ascii=False) + "\n"
        for i, t, g in zip(cases["case_id"], cases["note"], cases["gold_needs"], strict=True)
    )
    _write_atomic(out_dir / "cases.csv", cases.to_csv(index=False, lineterminator="\n"))
    _write_atomic(out_dir / "notes.jsonl", notes)
    _write_atomic(
        out_dir / "workers.csv", caseload.workers.to_csv(index=False, lineterminator="\n")
    )
    manifest = {
        "generator": "casetriage.synth",
        "generator_version": GENERATOR_VERSION,
        "config_version": caseload.config.version,
        "config_sha256": _sha256(Path(caseload.config.source)),
        "seed": caseload.seed,
        "n": len(cases),
        "n_workers": len(caseload.workers),
        "reference_date": caseload.config.reference_date.isoformat(),
        "switches": caseload.switches.to_dict(),
        **({"shift": caseload.shift.to_dict()} if caseload.shift.any_active else {}),
        **summarise(caseload),
        "files": {name: _sha256(out_dir / name) for name in OUTPUT_FILES[:-1]},
    }
    _write_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest
