"""Turn a case (structured fields + extracted needs) into the risk model's numeric inputs.

This is the one place that decides what the model may read: ``MODEL_INPUT_FIELDS`` and the
``needs`` column, selected by name. Sensitive attributes and the preferred language are
never selected, whatever else the frame holds.
"""

# scikit-learn's estimator API names its arguments X and C.
# ruff: noqa: N803

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import SplineTransformer
from sklearn.utils.validation import check_is_fitted

from core.schemas import (
    CASE_CATEGORICAL_FIELDS,
    CASE_NUMERIC_FIELDS,
    HOUSING_TYPES,
    INCOME_BANDS,
    MODEL_INPUT_FIELDS,
    NEEDS,
    REFERRAL_SOURCES,
    REGIONS,
)

__all__ = ["INPUT_COLUMNS", "CaseFeaturizer", "active_needs", "parse_needs"]

INPUT_COLUMNS: tuple[str, ...] = (*MODEL_INPUT_FIELDS, "needs")
CATEGORIES: dict[str, tuple[str, ...]] = {
    "income_band": INCOME_BANDS,
    "housing_type": HOUSING_TYPES,
    "referral_source": REFERRAL_SOURCES,
    "region": REGIONS,
}
_NEED_INDEX = {need: i for i, need in enumerate(NEEDS)}
DESIGNS = ("baseline", "linear", "tree")
_SPLINE_DEGREE = 3


