"""Priority tiers (safety override, thresholds, capacity mode) and caseworker assignment."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from core.schemas import SAFETY_NEEDS
from models import CaseworkerMatcher, PriorityPolicy, PriorityPolicyError, load_model_config
from tests.models.conftest import make_cases, make_roster


def need(name, status="present", experiencer="client"):
    return {"need": name, "status": status, "experiencer": experiencer, "start": 0, "end": 1}


@pytest.fixture
def policy():
    return PriorityPolicy.load()


@pytest.mark.parametrize("safety", sorted(SAFETY_NEEDS))
def test_a_safety_need_forces_tier_one_whatever_the_model_says(policy, safety):
    decision = policy.decide([0.0001], [[need("legal"), need(safety)]])[0]
    assert decision.tier == 1
    assert safety in decision.rule
    assert decision.rule.startswith("safety_override")


def test_a_safety_need_that_is_negated_or_someone_elses_does_not_override(policy):
    needs = [need("suicide_risk", status="negated"), need("child_safety", experiencer="other")]
    decision = policy.decide([0.01], [needs])[0]
    assert decision.tier == 4


def test_tiers_follow_thresholds_and_say_which_rule_fired(policy):
    probabilities = [0.9, 0.45, 0.3, 0.05]
    tiers = [d.tier for d in policy.decide(probabilities, [[]] * 4)]
    assert tiers == [2, 2, 3, 4]
    assert "0.450" in policy.decide([0.45], [[]])[0].rule
    assert len(policy.sha256) == 64


def test_capacity_mode_caps_the_share_of_tier_two(policy):
    rng = np.random.default_rng(0)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    recent = pd.DataFrame(
        {
            "scored_at": [now - timedelta(days=int(d)) for d in rng.integers(0, 60, 4000)],
            "probability": rng.beta(2, 3, 4000),
        }
    )
    capped = policy.with_capacity_thresholds(recent, now=now)
    in_window = recent[recent.scored_at >= now - timedelta(days=30)]
    tiers = np.array([d.tier for d in capped.decide(in_window.probability, [[]] * len(in_window))])
    assert np.mean(tiers == 2) <= 0.15 + 1e-9
    assert capped.thresholds[2] >= policy.thresholds[2]
    assert "capacity" in capped.decide([0.99], [[]])[0].rule
    assert policy.with_capacity_thresholds(recent.head(10), now=now) is policy


def test_invalid_policy_names_the_problem(tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text(
        "safety_override: {tier: 1, needs: [legal]}\ntiers: [{tier: 1, label: x}, "
        "{tier: 2, label: y, min_probability: 0}]\n"
    )
    with pytest.raises(PriorityPolicyError, match=r"safety_override\.needs"):
        PriorityPolicy.load(bad)


@pytest.fixture
def matcher(roster):
    return CaseworkerMatcher(roster=roster, config=load_model_config().assignment)


def test_suggestions_respect_capacity_and_language(roster):
    roster = roster.copy()
    roster["languages"] = "en"
    roster.loc[3, "languages"] = "en;so"
    roster.loc[4, "languages"] = "en;so"
    roster.loc[4, "current_load"] = roster.loc[4, "capacity"]
    matcher = CaseworkerMatcher(roster=roster, config=load_model_config().assignment)
    case = {"preferred_language": "so", "region": "north", "previous_worker_id": ""}
    suggestions = matcher.suggest([case], [[need("legal")]])[0]
    assert [s["worker_id"] for s in suggestions] == ["w003"]
    assert any("speaks" in r for r in suggestions[0]["reasons"])
    english = matcher.suggest([case | {"preferred_language": "en"}], [[need("legal")]])[0]
    assert len(english) == 3
    assert "w004" not in {s["worker_id"] for s in english}


def test_skills_and_continuity_raise_a_worker(matcher, roster):
    skilled = roster.loc[0, "skills"].split(";")[0]
    case = {"preferred_language": "en", "region": "nowhere", "previous_worker_id": "w000"}
    top = matcher.suggest([case], [[need(skilled)]])[0][0]
    assert top["worker_id"] == "w000"
    assert "has worked with this client before" in top["reasons"]


def test_batch_assignment_respects_constraints_and_beats_greedy(roster):
    cases = make_cases(150, seed=11)
    case_dicts = cases.to_dict("records")
    matcher = CaseworkerMatcher(roster=roster, config=load_model_config().assignment)
    result = matcher.assign_batch(case_dicts, cases.needs.tolist())
    free = dict(zip(roster.worker_id, roster.capacity - roster.current_load, strict=True))
    counts = pd.Series([w for w in result.worker_ids if w is not None]).value_counts()
    assert all(counts[w] <= free[w] for w in counts.index)
    _, eligible, _, _ = matcher.score_matrix(case_dicts, cases.needs.tolist())
    index = {w: j for j, w in enumerate(roster.worker_id)}
    for i, worker in enumerate(result.worker_ids):
        if worker is not None:
            assert eligible[i, index[worker]]
    assert result.n_unassigned <= result.greedy_n_unassigned
    objective = result.total_quality - result.utilisation_std
    assert objective >= result.greedy_total_quality - result.greedy_utilisation_std - 1e-9
    assert result.utilisation_std <= result.greedy_utilisation_std + 1e-9


@pytest.mark.slow
def test_batch_assignment_of_a_thousand_cases_to_a_hundred_workers_is_fast():
    roster = make_roster(100, seed=2)
    cases = make_cases(1000, seed=4)
    matcher = CaseworkerMatcher(roster=roster, config=load_model_config().assignment)
    start = time.perf_counter()
    result = matcher.assign_batch(cases.to_dict("records"), cases.needs.tolist())
    assert time.perf_counter() - start < 5.0
    assert result.n_unassigned <= result.greedy_n_unassigned


def test_roster_errors_name_the_column(roster):
    with pytest.raises(ValueError, match="capacity"):
        CaseworkerMatcher(roster=roster.assign(capacity=-1), config=load_model_config().assignment)
    with pytest.raises(ValueError, match=r"missing column.*skills"):
        CaseworkerMatcher(
            roster=roster.drop(columns="skills"), config=load_model_config().assignment
        )
