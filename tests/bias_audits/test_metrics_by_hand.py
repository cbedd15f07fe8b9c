"""Arithmetic checked against confusion matrices computed by hand.

Group A: labels 1 1 1 0 0, predictions 1 1 0 1 0 -> TP 2, FN 1, FP 1, TN 1.
Group B: labels 1 0 0 0,   predictions 0 0 0 1   -> TP 0, FN 1, FP 1, TN 2.
Group C: labels 0 0,       predictions 0 0       -> no positives: TPR undefined.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate

from bias_audits import AuditPolicy, audit_table, expected_calibration_error
from bias_audits._metrics import cell_counts, confusion_cells, metricframe_estimates

TINY = pd.DataFrame(
    {
        "group": ["A"] * 5 + ["B"] * 4 + ["C"] * 2,
        "label": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0],
        "prob": [0.9, 0.8, 0.3, 0.6, 0.1, 0.2, 0.25, 0.1, 0.7, 0.05, 0.45],
    }
)


@pytest.fixture(scope="module")
def tiny_policy(policy):
    data = policy.to_dict()
    data["min_denominator"] = 1
    data["reference_groups"] = {}
    return AuditPolicy.from_mapping(data)


@pytest.fixture(scope="module")
def tiny_result(tiny_policy):
    return audit_table(
        TINY, label="label", score="prob", threshold=0.5, sensitive=["group"], policy=tiny_policy
    )


def _metric(result, group, name):
    (found,) = [g for g in result.groups if g.group == group]
    return found.metrics[name]


@pytest.mark.parametrize(
    ("group", "name", "value", "n"),
    [
        ("A", "selection_rate", 3 / 5, 5),
        ("A", "true_positive_rate", 2 / 3, 3),
        ("A", "false_positive_rate", 1 / 2, 2),
        ("A", "false_negative_rate", 1 / 3, 3),
        ("A", "precision", 2 / 3, 3),
        ("A", "accuracy", 3 / 5, 5),
        ("B", "selection_rate", 1 / 4, 4),
        ("B", "true_positive_rate", 0.0, 1),
        ("B", "false_positive_rate", 1 / 3, 3),
        ("B", "false_negative_rate", 1.0, 1),
        ("B", "precision", 0.0, 1),
        ("B", "accuracy", 2 / 4, 4),
        ("C", "false_positive_rate", 0.0, 2),
        ("C", "accuracy", 1.0, 2),
        # ECE with 10 bins; B has two rows in bin [0.2, 0.3): |1 - 0.45| + 0.1 + 0.7 = 1.35
        ("A", "calibration_error", (0.1 + 0.2 + 0.7 + 0.6 + 0.1) / 5, 5),
        ("B", "calibration_error", 1.35 / 4, 4),
        ("C", "calibration_error", (0.05 + 0.45) / 2, 2),
    ],
)
def test_group_metrics_match_hand_computation(tiny_result, group, name, value, n):
    metric = _metric(tiny_result, group, name)
    assert metric.value == pytest.approx(value)
    assert metric.n == n
    assert metric.ci_low <= metric.value + 1e-12
    assert metric.ci_high >= metric.value - 1e-12


def test_rate_over_nobody_is_undefined_not_zero(tiny_result):
    tpr = _metric(tiny_result, "C", "true_positive_rate")
    assert tpr.n == 0
    assert math.isnan(tpr.value)
    assert not tpr.sufficient
    precision = _metric(tiny_result, "C", "precision")
    assert precision.n == 0
    assert math.isnan(precision.value)


def test_disparities_against_largest_group(tiny_result):
    (selection_b,) = [
        d for d in tiny_result.disparities if d.group == "B" and d.metric == "selection_rate"
    ]
    assert selection_b.reference == "A"
    assert selection_b.difference == pytest.approx(1 / 4 - 3 / 5)
    assert selection_b.ratio == pytest.approx((1 / 4) / (3 / 5))
    (summary,) = tiny_result.attributes
    assert summary.reference_source == "largest group"
    dp = summary.summaries["demographic_parity_difference"]
    assert dp["value"] == pytest.approx(3 / 5 - 0)  # C never flagged
    assert dp["fairlearn"] == pytest.approx(dp["value"])


def test_report_json_contract(tiny_result):
    data = json.loads(json.dumps(tiny_result.to_dict(), allow_nan=False))
    assert data["verdict"] in {"pass", "review", "fail"}
    assert data["score_kind"] == "probability"
    group = data["groups"][0]
    assert {"attribute", "group", "n", "sufficient", "metrics"} <= group.keys()
    assert set(group["metrics"]) == {
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "false_negative_rate",
        "precision",
        "accuracy",
        "calibration_error",
    }
    assert {"value", "ci", "n"} <= group["metrics"]["accuracy"].keys()
    assert data["policy"]["sha256"]
    assert data["disparities"]


def test_expected_calibration_error_of_perfect_scores_is_zero():
    y = np.array([0, 0, 1, 1])
    assert expected_calibration_error(y, y.astype(float)) == 0.0
    assert expected_calibration_error(y, np.full(4, 0.5)) == 0.0  # one bin, rate 0.5
    assert expected_calibration_error(y, np.array([1.0, 1.0, 0.0, 0.0])) == 1.0


def test_weighted_metricframe_equals_metricframe_on_rows():
    """The compressed table (one weighted row per confusion cell) changes no value."""
    rng = np.random.default_rng(3)
    groups = rng.choice(["x", "y", "z"], size=2_000)
    y_true = rng.random(2_000) < 0.3
    y_pred = rng.random(2_000) < np.where(groups == "x", 0.5, 0.2)
    names = ["x", "y", "z"]
    codes = np.searchsorted(names, groups)
    counts = cell_counts(codes, confusion_cells(y_true, y_pred), n_groups=3, n_cells=4)
    compressed = metricframe_estimates(counts=counts, groups=names, calibration=None, n_bins=10)
    raw = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=groups,
    ).by_group
    for name in ("selection_rate", "true_positive_rate"):
        np.testing.assert_allclose(compressed[name].to_numpy(), raw[name].to_numpy())
