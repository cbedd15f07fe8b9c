"""The unfairness switches change what they claim to, and nothing else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casetriage.synth import (
    GroupRef,
    UnfairnessSwitches,
    generate_caseload,
    parse_group,
    parse_proxy,
    parse_underrepresent,
)

N = 2000
SEED = 21
BLACK = GroupRef(attribute="race_ethnicity", value="Black")


@pytest.fixture(scope="module")
def fair() -> pd.DataFrame:
    return generate_caseload(n_cases=N, seed=SEED).cases


@pytest.fixture(scope="module")
def label_biased() -> pd.DataFrame:
    return generate_caseload(
        n_cases=N, seed=SEED, switches=UnfairnessSwitches(label_bias=0.3)
    ).cases


def test_label_bias_raises_recorded_crises_only_in_the_target_group(fair, label_biased):
    unchanged = ["note", "gold_needs", "true_probability", "crisis_90d_true", "referral_source"]
    pd.testing.assert_frame_equal(fair[unchanged], label_biased[unchanged])
    target = (fair["race_ethnicity"] == "Black").to_numpy()
    before, after = fair["crisis_90d"].to_numpy(), label_biased["crisis_90d"].to_numpy()
    np.testing.assert_array_equal(before[~target], after[~target])
    assert (after >= before).all(), "bias only adds recorded crises"
    flipped = (after != before) & target
    assert (label_biased["crisis_90d_true"].to_numpy()[flipped] == 0).all()
    negatives = target & (before == 0)
    assert 0.22 < flipped.sum() / negatives.sum() < 0.38


def test_label_bias_opens_a_gap_between_recorded_and_true_rates(label_biased):
    by_group = label_biased.groupby("race_ethnicity")[["crisis_90d", "crisis_90d_true"]].mean()
    gap = by_group["crisis_90d"] - by_group["crisis_90d_true"]
    assert gap["Black"] > 0.15
    assert (gap.drop("Black") == 0).all()


def test_proxy_ties_the_field_to_the_group_without_changing_true_risk(fair):
    proxied = generate_caseload(
        n_cases=N, seed=SEED, switches=UnfairnessSwitches(proxy_strength=0.7)
    ).cases
    same = ["note", "gold_needs", "true_probability", "crisis_90d_true", "crisis_90d"]
    pd.testing.assert_frame_equal(fair[same], proxied[same])
    police = proxied["referral_source"] == "police"
    target = proxied["race_ethnicity"] == "Black"
    assert police[target].mean() > 0.65
    assert police[~target].mean() < 0.1
    assert (proxied.loc[~target, "referral_source"] == fair.loc[~target, "referral_source"]).all()


def test_proxy_with_label_bias_makes_the_proxy_predict_recorded_crises():
    cases = generate_caseload(
        n_cases=N,
        seed=SEED,
        switches=UnfairnessSwitches(label_bias=0.3, proxy_strength=0.7),
    ).cases
    target = cases[cases["race_ethnicity"] == "Black"]
    false_records = (target["crisis_90d"] == 1) & (target["crisis_90d_true"] == 0)
    by_proxy = false_records.groupby(target["referral_source"] == "police").mean()
    assert by_proxy[True] > 2 * by_proxy[False]
    police_rate = cases.groupby(cases["referral_source"] == "police")["crisis_90d"].mean()
    assert police_rate[True] > police_rate[False] + 0.1


def test_proxy_can_use_region():
    cases = generate_caseload(
        n_cases=1000,
        seed=SEED,
        switches=UnfairnessSwitches(proxy_strength=1.0, proxy_field="region", proxy_value="south"),
    ).cases
    assert (cases.loc[cases["race_ethnicity"] == "Black", "region"] == "south").all()


@pytest.mark.parametrize(
    ("group", "fraction"),
    [
        (GroupRef(attribute="race_ethnicity", value="Native American"), 0.004),
        (GroupRef(attribute="disability", value="yes"), 0.01),
    ],
)
def test_underrepresented_group_is_kept_at_its_fraction(group, fraction):
    cases = generate_caseload(
        n_cases=N, seed=SEED, switches=UnfairnessSwitches(underrepresent={group: fraction})
    ).cases
    share = (cases[group.attribute] == group.value).mean()
    assert 0 < share < 3 * fraction
    assert share * N < 40, "too few for any audit to judge"


def test_switch_values_are_checked():
    with pytest.raises(ValueError, match="label_bias"):
        UnfairnessSwitches(label_bias=1.5)
    with pytest.raises(ValueError, match="proxy field"):
        UnfairnessSwitches(proxy_field="income_band", proxy_value="none")
    with pytest.raises(ValueError, match="proxy value"):
        UnfairnessSwitches(proxy_value="mars")
    with pytest.raises(ValueError, match="unknown target group"):
        generate_caseload(
            n_cases=5,
            seed=1,
            switches=UnfairnessSwitches(target_group=GroupRef(attribute="sex", value="x")),
        )


def test_parsers_accept_documented_forms_and_name_the_problem():
    assert parse_group("Black") == BLACK
    assert parse_group("disability:yes") == GroupRef(attribute="disability", value="yes")
    assert parse_underrepresent("Native American=0.004") == (
        GroupRef(attribute="race_ethnicity", value="Native American"),
        0.004,
    )
    assert parse_proxy("region=south") == ("region", "south")
    with pytest.raises(ValueError, match="unknown attribute 'income'"):
        parse_group("income:low")
    with pytest.raises(ValueError, match="GROUP=FRACTION"):
        parse_underrepresent("Asian")
    with pytest.raises(ValueError, match="not a number"):
        parse_underrepresent("Asian=lots")
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        parse_underrepresent("Asian=1.5")
    with pytest.raises(ValueError, match="FIELD=VALUE"):
        parse_proxy("referral_source=aliens")


def _score_gap(cases: pd.DataFrame) -> float:
    """Mean score of the target group minus the rest, from a model blind to race."""
    from sklearn.linear_model import LogisticRegression

    from core.schemas import MODEL_INPUT_FIELDS

    features = pd.get_dummies(cases[list(MODEL_INPUT_FIELDS)], dtype=float)
    model = LogisticRegression(max_iter=500).fit(features, cases["crisis_90d"])
    score = model.predict_proba(features)[:, 1]
    target = (cases["race_ethnicity"] == "Black").to_numpy()
    return float(score[target].mean() - score[~target].mean())


@pytest.mark.slow
def test_a_race_blind_model_learns_the_bias_through_the_proxy(fair):
    biased = generate_caseload(
        n_cases=N,
        seed=SEED,
        switches=UnfairnessSwitches(label_bias=0.3, proxy_strength=0.8),
    ).cases
    assert "race_ethnicity" not in pd.get_dummies(biased[["region"]]).columns
    assert _score_gap(biased) > _score_gap(fair) + 0.08
