"""Model behaviour: held-out split, calibration, monotone effects, what the model may read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.schemas import LANGUAGES, SENSITIVE_ATTRIBUTES
from models import (
    CaseFeaturizer,
    build_family,
    dataset_hash,
    expected_calibration_error,
    factor_contributions,
    split_holdout,
)
from tests.models.conftest import make_cases


def test_holdout_split_is_keyed_on_case_ids(cases, precomputed_config):
    train, holdout = split_holdout(cases, precomputed_config)
    assert set(train.case_id).isdisjoint(holdout.case_id)
    assert len(train) + len(holdout) == len(cases)
    assert abs(len(holdout) / len(cases) - precomputed_config.split.holdout_fraction) < 0.04
    shuffled = cases.sample(frac=1.0, random_state=1)
    _, holdout_again = split_holdout(shuffled.iloc[: len(cases) // 2], precomputed_config)
    assert set(holdout_again.case_id) <= set(holdout.case_id)


def test_dataset_hash_ignores_row_order_but_not_content(cases):
    sample = cases.drop(columns="needs").head(50)
    assert dataset_hash(sample) == dataset_hash(sample.iloc[::-1])
    changed = sample.copy()
    changed.loc[changed.index[0], "prior_crises"] += 1
    assert dataset_hash(changed) != dataset_hash(sample)


def test_training_compares_families_and_is_calibrated_on_holdout(trained):
    assert set(trained.comparison.family) == {"baseline", "logistic", "gradient_boosting"}
    assert trained.comparison.chosen.sum() == 1
    assert trained.holdout_metrics["ece"] <= 0.05
    assert trained.holdout_metrics["auc"] >= trained.oracle_auc - 0.05
    assert trained.holdout_metrics["brier"] <= trained.baseline_holdout_metrics["brier"] + 0.005


def test_ece_measures_miscalibration():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20000)
    y = rng.random(20000) < p
    assert expected_calibration_error(y, p) < 0.02
    assert expected_calibration_error(y, np.clip(p + 0.2, 0, 1)) > 0.1


@pytest.mark.parametrize(
    "family", ["baseline", "logistic", pytest.param("gradient_boosting", marks=pytest.mark.slow)]
)
def test_more_prior_crises_never_lowers_risk(family, cases, precomputed_config):
    train, holdout = split_holdout(cases, precomputed_config)
    train = train.head(1200)
    model = build_family(family, precomputed_config).fit(train, train.crisis_90d)
    probe = holdout.head(200)
    previous = None
    for crises in range(0, 9):
        current = model.predict_proba(probe.assign(prior_crises=crises))[:, 1]
        if previous is not None:
            assert np.all(current >= previous - 1e-12)
        previous = current
    assert np.mean(previous) > np.mean(model.predict_proba(probe.assign(prior_crises=0))[:, 1])


def test_sensitive_attributes_and_language_cannot_change_a_score(trained, cases):
    probe = cases.head(300)
    base = trained.pipeline.predict_proba(probe)[:, 1]
    rng = np.random.default_rng(9)
    changed = probe.copy()
    for column in SENSITIVE_ATTRIBUTES:
        changed[column] = rng.permutation(changed[column].to_numpy())
    changed["race_ethnicity"] = "zzz"
    changed["preferred_language"] = rng.choice(LANGUAGES, len(changed))
    np.testing.assert_array_equal(trained.pipeline.predict_proba(changed)[:, 1], base)
    dropped = probe.drop(columns=[*SENSITIVE_ATTRIBUTES, "preferred_language"])
    np.testing.assert_array_equal(trained.pipeline.predict_proba(dropped)[:, 1], base)


def test_featurizer_reads_only_model_inputs():
    featurizer = CaseFeaturizer(design="tree")
    names, _, _ = featurizer.layout()
    assert not any(a in name for name in names for a in (*SENSITIVE_ATTRIBUTES, "language"))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("prior_crises", -1, "prior_crises (row 0)"),
        ("income_band", "rich", "income_band (row 0)"),
        ("needs", "{not json", "needs (row 0)"),
    ],
)
def test_bad_input_names_the_field_and_row(trained, cases, column, value, message):
    bad = cases.head(3).copy()
    bad[column] = bad[column].astype(object)
    bad.at[bad.index[0], column] = value
    bad.index = range(3)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        trained.pipeline.predict_proba(bad)


def test_missing_column_is_named(trained, cases):
    with pytest.raises(ValueError, match=r"missing column.*housing_type"):
        trained.pipeline.predict_proba(cases.head(3).drop(columns="housing_type"))


def test_linear_contributions_are_faithful(cases, precomputed_config):
    model = build_family("logistic", precomputed_config).fit(cases, cases.crisis_90d)
    probe = cases.head(50)
    factors, contributions = factor_contributions(model, probe)
    features = model.named_steps["features"]
    calibrated = model.named_steps["model"].calibrated_classifiers_
    logits = np.mean(
        [c.estimator.decision_function(features.transform(probe)) for c in calibrated], axis=0
    )
    reference = np.mean(
        [c.estimator.decision_function(features.mean_[None, :]) for c in calibrated]
    )
    np.testing.assert_allclose(contributions.sum(axis=1), logits - reference, atol=1e-9)
    crises = factors.index("prior_crises")
    high = probe.prior_crises.to_numpy() > cases.prior_crises.mean() + 1
    assert np.all(contributions[high, crises] > 0)


def test_a_different_seed_gives_a_different_split(cases, precomputed_config):
    other = precomputed_config.model_copy(
        update={"split": precomputed_config.split.model_copy(update={"seed": 1})}
    )
    assert set(split_holdout(cases, other)[1].case_id) != set(
        split_holdout(cases, precomputed_config)[1].case_id
    )


def test_small_caseloads_without_both_outcomes_are_refused(precomputed_config):
    from models import train_risk_model

    few = make_cases(40, seed=1).assign(crisis_90d=0)
    with pytest.raises(ValueError, match="only one class"):
        train_risk_model(few, precomputed_config)


def test_frames_must_be_dataframes():
    with pytest.raises(TypeError, match="DataFrame"):
        CaseFeaturizer().fit(np.zeros((3, 3)))
    assert isinstance(pd.DataFrame(), pd.DataFrame)


def test_count_reasons_agree_in_number():
    from models._reasons import _field_text, reason_wording

    wording = reason_wording()
    assert _field_text("prior_crises", {"prior_crises": 1}, wording) == (
        "1 prior crisis in the last 12 months"
    )
    assert _field_text("prior_crises", {"prior_crises": 3}, wording) == (
        "3 prior crises in the last 12 months"
    )
    assert _field_text("n_active_needs", {"n_active_needs": 0}, wording).startswith(
        "0 current needs"
    )
    assert _field_text("household_size", {"household_size": 1}, wording) == "lives alone"
