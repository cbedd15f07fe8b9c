"""Mitigation trade-off table and the model card, on data with a proxy for the group."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from bias_audits import (
    attach_mitigation,
    audit_table,
    compare_mitigations,
    write_model_card,
    write_reports,
)

from .conftest import make_cases


@pytest.fixture(scope="module")
def proxy_data():
    """Outcomes differ by group; a proxy feature carries the group into the model."""
    rng = np.random.default_rng(0)
    n = 1_500
    group = rng.choice(["a", "b"], size=n, p=[0.7, 0.3])
    x1 = rng.normal(size=n)
    proxy = (group == "b") + rng.normal(scale=0.5, size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(x1 + 1.2 * (group == "b") - 1)))).astype(int)
    return pd.DataFrame({"x1": x1, "proxy": proxy}), y, group


@pytest.fixture(scope="module")
def rows(proxy_data):
    x, y, group = proxy_data
    return compare_mitigations(
        LogisticRegression(), x, y, sensitive_features=group, max_iter=20, random_state=0
    )


@pytest.fixture(scope="module")
def quick_rows(proxy_data):
    """Only the methods that fit in well under a second (no reductions)."""
    x, y, group = proxy_data
    return compare_mitigations(
        LogisticRegression(),
        x,
        y,
        sensitive_features=group,
        methods=["unmitigated", "threshold_optimizer_equalized_odds"],
    )


@pytest.mark.slow
def test_mitigations_trade_accuracy_for_parity(rows):
    by_method = {row.method: row for row in rows}
    base = by_method["unmitigated"]
    parity = by_method["exponentiated_gradient_demographic_parity"]
    odds = by_method["exponentiated_gradient_equalized_odds"]
    assert parity.selection_rate_difference < base.selection_rate_difference / 2
    assert odds.equalized_odds_difference < base.equalized_odds_difference
    assert base.accuracy >= max(parity.accuracy, odds.accuracy) - 0.01
    assert base.auc is not None
    assert 0.5 < base.auc <= 1


def test_group_thresholds_are_marked_not_deployable(quick_rows):
    base, optimizer = quick_rows
    assert base.deployable
    assert not optimizer.deployable
    assert "sensitive attribute at prediction time" in optimizer.note
    # per-group thresholds buy equalised odds
    assert optimizer.equalized_odds_difference < base.equalized_odds_difference


def test_unknown_method_is_refused(proxy_data):
    x, y, group = proxy_data
    with pytest.raises(ValueError, match="unknown mitigation 'magic'"):
        compare_mitigations(LogisticRegression(), x, y, sensitive_features=group, methods=["magic"])


def test_sensitive_column_in_inputs_is_refused(proxy_data):
    x, y, group = proxy_data
    named = pd.Series(group, name="race_ethnicity")
    for leaked in (x.assign(race_ethnicity=group), x.assign(renamed_copy=group)):
        with pytest.raises(ValueError, match="must not contain the sensitive feature"):
            compare_mitigations(
                LogisticRegression(), leaked, y, sensitive_features=named, methods=["unmitigated"]
            )


def test_trade_off_table_and_model_card_in_reports(quick_rows, policy, tmp_path):
    rows = quick_rows
    result = audit_table(
        make_cases(3_000, seed=13, selection_boost={"black": 0.2}),
        label="crisis_90d",
        score="score",
        threshold=0.3,
        sensitive=["race_ethnicity"],
        policy=policy,
    )
    with_table = attach_mitigation(result, rows)
    paths = write_reports(with_table, tmp_path)
    assert "what fairness costs" in paths["html"].read_text()
    data = json.loads(paths["json"].read_text())
    assert [row["method"] for row in data["mitigation"]] == [r.method for r in rows]

    card = write_model_card(
        with_table, tmp_path, model_name="casetriage-risk", version=3, metrics={"auc": 0.81}
    )
    markdown = card["md"].read_text()
    for heading in (
        "## Intended use",
        "## Intended users",
        "## Out-of-scope uses",
        "## Data",
        "## Metrics",
        "## Fairness results",
        "## Limitations",
        "## Human oversight",
    ):
        assert heading in markdown
    assert "version 3" in markdown
    assert "Fairness audit verdict: **FAIL**" in markdown
    assert "flags black clients" in markdown
    assert result.policy.sha256 in card["html"].read_text()
    assert "0.8100" in markdown
