"""The gate on data with known truth: biased -> fail, unbiased -> pass, thin -> insufficient."""

import json

import numpy as np
import pytest

from bias_audits import AuditInputError, AuditPolicy, audit_table

from .conftest import make_cases

SENSITIVE = ["race_ethnicity", "sex"]


def _audit(frame, policy, **kwargs):
    return audit_table(
        frame,
        label="crisis_90d",
        score="score",
        threshold=kwargs.pop("threshold", 0.3),
        sensitive=kwargs.pop("sensitive", SENSITIVE),
        policy=policy,
        **kwargs,
    )


def _one(result, *, group, metric, attribute="race_ethnicity"):
    (found,) = [
        d
        for d in result.disparities
        if d.attribute == attribute and d.group == group and d.metric == metric
    ]
    return found


def test_unbiased_model_passes(policy):
    result = _audit(make_cases(8_000, seed=1), policy)
    assert result.verdict == "pass", result.verdict_reasons
    assert not result.insufficient_groups
    assert {d.verdict for d in result.disparities} == {"pass"}


def test_biased_scores_fail_on_selection_rate(policy):
    result = _audit(make_cases(8_000, seed=2, selection_boost={"black": 0.15}), policy)
    assert result.verdict == "fail"
    disparity = _one(result, group="black", metric="selection_rate")
    assert disparity.verdict == "fail"
    assert disparity.reference == "White" or disparity.reference == "white"
    low, high = disparity.ratio_ci
    assert 1.25 < low <= disparity.ratio <= high
    # the sentence a reviewer reads first names the group, the ratio and the verdict
    assert any("flags black clients" in s and "→ fail" in s for s in result.summary())
    # other groups were not touched
    assert _one(result, group="asian", metric="selection_rate").verdict == "pass"


def test_label_bias_fails_on_error_rates(policy):
    """Extra recorded crises for one group: a model scoring true risk misses them."""
    result = _audit(make_cases(8_000, seed=3, label_bias={"black": 0.3}), policy)
    assert result.verdict == "fail"
    # the scores now understate black clients' recorded risk: calibration fails ...
    assert _one(result, group="black", metric="calibration_error").verdict == "fail"
    # ... and the model catches fewer of their recorded crises, beyond tolerance but with
    # an interval that reaches back within it at this sample size: a person must look
    tpr = _one(result, group="black", metric="true_positive_rate")
    assert tpr.difference < -0.10
    assert tpr.verdict == "review"
    # flags are not more frequent: the bias is in what counts as a crisis
    assert _one(result, group="black", metric="selection_rate").verdict == "pass"


def test_underrepresented_group_is_insufficient_and_forces_review(policy):
    frame = make_cases(4_000, seed=4, shares=(0.5, 0.3, 0.195, 0.005))
    result = _audit(frame, policy)
    thin = [g for g in result.groups if g.attribute == "race_ethnicity" and not g.sufficient]
    assert [g.group for g in thin] == ["asian"]
    verdicts = {d.verdict for d in result.disparities if d.group == "asian"}
    assert verdicts == {"insufficient"}
    assert result.verdict == "review"
    assert any("insufficient evidence" in r for r in result.verdict_reasons)
    assert any("Too few cases to judge asian" in s for s in result.summary())


def test_thin_intersections_alone_do_not_hold_release(policy):
    """The policy lists thin intersections but only thin attributes force a review."""
    frame = make_cases(8_000, seed=1)
    frame.loc[(frame.race_ethnicity == "asian") & (frame.sex == "male"), "sex"] = "female"
    keep = frame.index[(frame.race_ethnicity == "asian") & (frame.sex == "female")][:25]
    frame.loc[keep, "sex"] = "male"
    result = _audit(frame, policy)
    thin = {(g.attribute, g.group) for g in result.insufficient_groups}
    assert ("race_ethnicity × sex", "asian × male") in thin
    assert result.verdict == "pass"
    assert any("does not hold the release" in r for r in result.verdict_reasons)


def test_missing_values_are_counted_not_silent(policy):
    frame = make_cases(3_000, seed=5)
    frame.loc[:9, "crisis_90d"] = np.nan
    frame.loc[10:49, "sex"] = None
    result = _audit(frame, policy)
    assert result.provenance["dropped_missing_label_or_score"] == 10
    assert result.provenance["missing_by_attribute"] == {"race_ethnicity": 0, "sex": 40}
    (sex,) = [a for a in result.attributes if a.attribute == "sex"]
    assert sex.n_missing == 40
    assert sex.n_rows == 2_950


def test_reference_group_from_policy_or_largest(policy):
    frame = make_cases(3_000, seed=6)
    frame["race_ethnicity"] = frame["race_ethnicity"].replace({"white": "White"})
    result = _audit(frame, policy)
    by_name = {a.attribute: a for a in result.attributes}
    assert by_name["race_ethnicity"].reference == "White"
    assert by_name["race_ethnicity"].reference_source == "policy"
    assert by_name["race_ethnicity × sex"].reference == "White × female"
    data = policy.to_dict()
    data["reference_groups"] = {"race_ethnicity": "Martian"}
    other = _audit(frame, AuditPolicy.from_mapping(data))
    (race,) = [a for a in other.attributes if a.attribute == "race_ethnicity"]
    assert race.reference == "White"  # the largest group
    assert "absent" in race.reference_source


