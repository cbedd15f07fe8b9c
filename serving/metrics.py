"""The service's Prometheus counters, in ``prometheus_client``'s default registry, which
``/metrics`` exposes. They are created on first use, once per process."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["counters"]


@functools.cache
def counters() -> dict[str, Any]:
    from prometheus_client import Counter

    return {
        "scores": Counter("casetriage_scores_total", "scores stored or replayed", ["outcome"]),
        "decisions": Counter(
            "casetriage_decisions_total", "supervisors' decisions", ["action", "amend"]
        ),
        "erasures": Counter("casetriage_erasures_total", "cases erased"),
        "outcomes": Counter(
            "casetriage_outcomes_total", "outcomes told by case systems", ["status"]
        ),
        "scorer_retries": Counter(
            "casetriage_scorer_retries_total",
            "calls to the scorer retried after a dropped connection",
        ),
    }
