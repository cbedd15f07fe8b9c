"""Data tests of the synthetic caseload: schema, value sets, realism, determinism."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from casetriage.synth import (
    CASE_COLUMNS,
    generate_caseload,
    load_config,
    oracle_auc,
)
from casetriage.synth._outcome import true_crisis_probability
from core.schemas import (
    CASE_CATEGORICAL_FIELDS,
    CASE_NUMERIC_FIELDS,
    LANGUAGES,
    NEEDS,
    SAFETY_NEEDS,
    CaseFields,
)

N = 3000


@pytest.fixture(scope="module")
def caseload():
    return generate_caseload(n_cases=N, seed=11)


@pytest.fixture(scope="module")
def cases(caseload) -> pd.DataFrame:
    return caseload.cases


def active_sets(cases: pd.DataFrame) -> list[set[str]]:
    return [
        {
            g["need"]
            for g in json.loads(gold)
            if (g["status"], g["experiencer"]) == ("present", "client")
        }
        for gold in cases["gold_needs"]
    ]


def test_columns_are_the_contract(cases):
    assert tuple(cases.columns) == CASE_COLUMNS
    for column in (
        "case_id",
        "referral_date",
        "note",
        "previous_worker_id",
        "gold_needs",
        "true_probability",
        "crisis_90d",
        "race_ethnicity",
        "sex",
        "age_band",
        "disability",
        *CASE_NUMERIC_FIELDS,
        *CASE_CATEGORICAL_FIELDS,
    ):
        assert column in cases.columns
    assert cases["case_id"].iloc[0] == "C000001"
    assert cases["case_id"].is_unique


def test_structured_fields_validate_against_case_fields(cases):
    fields = [*CASE_NUMERIC_FIELDS, *CASE_CATEGORICAL_FIELDS, "preferred_language"]
    for record in cases[fields].to_dict(orient="records"):
        CaseFields.model_validate(
            {k: (int(v) if k in CASE_NUMERIC_FIELDS else v) for k, v in record.items()}
        )
    assert set(cases["preferred_language"]) <= set(LANGUAGES)
    assert (cases["household_size"] >= 1 + cases["n_children"]).all()
    assert (cases["prior_crises"] <= cases["prior_referrals"]).all()


def test_sensitive_attributes_use_documented_values(cases):
    assert set(cases["race_ethnicity"]) == {
        "White",
        "Black",
        "Hispanic",
        "Asian",
        "Native American",
        "Multiracial",
    }
    assert set(cases["sex"]) == {"female", "male"}
    assert set(cases["age_band"]) == {"18-24", "25-44", "45-64", "65+"}
    assert set(cases["disability"]) == {"yes", "no"}
    band_of = pd.cut(cases["age"], [17, 24, 44, 64, 200], labels=["18-24", "25-44", "45-64", "65+"])
    assert (band_of.astype(str) == cases["age_band"]).all()


def test_referral_dates_lie_in_the_year_before_the_reference_date(cases):
    reference = load_config().reference_date
    dates = pd.to_datetime(cases["referral_date"], format="%Y-%m-%d").dt.date
    assert dates.max() <= reference
    assert dates.min() >= reference - dt.timedelta(days=365)
    assert dates.nunique() > 300


def test_gold_needs_use_the_label_vocabulary_with_one_label_per_need(cases):
    for gold in cases["gold_needs"]:
        labels = json.loads(gold)
        needs = [g["need"] for g in labels]
        assert len(needs) == len(set(needs))
        for label in labels:
            assert set(label) == {"need", "status", "experiencer"}
            assert label["need"] in NEEDS
            assert label["status"] in {"present", "negated", "historical", "hypothetical"}
            assert label["experiencer"] in {"client", "other"}


def test_every_need_appears_with_realistic_prevalence(cases):
    actives = active_sets(cases)
    prevalence = {need: np.mean([need in a for a in actives]) for need in NEEDS}
    for need, share in prevalence.items():
        assert share > 0.005, need
        assert share < 0.4, need
    for need in SAFETY_NEEDS:
        assert 0.01 <= prevalence[need] <= 0.08, (need, prevalence[need])
    mentioned = {g["status"] for gold in cases["gold_needs"] for g in json.loads(gold)}
    assert mentioned == {"present", "negated", "historical", "hypothetical"}


def test_needs_agree_with_the_structured_fields(cases):
    actives = active_sets(cases)
    homeless = np.array(["homelessness" in a for a in actives])
    in_shelter_or_street = cases["housing_type"].isin(["shelter", "unhoused"]).to_numpy()
    assert homeless[in_shelter_or_street].all()
    assert not homeless[cases["housing_type"].isin(["renting", "owner", "public_housing"])].any()
    no_children = (cases["n_children"] == 0).to_numpy()
    for need in ("child_safety", "childcare"):
        has = np.array([need in a for a in actives])
        assert not has[no_children].any(), need


def test_outcome_is_realistic(caseload, cases):
    base_rate = cases["crisis_90d"].mean()
    assert 0.15 <= base_rate <= 0.25
    auc = oracle_auc(cases["true_probability"].to_numpy(), cases["crisis_90d"].to_numpy())
    assert 0.80 <= auc <= 0.88
    assert (cases["crisis_90d"] == cases["crisis_90d_true"]).all(), "no bias by default"


def test_outcome_rises_with_prior_crises_and_safety_needs(cases):
    by_crises = cases.groupby(cases["prior_crises"].clip(upper=3))["true_probability"].mean()
    assert by_crises.is_monotonic_increasing
    actives = active_sets(cases)
    safety = np.array([bool(a & SAFETY_NEEDS) for a in actives])
    assert (
        cases["true_probability"][safety].mean() > 1.5 * cases["true_probability"][~safety].mean()
    )


def test_sensitive_attributes_do_not_enter_the_true_risk(caseload):
    """Shuffling every sensitive attribute leaves each case's true probability unchanged."""
    cases = caseload.cases.copy()
    actives = active_sets(cases)
    active = pd.DataFrame({need: [need in a for a in actives] for need in NEEDS})
    population = cases.assign(adversity=0.0)
    before = true_crisis_probability(population, active, caseload.config)
    rng = np.random.default_rng(0)
    shuffled = population.copy()
    for column in ("race_ethnicity", "sex", "disability", "referral_source", "region"):
        shuffled[column] = rng.permutation(shuffled[column].to_numpy())
    after = true_crisis_probability(shuffled, active, caseload.config)
    np.testing.assert_array_equal(before, after)


