"""Penalised logistic regression whose chosen coefficients cannot go negative."""

# scikit-learn's estimator API names its arguments X and C.
# ruff: noqa: N803, N806

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["BoundedLogisticRegression"]


class BoundedLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-penalised logistic regression with non-negative coefficients where asked.

    scikit-learn's ``LogisticRegression`` cannot bound coefficients; a monotone effect
    (more prior crises never lowers risk) has to be a constraint, not a hope, so this fits
    the same objective with L-BFGS-B and a lower bound of 0 on the chosen columns. With
    every column monotone-increasing through non-negative weights, the logit is monotone.

    Parameters
    ----------
    C : float
        Inverse regularisation strength, as in scikit-learn (on standardised columns).
    nonnegative : sequence of bool or None
        Per input column: constrain its coefficient to be >= 0.
    max_iter : int
        L-BFGS-B iteration limit.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        Coefficients on the original (unstandardised) scale.
    intercept_ : ndarray of shape (1,)
    """

    def __init__(self, *, C: float = 1.0, nonnegative=None, max_iter: int = 1000):
        self.C = C
        self.nonnegative = nonnegative
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError("y: need exactly two classes to fit a risk model")
        target = (y == self.classes_[1]).astype(np.float64)
        weight = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight, float)
        weight = weight / weight.sum()
        n, p = X.shape
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0
        Z = (X - mean) / scale
        penalty = 1.0 / (self.C * n)

        def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = params[:p], params[p]
            logit = Z @ w + b
            # log(1 + e^z) - t z, computed stably
            loss = np.sum(weight * (np.logaddexp(0.0, logit) - target * logit))
            residual = weight * (expit(logit) - target)
            grad_w = Z.T @ residual + penalty * w
            return loss + 0.5 * penalty * w @ w, np.append(grad_w, residual.sum())

        lower = np.full(p, -np.inf)
        if self.nonnegative is not None:
            mask = np.asarray(self.nonnegative, dtype=bool)
            if mask.shape != (p,):
                raise ValueError(f"nonnegative: expected {p} flags, got {mask.shape[0]}")
            lower[mask] = 0.0
        bounds = [(lo if np.isfinite(lo) else None, None) for lo in lower] + [(None, None)]
        result = minimize(
            objective,
            np.zeros(p + 1),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": self.max_iter},
        )
        w = result.x[:p] / scale
        self.coef_ = w.reshape(1, -1)
        self.intercept_ = np.array([result.x[p] - mean @ w])
        self.n_features_in_ = p
        self.n_iter_ = np.array([result.nit])
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=np.float64) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
