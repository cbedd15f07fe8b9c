"""Write the service's decided cases with outcomes as a caseload ``casetriage train`` reads.

The folder holds ``cases.csv`` (the columns of ``casetriage synth`` that training and the
fairness audits use, the label ``crisis_90d`` and ``supervisor_final_tier``), ``model.yaml``
(the shipped model config, reading the exported needs when there is no note text to
extract them from) and ``manifest.json`` (counts, time, the database state and the audit
entry of the export), written last so its presence means the export is complete.

Files are readable by their owner only: they hold sensitive attributes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from serving.audit_log import Actor
    from serving.case_store import CaseStore

__all__ = ["EXPORT_FORMAT_VERSION", "ExportError", "TrainingExport", "write_training_export"]

EXPORT_FORMAT_VERSION = 1
_NEEDS_SOURCE_LINE = re.compile(r"^needs_source:.*$", re.MULTILINE)


class ExportError(ValueError):
    """The export cannot be written where asked, or there is nothing to export."""


@dataclass(frozen=True, kw_only=True)
class TrainingExport:
    out_dir: Path
    manifest: dict[str, Any]

    @property
    def train_command(self) -> str:
        return self.manifest["train_with"]


def _write_private(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` (mode 0600) via a partial file; returns its SHA-256."""
    data = text.encode("utf-8")
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(partial, path)
    return hashlib.sha256(data).hexdigest()


def _model_config_text(needs_source: str) -> str:
    """The shipped model config with ``needs_source`` set, its comments kept."""
    from core.config import config_file

    shipped = config_file("model.yaml")
    text = shipped.read_text(encoding="utf-8")
    replaced, count = _NEEDS_SOURCE_LINE.subn(
        f"needs_source: {needs_source}   # set by casetriage export-training", text
    )
    if count != 1:
        raise ExportError(f"{shipped}: expected one 'needs_source:' line")
    return replaced


def _cases_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    frame["needs"] = [json.dumps(needs, sort_keys=True) for needs in frame["needs"]]
    return frame.to_csv(index=False, lineterminator="\n")


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"OUT_DIR: {out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        # each export is an audited event: overwriting one would orphan its record
        raise ExportError(f"OUT_DIR: {out_dir} is not empty; export into a new directory")


def write_training_export(
    store: CaseStore,
    out_dir: str | Path,
    *,
    actor: Actor,
    since: date | None = None,
    include_notes: bool = False,
) -> TrainingExport:
    """Export the decided cases with outcomes into ``out_dir`` and chain the export.

    Parameters
    ----------
    store : serving.case_store.CaseStore
        The service's store.
    out_dir : path
        A new or empty directory.
    actor : serving.audit_log.Actor
        Who exports, for the audit entry.
    since : date, optional
        Only cases created on or after this day.
    include_notes : bool
        Add the note text of each case (still held, since erased cases are left out).

    Raises
    ------
    ExportError
        ``out_dir`` is not a new or empty directory, or no case can be exported.
    """
    from core.schemas import SENSITIVE_ATTRIBUTES
    from serving.training_export import (
        LABEL,
        LABEL_WINDOW_DAYS,
        SUPERVISOR_TIER,
        read_training_cases,
        record_training_export,
    )

    out_dir = Path(out_dir)
    _check_target(out_dir)
    cases = read_training_cases(store, since=since, include_notes=include_notes)
    if not cases.rows:
        raise ExportError(
            "no decided case with an outcome to export"
            + (f" created since {since}" if since else "")
            + f" (left out: {json.dumps(cases.excluded)})"
        )
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    needs_source = "extracted" if include_notes else "precomputed"
    files = {
        "cases.csv": _write_private(out_dir / "cases.csv", _cases_csv(cases.rows, cases.columns)),
        "model.yaml": _write_private(out_dir / "model.yaml", _model_config_text(needs_source)),
    }
    crisis = sum(row[LABEL] for row in cases.rows)
    tiers: dict[str, int] = {}
    for row in cases.rows:
        tiers[str(row[SUPERVISOR_TIER])] = tiers.get(str(row[SUPERVISOR_TIER]), 0) + 1
    exported_at = datetime.now(UTC)
    try:
        entry = record_training_export(
            store,
            actor=actor,
            details={
                "cases": len(cases.rows),
                "crisis": crisis,
                "since": since.isoformat() if since else None,
                "includes_note_text": include_notes,
                "cases_csv_sha256": files["cases.csv"],
                "source_audit_seq": cases.audit_head["seq"],
            },
        )
    except Exception:
        # an export the audit log does not know of must not be left behind
        for name in files:
            (out_dir / name).unlink(missing_ok=True)
        raise
    config_path = out_dir / "model.yaml"
    manifest = {
        "kind": "casetriage training export",
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "since": since.isoformat() if since else None,
        "label": LABEL,
        "label_definition": (
            f"1 when the outcome's first crisis came within {LABEL_WINDOW_DAYS} days of the "
            "case's first score, 0 when no crisis came in a window of at least "
            f"{LABEL_WINDOW_DAYS} days"
        ),
        "supervisor_column": SUPERVISOR_TIER,
        "supervisor_column_use": (
            "the tier of the supervisors' latest decision: a human decision to study "
            "or audit, never a training label"
        ),
        "referral_date": "the day the service first scored the case; the outcome window starts",
        "sensitive_columns": list(SENSITIVE_ATTRIBUTES),
        "includes_note_text": include_notes,
        "needs_source": needs_source,
        "counts": {
            "cases": len(cases.rows),
            "crisis": crisis,
            "base_rate": round(crisis / len(cases.rows), 4),
            "by_supervisor_final_tier": dict(sorted(tiers.items())),
            "left_out": cases.excluded,
        },
        "source": {
            "database": cases.database,
            "table_rows": cases.table_rows,
            "audit_head": cases.audit_head,
        },
        "export_audit_entry": entry,
        "files": files,
        "train_with": (
            f"casetriage train {out_dir}"
            if include_notes
            else f"casetriage train {out_dir} --config {config_path}"
        ),
    }
    _write_private(out_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return TrainingExport(out_dir=out_dir, manifest=manifest)