def test_same_seed_same_caseload_and_different_seed_differs(cases):
    again = generate_caseload(n_cases=400, seed=11).cases
    pd.testing.assert_frame_equal(again, generate_caseload(n_cases=400, seed=11).cases)
    other = generate_caseload(n_cases=400, seed=12).cases
    assert (other["note"] != again["note"]).mean() > 0.9


def test_roster_covers_needs_languages_and_regions(caseload):
    workers = caseload.workers
    assert len(workers) == max(10, N // 100)
    skills = {s for row in workers["skills"] for s in row.split(";")}
    assert skills == set(NEEDS)
    languages = {lang for row in workers["languages"] for lang in row.split(";")}
    assert set(caseload.cases["preferred_language"]) <= languages
    assert (workers["current_load"] <= workers["capacity"]).all()
    assert workers["worker_id"].is_unique
    returning = caseload.cases["previous_worker_id"]
    assigned = returning[returning != ""]
    assert 0.05 < len(assigned) / len(returning) < 0.5
    assert set(assigned) <= set(workers["worker_id"])
    assert (caseload.cases.loc[assigned.index, "prior_referrals"] > 0).all()


@pytest.mark.parametrize("bad", [0, -5])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="n_cases"):
        generate_caseload(n_cases=bad, seed=1)


def test_every_true_active_need_is_written_into_the_note(caseload, cases):
    actives = active_sets(cases)
    truth = caseload.active_needs
    for i, gold_active in enumerate(actives):
        assert gold_active == {need for need in NEEDS if truth[need].iat[i]}, i


def test_no_housing_denial_for_people_in_shelter_or_on_the_street(cases):
    unhoused = cases["housing_type"].isin(["shelter", "unhoused"])
    for gold in cases.loc[unhoused, "gold_needs"]:
        labels = {(g["need"], g["status"]) for g in json.loads(gold)}
        assert ("homelessness", "present") in labels
        assert ("homelessness", "negated") not in labels
        assert ("housing_instability", "negated") not in labels
