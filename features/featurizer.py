"""A scikit-learn transformer from notes (or precomputed extractions) to need features."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from core.schemas import NEEDS, SAFETY_NEEDS

__all__ = ["FEATURE_NAMES", "NeedsFeaturizer"]

#: Output columns, in order. Stable: models trained on them rely on these names.
#: ``need_<name>``: 1 when the need is active (present, for the client), else 0.
#: ``n_active_needs``: how many needs are active. ``any_safety_need``: 1 when suicide risk,
#: violence or child safety is active. ``n_negated_needs`` / ``n_historical_needs`` /
#: ``n_hypothetical_needs``: needs whose resolved status is that one.
#: ``n_other_person_needs``: needs that concern someone other than the client.
FEATURE_NAMES: tuple[str, ...] = (
    *(f"need_{need}" for need in NEEDS),
    "n_active_needs",
    "any_safety_need",
    "n_negated_needs",
    "n_historical_needs",
    "n_hypothetical_needs",
    "n_other_person_needs",
)
_NEED_INDEX = {need: i for i, need in enumerate(NEEDS)}


def _row_features(needs: list[dict[str, Any]], row: Any) -> np.ndarray:
    out = np.zeros(len(FEATURE_NAMES), dtype=float)
    base = len(NEEDS)
    for i, item in enumerate(needs):
        if not isinstance(item, dict) or item.get("need") not in _NEED_INDEX:
            raise ValueError(f"needs, row {row!r}, item {i}: not a need dict with a known 'need'")
        status, experiencer = item.get("status"), item.get("experiencer")
        if experiencer == "other":
            out[base + 5] += 1
            continue
        if status == "present":
            out[_NEED_INDEX[item["need"]]] = 1.0
            if item["need"] in SAFETY_NEEDS:
                out[base + 1] = 1.0
        elif status == "negated":
            out[base + 2] += 1
        elif status == "historical":
            out[base + 3] += 1
        elif status == "hypothetical":
            out[base + 4] += 1
        else:
            raise ValueError(f"needs, row {row!r}, item {i}: unknown status {status!r}")
    out[base] = out[:base].sum()
    return out


class NeedsFeaturizer(TransformerMixin, BaseEstimator):
    """Numeric need features for a risk model, from a DataFrame of cases.

    The input needs a ``needs`` column (lists of extracted needs, or their JSON) or a
    ``note`` column (then needs are extracted with :func:`features.get_extractor`). When
    both are present ``needs`` is used, so a service extracts once and reuses the result.
    The spaCy pipeline is never stored on the object, so pickles stay small.

    Parameters
    ----------
    batch_size : int
        Notes per ``nlp.pipe`` batch when extracting.
    """

    def __init__(self, *, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def fit(self, X, y=None):  # noqa: N803  (scikit-learn's name)
        self._check_columns(X)
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def transform(self, X) -> np.ndarray:  # noqa: N803
        column = self._check_columns(X)
        if column == "needs":
            values = list(X["needs"])
            extracted = [self._parse_needs(v, row) for v, row in zip(values, X.index, strict=True)]
        else:
            from features.extractor import get_extractor

            notes = []
            for row, note in zip(X.index, X["note"], strict=True):
                if note is None or (isinstance(note, float) and np.isnan(note)):
                    note = ""
                if not isinstance(note, str):
                    raise ValueError(f"note, row {row!r}: expected text, got {type(note).__name__}")
                notes.append(note)
            extracted = list(get_extractor().extract_many(notes, batch_size=self.batch_size))
        if not extracted:
            return np.zeros((0, len(FEATURE_NAMES)))
        return np.vstack([_row_features(n, row) for n, row in zip(extracted, X.index, strict=True)])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(FEATURE_NAMES, dtype=object)

    @staticmethod
    def _check_columns(X) -> str:  # noqa: N803
        columns = getattr(X, "columns", None)
        if columns is None:
            raise TypeError(
                "NeedsFeaturizer expects a pandas DataFrame with a 'needs' or 'note' column"
            )
        if "needs" in columns:
            return "needs"
        if "note" in columns:
            return "note"
        raise ValueError("NeedsFeaturizer input needs a 'needs' or a 'note' column")

    @staticmethod
    def _parse_needs(value: Any, row: Any) -> list[dict[str, Any]]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"needs, row {row!r}: not valid JSON ({exc.msg})") from exc
        if isinstance(value, np.ndarray):
            value = list(value)
        if not isinstance(value, list):
            raise ValueError(
                f"needs, row {row!r}: expected a list of needs, got {type(value).__name__}"
            )
        return value
