"""The gate's verdict rules, kept apart so they can be read (and tested) on their own.

For one disparity (a group's metric against the reference group's) and one tolerance:

* ``fail`` when even the interval bound nearest to parity lies beyond the tolerance: the
  data say the gap is too large, whatever the resampling noise;
* ``review`` when the point estimate lies beyond the tolerance but the interval reaches
  back within it: a person must look;
* ``pass`` otherwise;
* ``insufficient`` when the group's or the reference's denominator is below the policy's
  minimum: no verdict either way.

Ratios are judged on the log scale so that 0.8 and 1.25 are equally far from parity.
"""

from __future__ import annotations

import math

__all__ = ["VERDICT_ORDER", "judge_difference", "judge_ratio", "worst"]

VERDICT_ORDER = {"pass": 0, "insufficient": 0, "review": 1, "fail": 2}


def _nearest_to_parity(low: float, high: float, parity: float) -> float:
    if low <= parity <= high:
        return parity
    return low if low > parity else high


def _judge(point: float, low: float, high: float, *, parity: float, tolerance: float) -> str:
    if any(math.isnan(x) for x in (point, low, high)):
        return "insufficient"
    nearest = _nearest_to_parity(low, high, parity)
    if abs(nearest - parity) > tolerance:
        return "fail"
    if abs(point - parity) > tolerance:
        return "review"
    return "pass"


def judge_difference(point: float, low: float, high: float, *, max_difference: float) -> str:
    """Verdict for a difference ``group - reference`` with interval ``[low, high]``."""
    return _judge(point, low, high, parity=0.0, tolerance=max_difference)


def judge_ratio(point: float, low: float, high: float, *, max_ratio: float) -> str:
    """Verdict for a ratio ``group / reference`` with interval ``[low, high]``."""

    def log(x: float) -> float:
        if math.isnan(x):
            return math.nan
        if x <= 0:
            return -math.inf
        return math.inf if math.isinf(x) else math.log(x)

    return _judge(log(point), log(low), log(high), parity=0.0, tolerance=math.log(max_ratio))


def worst(verdicts: list[str]) -> str:
    """The most severe of ``pass``/``review``/``fail`` (``insufficient`` counts as none)."""
    judged = [v for v in verdicts if v != "insufficient"]
    if not judged:
        return "insufficient"
    return max(judged, key=VERDICT_ORDER.__getitem__)
