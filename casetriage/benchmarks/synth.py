"""Benchmark of ``casetriage synth``: time to generate and write a caseload, and its realism.

Targets: 10,000 cases in under 30 s (generation plus writing), oracle AUC in 0.80-0.88 and a
base rate in 0.15-0.25, so that the data stay hard enough to be worth modelling.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from casetriage.benchmarks import Figure

__all__ = ["run"]


def run(*, quick: bool) -> list[Figure]:
    """Generate one caseload (2,000 cases when ``quick``, else 10,000) and measure it."""
    from casetriage.synth import generate_caseload, write_caseload

    n_cases = 2_000 if quick else 10_000
    budget = 30.0 * n_cases / 10_000
    started = time.perf_counter()
    caseload = generate_caseload(n_cases=n_cases, seed=7)
    generated = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        manifest = write_caseload(caseload, Path(tmp))
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    finished = time.perf_counter()
    total = finished - started
    auc, base_rate = manifest["oracle_auc"], manifest["base_rate"]
    return [
        Figure(
            name=f"generate+write {n_cases:,} cases",
            value=total,
            unit="s",
            target=f"< {budget:.0f} s",
            passed=total < budget,
            detail=f"generate {generated - started:.2f} s, write {finished - generated:.2f} s",
        ),
        Figure(name="throughput", value=n_cases / total, unit="cases/s"),
        Figure(name="output size", value=size_mb, unit="MB"),
        Figure(
            name="oracle AUC",
            value=auc,
            unit="",
            target="0.80-0.88",
            passed=0.80 <= auc <= 0.88,
        ),
        Figure(
            name="base rate",
            value=base_rate,
            unit="",
            target="0.15-0.25",
            passed=0.15 <= base_rate <= 0.25,
        ),
    ]
