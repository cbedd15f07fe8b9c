"""Drift figures: PSI and the correction by hand, and verdicts on drawn caseloads."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from casetriage.benchmarks.monitoring import draw_rows, reference_of
from casetriage.synth import PopulationShift
from core.schemas import NEEDS
from monitoring import TrainingReference, drift_figures, load_monitoring_policy
from monitoring.drift import adjust_p_values, binned_shares, population_stability_index
from monitoring.reference import quantile_edges


def test_psi_by_hand():
    psi = population_stability_index(np.array([0.5, 0.5]), np.array([0.25, 0.75]))
    assert psi == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5))
    assert population_stability_index(np.array([0.3, 0.7]), np.array([0.3, 0.7])) == 0


def test_empty_bin_gives_a_large_finite_psi():
    psi = population_stability_index(np.array([1.0, 0.0]), np.array([0.5, 0.5]), floor=1e-4)
    assert 3 < psi < 10


def test_holm_and_bh_by_hand():
    assert adjust_p_values([0.01, 0.04, 0.03], "holm") == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_p_values([0.01, 0.04, 0.03], "bh") == pytest.approx([0.03, 0.04, 0.04])
    with pytest.raises(ValueError, match="correction"):
        adjust_p_values([0.5], "bonferroni")


def test_quantile_edges_collapse_on_repeated_values():
    values = np.array([0.0, 1.0, 2.0, 5.0])
    counts = np.array([70, 20, 8, 2])
    edges = quantile_edges(values, counts, 10)
    assert edges == [0.0, 1.0]
    shares = binned_shares(np.repeat(values, counts), edges)
    assert shares == pytest.approx([0.7, 0.2, 0.1])


def _figures(reference: TrainingReference, rows: dict, n: int | None = None):
    population = rows["population"].iloc[:n]
    active = rows["active"].iloc[:n]
    return {
        f.name: f
        for f in drift_figures(
            reference,
            fields=population,
            need_counts={need: int(active[need].sum()) for need in NEEDS},
            n_need_cases=len(population),
            probabilities=rows["probability"][: len(population)],
            tiers=rows["tier"][: len(population)],
            policy=load_monitoring_policy().drift,
        )
    }


@pytest.fixture(scope="module")
def reference() -> TrainingReference:
    return reference_of(draw_rows(8_000, seed=1))


def test_same_population_is_stable(reference):
    figures = _figures(reference, draw_rows(20_000, seed=2))
    assert {f.status for f in figures.values()} == {"stable"}
    assert max(f.psi for f in figures.values()) < 0.05


def test_poorer_population_drifts_in_income_and_what_follows(reference):
    figures = _figures(reference, draw_rows(20_000, seed=2, shift=PopulationShift(income=-1.2)))
    assert figures["income_band"].status == "drift"
    assert figures["income_band"].p_adjusted < 1e-6
    assert figures["region"].status == "stable"
    assert figures["age"].status == "stable"


def test_older_population_drifts_in_age_only(reference):
    figures = _figures(reference, draw_rows(20_000, seed=2, shift=PopulationShift(age=12)))
    assert figures["age"].status == "drift"
    assert figures["age"].test == "ks"
    assert figures["income_band"].status != "drift"


def test_few_live_cases_are_insufficient_not_stable(reference):
    rows = draw_rows(20_000, seed=2, shift=PopulationShift(income=-1.2))
    figures = _figures(reference, rows, n=50)
    assert figures["income_band"].status == "insufficient"
    assert figures["income_band"].psi > 0.25


def test_reference_round_trips_through_json(reference):
    data = json.loads(json.dumps(reference.to_dict()))
    again = TrainingReference.from_dict(data)
    assert again.to_dict() == reference.to_dict()
    assert again.numeric_sample("age").size == reference.n_training_cases
    assert "race_ethnicity" not in json.dumps(data)
    with pytest.raises(ValueError, match="schema_version"):
        TrainingReference.from_dict(data | {"schema_version": 99})


def test_reference_needs_the_model_inputs():
    rows = draw_rows(100, seed=3)
    rows["population"] = pd.DataFrame({"age": [30]})
    with pytest.raises(ValueError, match="lack household_size"):
        reference_of(rows)
