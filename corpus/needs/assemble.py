"""Assemble the blind needs corpus from the writers' and reviewers' folders.

Usage: python corpus/needs/assemble.py WORK_DIR

WORK_DIR holds one folder per writer (T* for the training split, L* for the locked test
split), each with the writer's ``notes.jsonl`` and the second reader's ``reviewed.jsonl``
and ``review_log.jsonl``. The reviewed labels are the gold standard. This script prints
only counts, never a note, so that running it does not expose the locked split.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = {"train": "T", "locked": "L"}
KEEP = ("need", "status", "experiencer", "evidence", "cue", "tags")


def _records(folder: Path) -> list[dict]:
    source = folder / "reviewed.jsonl"
    if not source.is_file():
        raise SystemExit(f"{folder}: no reviewed.jsonl (every note needs a second reader)")
    lines = source.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def main(work: Path) -> None:
    for split, prefix in SPLITS.items():
        notes_dir = HERE / "writers" / split
        notes_dir.mkdir(parents=True, exist_ok=True)
        out, log = [], []
        for folder in sorted(p for p in work.iterdir() if p.is_dir() and p.name.startswith(prefix)):
            for record in _records(folder):
                needs = [{k: n[k] for k in KEEP if k in n} for n in record["needs"]]
                out.append(
                    {
                        "id": record["id"],
                        "split": split,
                        "writer": folder.name,
                        "style": record["style"],
                        "text": record["text"],
                        "needs": needs,
                    }
                )
            log_file = folder / "review_log.jsonl"
            if log_file.is_file():
                for line in log_file.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        log.append(json.loads(line) | {"writer": folder.name})
            for name in ("WRITER_NOTES.md", "REVIEW_NOTES.md"):
                if (folder / name).is_file():
                    shutil.copy(folder / name, notes_dir / f"{folder.name}_{name}")
        with open(HERE / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for record in out:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        with open(HERE / f"review_log.{split}.jsonl", "w", encoding="utf-8") as f:
            for entry in log:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        labels = sum(len(r["needs"]) for r in out)
        writers = sorted({r["writer"] for r in out})
        print(f"{split}: {len(out)} notes, {labels} labels, {len(log)} review entries, {writers}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