def parse_needs(value: object, *, row: object = None) -> list[dict]:
    """Read one case's extracted needs: a list of need dicts, a JSON string, or empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            raise ValueError(f"needs (row {row}): not a JSON list of need objects") from None
    if not isinstance(value, list | tuple | np.ndarray):
        raise ValueError(f"needs (row {row}): expected a list of need objects")
    needs = []
    for item in value:
        item = item.model_dump() if hasattr(item, "model_dump") else item
        if not isinstance(item, dict) or "need" not in item:
            raise ValueError(f"needs (row {row}): each item needs a 'need' field")
        if item["need"] not in _NEED_INDEX:
            raise ValueError(f"needs (row {row}): unknown need {item['need']!r}")
        needs.append(item)
    return needs


def active_needs(needs: Sequence[dict]) -> list[dict]:
    """The needs present now for the client (the only ones that count for risk)."""
    return [
        n
        for n in needs
        if n.get("status", "present") == "present" and n.get("experiencer", "client") == "client"
    ]


def _needs_matrix(column: pd.Series) -> np.ndarray:
    matrix = np.zeros((len(column), len(NEEDS)), dtype=np.float64)
    for i, (row, value) in enumerate(column.items()):
        for need in active_needs(parse_needs(value, row=row)):
            matrix[i, _NEED_INDEX[need["need"]]] = 1.0
    return matrix


def _numeric(frame: pd.DataFrame, field: str) -> np.ndarray:
    values = pd.to_numeric(frame[field], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = frame.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"{field} (row {row}): expected a non-negative number, got {frame.at[row, field]!r}"
        )
    return values


def _one_hot(frame: pd.DataFrame, field: str) -> np.ndarray:
    allowed = CATEGORIES[field]
    codes = pd.Index(allowed).get_indexer(frame[field].astype(str))
    bad = codes < 0
    if bad.any():
        row = frame.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"{field} (row {row}): {frame.at[row, field]!r} is not one of {', '.join(allowed)}"
        )
    matrix = np.zeros((len(frame), len(allowed)), dtype=np.float64)
    matrix[np.arange(len(frame)), codes] = 1.0
    return matrix


class CaseFeaturizer(TransformerMixin, BaseEstimator):
    """Select the model's input columns by name and encode them as numbers.

    Parameters
    ----------
    design : {"baseline", "linear", "tree"}
        ``baseline``: active-need count and prior crises only. ``linear``: adds age splines,
        log counts and a needs-by-crises interaction for a penalised logistic model.
        ``tree``: raw fields for gradient boosting.
    age_knots : int
        Knots of the age spline (``linear`` only).

    Attributes
    ----------
    feature_names_ : list of str
        Name of each output column.
    factors_ : list of str
        The case factor each column belongs to (``"prior_crises"``, ``"need:legal"``, …);
        per-case reasons add up contributions by factor.
    monotone_increasing_ : ndarray of bool
        Columns on which risk must never decrease (prior crises).
    mean_ : ndarray
        Mean of each output column over the fitting cases: the reference ("an average
        case") that per-case reasons are measured against.
    """

    def __init__(self, *, design: str = "linear", age_knots: int = 5):
        self.design = design
        self.age_knots = age_knots

    def _check_frame(self, X: object) -> pd.DataFrame:
        if self.design not in DESIGNS:
            raise ValueError(f"design: expected one of {DESIGNS}, got {self.design!r}")
        if not isinstance(X, pd.DataFrame):
            raise TypeError("cases: expected a pandas DataFrame with named columns")
        missing = [c for c in INPUT_COLUMNS if c not in X.columns]
        if missing:
            raise ValueError(f"cases: missing column(s) {', '.join(missing)}")
        return X.loc[:, list(INPUT_COLUMNS)]

    def fit(self, X: pd.DataFrame, y: object = None) -> CaseFeaturizer:
        frame = self._check_frame(X)
        if self.design == "linear":
            self.age_spline_ = SplineTransformer(
                n_knots=self.age_knots,
                degree=_SPLINE_DEGREE,
                knots="quantile",
                extrapolation="constant",
            ).fit(_numeric(frame, "age").reshape(-1, 1))
        self.feature_names_, self.factors_, monotone = self.layout()
        self.monotone_increasing_ = np.asarray(monotone, dtype=bool)
        self.n_features_in_ = len(INPUT_COLUMNS)
        self.mean_ = self.transform(frame).mean(axis=0)
        return self

    def layout(self) -> tuple[list[str], list[str], list[bool]]:
        """Output column names, their factors and monotone flags (known before fitting)."""
        names: list[str] = []
        factors: list[str] = []
        monotone: list[bool] = []

        def add(name: str, factor: str, increasing: bool = False) -> None:
            names.append(name)
            factors.append(factor)
            monotone.append(increasing)

        if self.design == "baseline":
            add("n_active_needs", "n_active_needs")
            add("prior_crises", "prior_crises", increasing=True)
            return names, factors, monotone
        if self.design == "linear":
            for j in range(self.age_knots + _SPLINE_DEGREE - 1):
                add(f"age_spline_{j}", "age")
            add("household_size", "household_size")
            add("n_children", "n_children")
            add("log1p_prior_referrals", "prior_referrals")
            add("prior_crises", "prior_crises", increasing=True)
            add("log1p_prior_crises", "prior_crises", increasing=True)
        else:
            for field in CASE_NUMERIC_FIELDS:
                add(field, field, increasing=field == "prior_crises")
        for field in CASE_CATEGORICAL_FIELDS:
            for value in CATEGORIES[field]:
                add(f"{field}={value}", field)
        for need in NEEDS:
            add(f"need_{need}", f"need:{need}")
        add("n_active_needs", "n_active_needs")
        if self.design == "linear":
            add("n_active_needs_x_log1p_prior_crises", "needs_x_crises", increasing=True)
        return names, factors, monotone

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        frame = self._check_frame(X)
        # every field is validated whatever the design, so bad input fails the same way
        numeric = {field: _numeric(frame, field).reshape(-1, 1) for field in CASE_NUMERIC_FIELDS}
        one_hot = {field: _one_hot(frame, field) for field in CASE_CATEGORICAL_FIELDS}
        needs = _needs_matrix(frame["needs"])
        n_active = needs.sum(axis=1, keepdims=True)
        crises = numeric["prior_crises"]
        if self.design == "baseline":
            return np.hstack([n_active, crises])
        blocks: list[np.ndarray] = []
        if self.design == "linear":
            blocks += [
                self.age_spline_.transform(numeric["age"]),
                numeric["household_size"],
                numeric["n_children"],
                np.log1p(numeric["prior_referrals"]),
                crises,
                np.log1p(crises),
            ]
        else:
            blocks += [numeric[field] for field in CASE_NUMERIC_FIELDS]
        blocks += [one_hot[field] for field in CASE_CATEGORICAL_FIELDS]
        blocks += [needs, n_active]
        if self.design == "linear":
            blocks.append(n_active * np.log1p(crises))
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return np.asarray(self.feature_names_, dtype=object)
