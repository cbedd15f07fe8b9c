"""The synth benchmark measures what it names and holds it to its targets."""

from __future__ import annotations

from casetriage.benchmarks import Figure
from casetriage.benchmarks.synth import run


def test_quick_benchmark_reports_time_and_realism():
    figures = {f.name: f for f in run(quick=True)}
    assert all(isinstance(f, Figure) for f in figures.values())
    timing = figures["generate+write 2,000 cases"]
    assert timing.unit == "s"
    assert timing.value > 0
    assert timing.passed is True
    assert figures["oracle AUC"].passed is True
    assert figures["base rate"].passed is True
    assert figures["throughput"].value > 100
