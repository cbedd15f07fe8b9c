"""Per-attribute gates: a legitimate risk factor is held to calibration, not to parity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bias_audits import AuditPolicy, PolicyError, audit_table


def _age_driven_cases(n: int = 6000, seed: int = 3) -> pd.DataFrame:
    """Older clients truly have twice the risk; the score is the true (calibrated) risk."""
    rng = np.random.default_rng(seed)
    age_band = rng.choice(("25-44", "65+"), size=n)
    race = rng.choice(("white", "black"), size=n)
    risk = np.where(age_band == "65+", 0.5, 0.25) * rng.uniform(0.6, 1.4, size=n)
    return pd.DataFrame(
        {
            "age_band": age_band,
            "race_ethnicity": race,
            "crisis_90d": (rng.random(n) < risk).astype(int),
            "score": risk,
        }
    )


def _policy(policy: AuditPolicy, **changes) -> AuditPolicy:
    data = policy.to_dict() | changes
    data["gated_metrics"] = data["gated_metrics"] | {"selection_rate": {"max_ratio": 1.25}}
    for key in ("sha256", "source"):
        data.pop(key)
    return AuditPolicy.from_mapping(data)


def _verdicts(result, attribute: str) -> dict[str, str]:
    return {d.metric: d.verdict for d in result.disparities if d.attribute == attribute}


def test_without_an_attribute_gate_a_true_risk_difference_fails_parity(policy):
    gated = _policy(policy, attribute_gates={})
    result = audit_table(
        _age_driven_cases(),
        label="crisis_90d",
        score="score",
        threshold=0.4,
        sensitive=["age_band"],
        policy=gated,
        intersections=[],
    )
    assert _verdicts(result, "age_band")["selection_rate"] == "fail"


def test_an_attribute_gate_holds_age_to_calibration_and_leaves_race_fully_gated(policy):
    gated = _policy(
        policy,
        attribute_gates={
            "age_band": {
                "metrics": ["calibration_error"],
                "why": "age is a causal risk factor, base rates differ by age band",
            }
        },
    )
    assert gated.gated_for(("age_band",)) == ("calibration_error",)
    assert "selection_rate" in gated.gated_for(("race_ethnicity",))
    assert gated.gated_for(("race_ethnicity", "age_band")) == ("calibration_error",)
    result = audit_table(
        _age_driven_cases(),
        label="crisis_90d",
        score="score",
        threshold=0.4,
        sensitive=["age_band", "race_ethnicity"],
        policy=gated,
        intersections=[],
    )
    age = _verdicts(result, "age_band")
    assert set(age) <= {"calibration_error"}
    assert "fail" not in age.values()
    assert "selection_rate" in _verdicts(result, "race_ethnicity")
    assert result.to_dict()["policy"]["attribute_gates"]["age_band"]["why"].startswith("age")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"metrics": ["calibration_error"]}, "exactly 'metrics' and 'why'"),
        ({"metrics": ["made_up"], "why": "a long enough reason here"}, "must list metrics"),
        ({"metrics": ["calibration_error"], "why": "too short"}, "explain the exception"),
    ],
)
def test_a_bad_attribute_gate_is_refused_naming_the_key(policy, spec, message):
    with pytest.raises(PolicyError, match=message):
        _policy(policy, attribute_gates={"age_band": spec})
