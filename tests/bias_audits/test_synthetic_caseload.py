"""The gate on the project's synthetic caseload (``casetriage.synth``), switches on and off.

Slow (each caseload writes notes too), so marked; the same targets are checked on small
hand-built frames in ``test_gate.py``.
"""

import pytest

from bias_audits import audit_table

pytestmark = pytest.mark.slow

SENSITIVE = ["race_ethnicity", "sex"]


def _caseload(**switches):
    from casetriage.synth import UnfairnessSwitches, generate_caseload

    return generate_caseload(n_cases=6_000, seed=5, switches=UnfairnessSwitches(**switches)).cases


def _audit(cases, policy):
    return audit_table(
        cases[[*SENSITIVE, "crisis_90d", "true_probability"]],
        label="crisis_90d",
        score="true_probability",
        threshold=0.3,
        sensitive=SENSITIVE,
        policy=policy,
        intersections=[],
    )


def test_oracle_scores_pass_without_bias(policy):
    """No judged disparity is flagged; the small groups (3-4% of 6,000 cases) are too thin
    for the calibration error, which by policy holds the release for a person to look."""
    result = _audit(_caseload(), policy)
    assert not result.disparities_with("fail")
    assert not result.disparities_with("review"), result.summary()
    thin = {g.group for g in result.insufficient_groups}
    assert thin <= {"Native American", "Multiracial", "Asian"}
    assert result.verdict == ("review" if thin else "pass")


def test_surveillance_label_bias_fails_for_the_target_group(policy):
    result = _audit(_caseload(label_bias=0.3), policy)
    assert result.verdict == "fail"
    failing = {(d.group, d.metric) for d in result.disparities_with("fail")}
    assert ("Black", "true_positive_rate") in failing
    assert all(group == "Black" for group, _ in failing)


def test_underrepresented_group_is_insufficient(policy):
    from casetriage.synth import GroupRef

    cases = _caseload(
        underrepresent={GroupRef(attribute="race_ethnicity", value="Native American"): 0.003}
    )
    result = _audit(cases, policy)
    thin = {g.group for g in result.insufficient_groups}
    assert "Native American" in thin
    assert {d.verdict for d in result.disparities if d.group == "Native American"} == {
        "insufficient"
    }
    assert result.verdict == "review"
