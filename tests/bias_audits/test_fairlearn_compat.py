"""fairlearn's mixture probabilities, read through its private ``_pmf_predict``."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from pandas.errors import Pandas4Warning
from sklearn.linear_model import LogisticRegression

from bias_audits._fairlearn_compat import fit_without_pandas_deprecations, positive_probability


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    group = rng.integers(0, 2, size=400)
    y = (x[:, 0] + 0.5 * group + rng.normal(scale=0.5, size=400) > 0).astype(int)
    return x, y, group


def _mitigator():
    return ExponentiatedGradient(LogisticRegression(), DemographicParity(), max_iter=10)


def test_fairlearn_still_warns_under_pandas_3_and_the_guard_silences_only_that():
    x, y, group = _data()
    with pytest.warns(Pandas4Warning):
        _mitigator().fit(x, y, sensitive_features=group)
    with fit_without_pandas_deprecations():
        _mitigator().fit(x, y, sensitive_features=group)


def test_positive_probability_of_a_mitigated_mixture_is_a_probability_that_ranks():
    x, y, group = _data()
    model = _mitigator()
    with fit_without_pandas_deprecations():
        model.fit(x, y, sensitive_features=group)
    chance = positive_probability(model, x)
    assert chance.shape == (400,)
    assert ((chance >= 0) & (chance <= 1)).all()
    # cases the mixture calls positive more often are, on average, the positive ones
    assert chance[y == 1].mean() > chance[y == 0].mean() + 0.2
