"""Turn an arbitrary table into clean labels, predictions and groups, or say what is wrong.

Every error names the column and, where one row is at fault, its CSV line (header = line 1).
Missing values are never dropped silently: the counts travel with the prepared table into
the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["AuditInputError", "PreparedTable", "coerce_binary", "prepare_table"]

ScoreKind = Literal["binary", "probability", "integer_score"]

_TRUE = {"1", "1.0", "true", "yes", "y", "t"}
_FALSE = {"0", "0.0", "false", "no", "n", "f"}


class AuditInputError(ValueError):
    """The table cannot be audited as asked; the message names the column (and line)."""


@dataclass(frozen=True, kw_only=True)
class PreparedTable:
    """Clean arrays for the audit, plus what was dropped and why."""

    y_true: np.ndarray
    y_pred: np.ndarray
    y_prob: np.ndarray | None
    sensitive: pd.DataFrame
    score_kind: ScoreKind
    threshold: float | None
    n_input_rows: int
    dropped_missing_label_or_score: int
    missing_by_attribute: dict[str, int] = field(default_factory=dict)


def _line(index: int) -> int:
    return index + 2


def coerce_binary(values: pd.Series, *, column: str) -> pd.Series:
    """Map 0/1, true/false, yes/no (any case) to bool; missing stays missing.

    Raises
    ------
    AuditInputError
        Naming the column, the first bad value and its CSV line.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(values):
        bad = values.notna() & ~values.isin([0, 1])
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            raise AuditInputError(
                f"column '{column}' must be binary (0/1, true/false, yes/no); "
                f"line {_line(position)} has {values.iloc[position]!r}"
            )
        result = pd.Series(pd.NA, index=values.index, dtype="boolean")
        known = values.notna().to_numpy()
        result[known] = values.to_numpy()[known] == 1
        return result
    text = values.astype("string").str.strip().str.lower()
    known = text.isin(_TRUE | _FALSE)
    bad = text.notna() & (text != "") & ~known
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise AuditInputError(
            f"column '{column}' must be binary (0/1, true/false, yes/no); "
            f"line {_line(position)} has {values.iloc[position]!r}"
        )
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[text.isin(_TRUE).fillna(False).to_numpy()] = True
    result[text.isin(_FALSE).fillna(False).to_numpy()] = False
    return result


def _score_kind(scores: pd.Series, *, column: str) -> ScoreKind:
    values = scores.to_numpy(dtype=float)
    if np.isin(values, (0.0, 1.0)).all():
        return "binary"
    integral = np.equal(np.floor(values), values).all()
    if integral:
        if (values < 0).any():
            position = int(np.flatnonzero(values < 0)[0])
            raise AuditInputError(
                f"column '{column}' holds integer risk scores, which must be >= 0; "
                f"a row has {values[position]:g}"
            )
        return "integer_score"
    outside = (values < 0) | (values > 1)
    if outside.any():
        raise AuditInputError(
            f"column '{column}' looks like probabilities but {int(outside.sum())} value(s) lie "
            f"outside [0, 1] (e.g. {values[outside][0]:g})"
        )
    return "probability"


def prepare_table(
    frame: pd.DataFrame,
    *,
    label: str,
    score: str,
    threshold: float | None,
    sensitive: list[str],
) -> PreparedTable:
    """Validate and coerce one table for :func:`bias_audits.audit_table`.

    A score column is read as a binary prediction (only 0/1 or booleans), a probability
    (floats in [0, 1], needs ``threshold``) or an integer risk score (non-negative
    integers, needs ``threshold``). Predictions are ``score >= threshold``.
    """
    if not sensitive:
        raise AuditInputError("give at least one sensitive attribute column (--sensitive)")
    for role, column in [("label", label), ("score", score)] + [
        ("sensitive", c) for c in sensitive
    ]:
        if column not in frame.columns:
            available = ", ".join(map(str, frame.columns[:20]))
            raise AuditInputError(
                f"{role} column '{column}' is not in the table (columns: {available})"
            )
    if len(set(sensitive)) != len(sensitive):
        raise AuditInputError("a sensitive column is listed twice")
    if label in sensitive or score in sensitive or label == score:
        raise AuditInputError("label, score and sensitive columns must be different columns")

    labels = coerce_binary(frame[label], column=label)
    raw_scores = frame[score]
    if pd.api.types.is_bool_dtype(raw_scores) or not pd.api.types.is_numeric_dtype(raw_scores):
        try:
            scores = coerce_binary(raw_scores, column=score).astype("Float64")
        except AuditInputError:
            raise AuditInputError(
                f"score column '{score}' must be numeric (binary prediction, probability or "
                "integer risk score)"
            ) from None
    else:
        scores = raw_scores.astype("Float64")
    keep = (labels.notna() & scores.notna()).to_numpy(dtype=bool)
    if not keep.any():
        raise AuditInputError(f"no row has both a label ('{label}') and a score ('{score}')")
    kept_scores = scores[keep].astype(float)
    kind = _score_kind(kept_scores, column=score)

    if kind == "binary":
        predictions = kept_scores.to_numpy() >= (0.5 if threshold is None else threshold)
    else:
        if threshold is None:
            what = "probabilities" if kind == "probability" else "integer risk scores"
            raise AuditInputError(
                f"score column '{score}' holds {what}; give --threshold to turn them into decisions"
            )
        if kind == "probability" and not 0 <= threshold <= 1:
            raise AuditInputError(
                f"--threshold {threshold:g} is outside [0, 1] for probabilities in '{score}'"
            )
        predictions = kept_scores.to_numpy() >= threshold

    groups = frame.loc[keep, sensitive].copy()
    missing = {column: int(groups[column].isna().sum()) for column in sensitive}
    for column in sensitive:
        groups[column] = groups[column].astype("string").str.strip()
        groups.loc[groups[column] == "", column] = pd.NA
        missing[column] = int(groups[column].isna().sum())
    return PreparedTable(
        y_true=labels[keep].to_numpy(dtype=bool),
        y_pred=np.asarray(predictions, dtype=bool),
        y_prob=kept_scores.to_numpy() if kind == "probability" else None,
        sensitive=groups.reset_index(drop=True),
        score_kind=kind,
        threshold=threshold,
        n_input_rows=len(frame),
        dropped_missing_label_or_score=int((~keep).sum()),
        missing_by_attribute=missing,
    )
