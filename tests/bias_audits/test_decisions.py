"""Audit of supervisors' decisions: arithmetic by hand, verdicts on known bias, bad input."""

import pandas as pd
import pytest

from bias_audits import AuditInputError, AuditPolicy, audit_decisions, write_decision_reports

from .conftest import make_decisions

# group A: 4 decisions: 1 raised (2 -> 1), 1 lowered (1 -> 2), 2 kept; group B: 2 kept
HAND = pd.DataFrame(
    {
        "suggested_tier": [2, 1, 3, 3, 1, 2],
        "final_tier": [1, 2, 3, 3, 1, 2],
        "overridden": ["yes", "yes", "no", "no", "no", "no"],
        "override_direction": ["up", "down", "none", "none", None, "none"],
        "race_ethnicity": ["A", "A", "A", "A", "B", "B"],
    }
)


@pytest.fixture(scope="module")
def tiny_policy(policy):
    data = policy.to_dict()
    data["decisions"]["min_denominator"] = 1
    return AuditPolicy.from_mapping(data)


def test_rates_by_hand(tiny_policy):
    result = audit_decisions(HAND, sensitive=["race_ethnicity"], policy=tiny_policy)
    a = next(g for g in result.groups if g.group == "A")
    assert a.n == 4
    assert a.metrics["override_rate"].value == pytest.approx(2 / 4)
    assert a.metrics["upgrade_rate"].value == pytest.approx(1 / 4)
    assert a.metrics["downgrade_rate"].value == pytest.approx(1 / 4)
    assert a.metrics["final_tier_1_share"].value == pytest.approx(1 / 4)
    assert a.metrics["final_tier_2_share"].value == pytest.approx(1 / 4)
    assert a.metrics["final_tier_3_share"].value == pytest.approx(2 / 4)
    b = next(g for g in result.groups if g.group == "B")
    assert b.metrics["override_rate"].value == 0.0
    override = next(d for d in result.disparities if d.group == "B" and d.metric == "override_rate")
    assert override.reference == "A"  # the largest group
    assert override.difference == pytest.approx(-0.5)
    assert result.tiers == [1, 2, 3]


def test_biased_overrides_fail_unbiased_pass(policy, tmp_path):
    biased = audit_decisions(
        make_decisions(3_000, seed=1, override_share={"Black": 0.35}),
        sensitive=["race_ethnicity"],
        policy=policy,
    )
    assert biased.verdict == "fail"
    worst = next(
        d for d in biased.disparities if d.group == "Black" and d.metric == "override_rate"
    )
    assert worst.verdict == "fail"
    assert worst.reference == "White"  # from the policy
    assert any("supervisors' override rate" in s and "Black clients" in s for s in biased.summary())
    fair = audit_decisions(
        make_decisions(3_000, seed=2), sensitive=["race_ethnicity"], policy=policy
    )
    assert fair.verdict == "pass", fair.verdict_reasons
    paths = write_decision_reports(biased, tmp_path)
    assert "Audit of supervisors' decisions: FAIL" in paths["md"].read_text()
    assert 'src="data:image/png;base64,' in paths["html"].read_text()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("override_direction", "sideways", "must be up, down or none; line 2"),
        ("final_tier", "urgent", "column 'final_tier' must hold whole tier numbers; line 2"),
        ("overridden", "perhaps", "column 'overridden' must be binary"),
    ],
)
def test_bad_values_name_column_and_line(tiny_policy, column, value, message):
    frame = HAND.copy().astype({column: object})
    frame.loc[0, column] = value
    with pytest.raises(AuditInputError, match=message):
        audit_decisions(frame, sensitive=["race_ethnicity"], policy=tiny_policy)


def test_inconsistent_rows_are_rejected(tiny_policy):
    frame = HAND.copy()
    frame.loc[2, "final_tier"] = 1  # not overridden, yet the tier changed
    with pytest.raises(AuditInputError, match="line 4: not overridden but final_tier differs"):
        audit_decisions(frame, sensitive=["race_ethnicity"], policy=tiny_policy)
    frame = HAND.copy()
    frame.loc[0, "override_direction"] = "down"  # 2 -> 1 is a raise
    with pytest.raises(AuditInputError, match="line 2: direction 'down'"):
        audit_decisions(frame, sensitive=["race_ethnicity"], policy=tiny_policy)
    with pytest.raises(AuditInputError, match="column 'region' is missing"):
        audit_decisions(HAND, sensitive=["region"], policy=tiny_policy)
