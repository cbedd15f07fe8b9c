"""What fairness costs: train mitigated models with fairlearn and tabulate the trade-off.

A reviewer deciding on a ``review`` or ``fail`` verdict should see what a fairer model
would give up in accuracy, and what it would need. fairlearn's ``ThresholdOptimizer``
chooses a threshold per group, so it needs the sensitive attribute when scoring; casetriage
never gives sensitive attributes to the model, so that row is shown for comparison and
marked not deployable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bias_audits._fairlearn_compat import fit_without_pandas_deprecations, positive_probability

if TYPE_CHECKING:
    from bias_audits._audit import AuditResult

__all__ = ["MITIGATIONS", "MitigationRow", "attach_mitigation", "compare_mitigations"]

MITIGATIONS: tuple[str, ...] = (
    "unmitigated",
    "exponentiated_gradient_equalized_odds",
    "exponentiated_gradient_demographic_parity",
    "threshold_optimizer_equalized_odds",
)


@dataclass(frozen=True, kw_only=True)
class MitigationRow:
    """One model in the trade-off table, measured on held-out cases."""

    method: str
    accuracy: float
    auc: float | None
    selection_rate_difference: float
    equalized_odds_difference: float
    deployable: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _fit_predict(
    method: str,
    estimator,
    x_train,
    y_train,
    sensitive_train,
    x_test,
    sensitive_test,
    *,
    random_state: int,
    max_iter: int,
):
    """Fit one method; return hard predictions and P(positive) on the test set."""
    from fairlearn.postprocessing import ThresholdOptimizer
    from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient
    from sklearn.base import clone

    if method == "unmitigated":
        model = clone(estimator).fit(x_train, y_train)
        scores = model.predict_proba(x_test)[:, 1] if hasattr(model, "predict_proba") else None
        return model.predict(x_test), scores
    if method.startswith("exponentiated_gradient"):
        constraint = EqualizedOdds() if method.endswith("equalized_odds") else DemographicParity()
        model = ExponentiatedGradient(clone(estimator), constraint, max_iter=max_iter)
        with fit_without_pandas_deprecations():
            model.fit(x_train, y_train, sensitive_features=sensitive_train)
        # The mitigated model is a randomised mixture of classifiers; its probability of a
        # positive prediction is what ranks cases, so it is what the AUC is computed on.
        return (
            model.predict(x_test, random_state=random_state),
            positive_probability(model, x_test),
        )
    if method == "threshold_optimizer_equalized_odds":
        model = ThresholdOptimizer(
            estimator=clone(estimator),
            constraints="equalized_odds",
            predict_method="predict_proba",
        )
        model.fit(x_train, y_train, sensitive_features=sensitive_train)
        return (
            model.predict(x_test, sensitive_features=sensitive_test, random_state=random_state),
            positive_probability(model, x_test, sensitive_features=sensitive_test),
        )
    raise ValueError(f"unknown mitigation '{method}'; choose from {', '.join(MITIGATIONS)}")


def compare_mitigations(
    estimator,
    x,
    y,
    *,
    sensitive_features,
    methods: Sequence[str] = MITIGATIONS,
    test_size: float = 0.3,
    random_state: int = 0,
    max_iter: int = 50,
) -> list[MitigationRow]:
    """Train the unmitigated model and each mitigation; measure all on the same held-out cases.

    Parameters
    ----------
    estimator : sklearn classifier
        Unfitted; cloned for each method. Must accept ``sample_weight`` for the
        reductions.
    x : array-like or DataFrame
        Model inputs. Must not contain the sensitive features.
    y : array-like of {0, 1}
    sensitive_features : array-like or Series
        One value per row (combine columns beforehand for intersections).
    methods : sequence of str
        Any of :data:`MITIGATIONS`.

    Returns
    -------
    list of MitigationRow
        Accuracy, AUC (on P(positive)), demographic parity difference (of selection rates)
        and equalised odds difference, per method.
    """
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.model_selection import train_test_split

    unknown = [m for m in methods if m not in MITIGATIONS]
    if unknown:
        raise ValueError(f"unknown mitigation '{unknown[0]}'; choose from {', '.join(MITIGATIONS)}")
    name = getattr(sensitive_features, "name", None)
    sensitive = pd.Series(np.asarray(sensitive_features), name="group").astype(str)
    y = np.asarray(y).astype(int)
    if isinstance(x, pd.DataFrame):
        leaked = [
            column
            for column in x.columns
            if column == name
            or x[column].astype(str).reset_index(drop=True).equals(sensitive.rename(column))
        ]
        if leaked:
            raise ValueError(
                f"x must not contain the sensitive feature (column {leaked[0]!r}): sensitive "
                "attributes are never model inputs"
            )
    x_train, x_test, y_train, y_test, s_train, s_test = train_test_split(
        x, y, sensitive, test_size=test_size, random_state=random_state, stratify=y
    )
    rows = []
    for method in methods:
        predictions, scores = _fit_predict(
            method,
            estimator,
            x_train,
            y_train,
            s_train,
            x_test,
            s_test,
            random_state=random_state,
            max_iter=max_iter,
        )
        deployable = not method.startswith("threshold_optimizer")
        rows.append(
            MitigationRow(
                method=method,
                accuracy=float(accuracy_score(y_test, predictions)),
                auc=None if scores is None else float(roc_auc_score(y_test, scores)),
                selection_rate_difference=float(
                    demographic_parity_difference(y_test, predictions, sensitive_features=s_test)
                ),
                equalized_odds_difference=float(
                    equalized_odds_difference(y_test, predictions, sensitive_features=s_test)
                ),
                deployable=deployable,
                note=""
                if deployable
                else "needs the sensitive attribute at prediction time; not allowed in casetriage",
            )
        )
    return rows


def attach_mitigation(result: AuditResult, rows: Sequence[MitigationRow]) -> AuditResult:
    """A copy of ``result`` whose reports include the trade-off table."""
    return dataclasses.replace(result, mitigation=[row.to_dict() for row in rows])
