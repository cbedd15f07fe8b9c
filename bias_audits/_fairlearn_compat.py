"""Two places where fairlearn (0.15) needs help; ``tests/bias_audits/test_fairlearn_compat.py``
fails when either upstream behaviour changes.

* The chance of a positive prediction of its randomised mitigators (``ExponentiatedGradient``,
  ``ThresholdOptimizer``) is what ranks cases and what an AUC needs; fairlearn gives it
  only through the private ``_pmf_predict``.
* Its reductions grow a float Series with ``.at[...] = True``, which pandas 3 deprecates
  (``Pandas4Warning``) without changing the values.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["fit_without_pandas_deprecations", "positive_probability"]


def positive_probability(model: Any, features: Any, **predict_params: Any) -> np.ndarray:
    """``P(prediction = 1)`` per row of a fitted fairlearn mitigator."""
    return np.asarray(model._pmf_predict(features, **predict_params))[:, 1]


@contextlib.contextmanager
def fit_without_pandas_deprecations() -> Iterator[None]:
    """Ignore ``Pandas4Warning`` only, and only around a fairlearn fit, so our own code
    still fails on it."""
    from pandas.errors import Pandas4Warning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=Pandas4Warning)
        yield
