"""Read a synthetic (or real) caseload directory as ``casetriage synth`` writes it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["read_cases", "read_roster"]

_TEXT_COLUMNS = {"case_id": str, "previous_worker_id": str, "note": str}


def read_cases(path: str | Path) -> pd.DataFrame:
    """``DIR/cases.csv`` (or a CSV path) with ids and notes kept as text."""
    path = Path(path)
    file = path / "cases.csv" if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"cases file not found: {file}")
    cases = pd.read_csv(file, dtype=_TEXT_COLUMNS, keep_default_na=False, na_values={"": []})
    if "case_id" not in cases.columns:
        raise ValueError(f"{file}: missing column 'case_id'")
    return cases


def read_roster(path: str | Path) -> pd.DataFrame:
    """``DIR/workers.csv`` (or a CSV path)."""
    path = Path(path)
    file = path / "workers.csv" if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"workers file not found: {file}")
    return pd.read_csv(file, dtype={"worker_id": str}, keep_default_na=False)
