import math

import pytest

from bias_audits._verdict import judge_difference, judge_ratio, worst


@pytest.mark.parametrize(
    ("point", "low", "high", "expected"),
    [
        (0.02, -0.01, 0.05, "pass"),  # within, interval spans parity
        (0.15, 0.12, 0.18, "fail"),  # even the nearest bound (0.12) is beyond 0.10
        (-0.15, -0.18, -0.12, "fail"),  # same below parity
        (0.15, 0.05, 0.25, "review"),  # estimate beyond, interval reaches within
        (0.08, 0.02, 0.14, "pass"),  # estimate within even if the interval is not
        (0.10, 0.09, 0.11, "pass"),  # exactly at the tolerance is within
        (math.nan, 0.0, 0.1, "insufficient"),
    ],
)
def test_difference_verdicts(point, low, high, expected):
    assert judge_difference(point, low, high, max_difference=0.10) == expected


@pytest.mark.parametrize(
    ("point", "low", "high", "expected"),
    [
        (1.8, 1.5, 2.1, "fail"),
        (1 / 1.8, 1 / 2.1, 1 / 1.5, "fail"),  # symmetric on the log scale
        (1.3, 1.1, 1.5, "review"),
        (0.79, 0.7, 0.9, "review"),  # 0.79 < 1/1.25 = 0.8
        (1.1, 0.9, 1.3, "pass"),
        (math.inf, math.inf, math.inf, "fail"),  # reference never flagged, group is
        (0.0, 0.0, 0.0, "fail"),
    ],
)
def test_ratio_verdicts(point, low, high, expected):
    assert judge_ratio(point, low, high, max_ratio=1.25) == expected


def test_worst_ignores_insufficient():
    assert worst(["pass", "insufficient", "review"]) == "review"
    assert worst(["pass", "fail", "review"]) == "fail"
    assert worst(["insufficient"]) == "insufficient"
