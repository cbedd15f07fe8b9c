"""Benchmarks behind ``make bench``: each module exposes ``run(*, quick: bool) -> list[Figure]``.

Targets live here, not in timed tests, because these machines are noisy. Ratios are
measured within one run (e.g. HTTP vs in-process) so that noise cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Figure"]


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One measured figure, with the target it is held to (if any)."""

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    detail: str = ""