def test_same_seed_same_intervals(policy):
    frame = make_cases(2_000, seed=7)
    first = json.dumps(_audit(frame, policy, sensitive=["sex"]).to_dict()["groups"])
    second = json.dumps(_audit(frame, policy, sensitive=["sex"]).to_dict()["groups"])
    assert first == second


def test_interval_width_matches_binomial_theory(policy):
    """The count bootstrap of a rate has the spread of a binomial proportion."""
    result = _audit(make_cases(20_000, seed=8), policy, sensitive=["sex"])
    (female,) = [g for g in result.groups if g.group == "female"]
    rate = female.metrics["selection_rate"]
    expected = 2 * 1.96 * np.sqrt(rate.value * (1 - rate.value) / rate.n)
    assert rate.ci_high - rate.ci_low == pytest.approx(expected, rel=0.2)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (None, {"sensitive": ["religion"]}, "sensitive column 'religion'"),
        ("label_text", {}, "column 'crisis_90d' must be binary"),
        ("score_high", {}, "outside [0, 1]"),
        (None, {"threshold": None}, "give --threshold"),
        (None, {"threshold": 3.0}, "outside [0, 1]"),
        ("score_negative_int", {}, "must be >= 0"),
        (None, {"sensitive": []}, "at least one sensitive"),
    ],
)
def test_bad_input_is_named(policy, change, kwargs, message):
    frame = make_cases(200, seed=9)
    if change == "label_text":
        frame["crisis_90d"] = frame["crisis_90d"].astype(object)
        frame.loc[17, "crisis_90d"] = "maybe"
    elif change == "score_high":
        frame.loc[3, "score"] = 1.7
    elif change == "score_negative_int":
        frame["score"] = (frame["score"] * 10).round().astype(int)
        frame.loc[3, "score"] = -1
    with pytest.raises(AuditInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _audit(frame, policy, **kwargs)


def test_label_words_and_score_kinds(policy):
    frame = make_cases(1_000, seed=10)
    frame["crisis_90d"] = np.where(frame["crisis_90d"] == 1, "Yes", "no")
    frame["risk_points"] = (frame["score"] * 10).round().astype(int)
    frame["flag"] = (frame["score"] >= 0.3).astype(int)
    by_points = audit_table(
        frame,
        label="crisis_90d",
        score="risk_points",
        threshold=3,
        sensitive=["sex"],
        policy=policy,
    )
    by_flag = audit_table(frame, label="crisis_90d", score="flag", sensitive=["sex"], policy=policy)
    assert by_points.score_kind == "integer_score"
    assert by_flag.score_kind == "binary"
    assert "calibration_error" not in by_flag.groups[0].metrics
    assert by_flag.groups[0].metrics["true_positive_rate"].n == int(
        (frame.loc[frame.sex == by_flag.groups[0].group, "crisis_90d"] == "Yes").sum()
    )


def test_reported_metric_is_judged_and_shown_but_does_not_hold_the_release(policy):
    """A calibrated model for groups whose true risk differs flags them at different rates."""
    frame = make_cases(8_000, seed=5)
    risky = frame["race_ethnicity"] == "black"
    frame.loc[risky, "score"] = (frame.loc[risky, "score"] * 1.6).clip(0, 1)
    rng = np.random.default_rng(5)
    drawn = rng.random(int(risky.sum())) < frame.loc[risky, "score"]
    frame.loc[risky, "crisis_90d"] = drawn.astype(int)
    data = policy.to_dict() | {"gated_metrics": {"calibration_error": {"max_difference": 0.05}}}
    data.pop("sha256")
    data.pop("source")
    calibration_only = AuditPolicy.from_mapping(data)
    result = _audit(frame, calibration_only)
    selection = _one(result, group="black", metric="selection_rate")
    assert selection.verdict == "fail"
    assert selection.gated is False
    assert result.verdict == "pass", result.verdict_reasons
    assert any("not gated by policy" in r for r in result.verdict_reasons)
    assert any("(reported, not gated)" in s for s in result.summary())


def test_intersection_review_is_listed_without_holding_unless_policy_says_so(policy):
    result = _audit(make_cases(8_000, seed=1), policy, intersections=[["race_ethnicity", "sex"]])
    data = policy.to_dict() | {"intersection_reviews_hold": True}
    data.pop("sha256")
    data.pop("source")
    strict = AuditPolicy.from_mapping(data)
    strict_result = _audit(
        make_cases(8_000, seed=1), strict, intersections=[["race_ethnicity", "sex"]]
    )
    reviews = [d for d in result.disparities if d.is_intersection and d.verdict == "review"]
    if reviews:
        assert result.verdict == "pass"
        assert strict_result.verdict == "review"
    else:
        assert result.verdict == strict_result.verdict == "pass"
