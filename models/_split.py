"""Deterministic train / holdout splits keyed on case ids, and a content hash of a caseload."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from models._config import ModelConfig

__all__ = ["dataset_hash", "holdout_mask", "split_holdout", "split_selection"]


def _unit_interval(case_ids: pd.Series, salt: str) -> np.ndarray:
    """Map each case id to a stable pseudo-random number in [0, 1).

    Hashing the id (rather than shuffling rows) keeps a case in the same split whatever the
    row order or the other rows, so the release gate can recover the holdout from ids alone.
    """
    values = np.empty(len(case_ids), dtype=np.float64)
    for i, case_id in enumerate(case_ids.astype(str)):
        digest = hashlib.blake2b(f"{salt}:{case_id}".encode(), digest_size=8).digest()
        values[i] = int.from_bytes(digest, "big") / 2.0**64
    return values


def _require_case_ids(cases: pd.DataFrame) -> None:
    if "case_id" not in cases.columns:
        raise ValueError("cases: missing column 'case_id' (needed for a reproducible split)")
    if cases["case_id"].duplicated().any():
        duplicate = cases.loc[cases["case_id"].duplicated(), "case_id"].iloc[0]
        raise ValueError(f"cases: column 'case_id' has duplicates, e.g. {duplicate!r}")


def holdout_mask(cases: pd.DataFrame, config: ModelConfig) -> np.ndarray:
    """Boolean mask of the rows that belong to the holdout split."""
    _require_case_ids(cases)
    draws = _unit_interval(cases["case_id"], f"holdout-{config.split.seed}")
    return draws < config.split.holdout_fraction


def split_holdout(cases: pd.DataFrame, config: ModelConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a caseload into ``(train, holdout)`` by hashing case ids with the config's seed.

    The same ids always land in the same split, so the release gate audits the model on
    exactly the cases it was never fitted or selected on.
    """
    mask = holdout_mask(cases, config)
    return cases.loc[~mask].copy(), cases.loc[mask].copy()


def split_selection(train: pd.DataFrame, config: ModelConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the training cases into ``(fit, selection)`` to choose a model family."""
    _require_case_ids(train)
    draws = _unit_interval(train["case_id"], f"selection-{config.split.seed}")
    mask = draws < config.split.selection_fraction
    return train.loc[~mask].copy(), train.loc[mask].copy()


def dataset_hash(cases: pd.DataFrame) -> str:
    """SHA-256 of a caseload's content (row order and column order do not matter)."""
    ordered = cases.sort_values("case_id") if "case_id" in cases.columns else cases
    ordered = ordered[sorted(ordered.columns)].reset_index(drop=True)
    row_hashes = pd.util.hash_pandas_object(ordered.astype(str), index=False).to_numpy()
    digest = hashlib.sha256(row_hashes.tobytes())
    digest.update("\x1f".join(ordered.columns).encode())
    return digest.hexdigest()
