"""Calibration and AUC from cells equal the row-wise definitions; the gauges follow the
latest report; the monitor refuses what it cannot monitor with a clear error."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from typer.testing import CliRunner

from casetriage.cli import app
from monitoring import LABEL, load_monitoring_policy
from monitoring.live_figures import calibration_by_group, calibration_figures
from serving.database import make_engine, upgrade_schema


def _labelled(n: int, seed: int, *, distinct: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    probability = np.round(rng.beta(2, 5, size=n) * distinct) / distinct
    probability = np.clip(probability, 0.01, 0.99)
    y = (rng.random(n) < np.clip(probability * 1.3, 0, 1)).astype(int)
    return pd.DataFrame({"probability": probability, LABEL: y, "sex": rng.choice(["f", "m"], n)})


def test_cell_figures_equal_row_definitions():
    frame = _labelled(5_000, seed=1)
    figures = calibration_figures(frame, load_monitoring_policy().live)["metrics"]
    y, p = frame[LABEL].to_numpy(), frame["probability"].to_numpy()
    assert figures["auc"]["value"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert figures["brier"]["value"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    fitted = LogisticRegression(C=1e12, tol=1e-12, max_iter=1000).fit(logit, y)
    assert figures["calibration_slope"]["value"] == pytest.approx(fitted.coef_[0, 0], abs=1e-4)
    assert figures["calibration_intercept"]["value"] == pytest.approx(
        fitted.intercept_[0], abs=1e-4
    )
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(abs(y[bins == b].sum() - p[bins == b].sum()) for b in range(10)) / len(y)
    assert figures["ece"]["value"] == pytest.approx(ece, abs=1e-12)
    for name, figure in figures.items():
        low, high = figure["ci"]
        assert low <= figure["value"] <= high, name


def test_underestimated_risk_shows_in_the_intercept_and_ece():
    frame = _labelled(20_000, seed=2)
    figures = calibration_figures(frame, load_monitoring_policy().live)["metrics"]
    assert figures["calibration_intercept"]["ci"][0] > 0
    assert figures["ece"]["ci"][0] > 0.02


def test_thin_groups_are_insufficient():
    frame = _labelled(3_000, seed=3)
    frame.loc[frame.index[:40], "sex"] = "x"
    rows = {
        r["group"]: r for r in calibration_by_group(frame, ["sex"], load_monitoring_policy().live)
    }
    assert rows["x"]["status"] == "insufficient"
    assert rows["x"]["metrics"] == {}
    assert rows["f"]["status"] == "measured"
    assert rows["f"]["n"] + rows["m"]["n"] + rows["x"]["n"] == 3_000


def test_gauges_follow_the_latest_report(tmp_path):
    from prometheus_client import generate_latest

    from serving.metrics import refresh_monitoring_gauges

    latest = tmp_path / "latest.json"
    report = {
        "model_version": "41",
        "verdict": "drift",
        "created_at": "2026-12-01T10:00:00+00:00",
        "headline": {"score_psi": 0.31, "override_rate": 0.12, "auc": None, "drifted": 2},
    }
    latest.write_text(json.dumps(report))
    refresh_monitoring_gauges(latest)
    text = generate_latest().decode()
    assert 'casetriage_monitoring_score_psi{model_version="41"} 0.31' in text
    assert 'casetriage_monitoring_verdict{model_version="41",verdict="drift"} 1.0' in text
    assert 'casetriage_monitoring_verdict{model_version="41",verdict="pass"} 0.0' in text
    assert 'casetriage_monitoring_auc{model_version="41"} NaN' in text
    latest.write_text("{not json")
    refresh_monitoring_gauges(latest)
    assert 'casetriage_monitoring_score_psi{model_version="41"} 0.31' in generate_latest().decode()


def test_monitor_refuses_an_unknown_version(monitor_env, tmp_path):
    url = f"sqlite:///{tmp_path / 'svc.db'}"
    upgrade_schema(make_engine(url))
    result = CliRunner().invoke(app, ["monitor", "--database-url", url, "--model-version", "999"])
    assert result.exit_code == 2
    assert "--model-version" in result.output
    assert "999" in result.output


def test_monitor_refuses_a_database_without_service_tables(monitor_env, tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    result = CliRunner().invoke(app, ["monitor", "--database-url", url])
    assert result.exit_code == 2
    assert "not a casetriage service database" in result.output


def test_a_version_without_reference_is_named(monitor_env, monkeypatch):
    from models import registry
    from monitoring import ReferenceMissingError, load_reference

    monkeypatch.setenv("CASETRIAGE_MODEL_NAME", "casetriage-risk-no-reference")
    client = registry.store_client()
    experiment = client.get_experiment_by_name(registry.EXPERIMENT_NAME)
    run = client.create_run(experiment.experiment_id)
    client.set_terminated(run.info.run_id)
    client.create_registered_model("casetriage-risk-no-reference")
    version = client.create_model_version(
        "casetriage-risk-no-reference",
        source=f"{run.info.artifact_uri}/model",
        run_id=run.info.run_id,
    )
    with pytest.raises(ReferenceMissingError, match=f"model version {version.version} has no"):
        load_reference(version.version)


def test_the_champion_carries_its_reference(monitor_env):
    from monitoring import load_reference

    reference = load_reference(monitor_env["CASETRIAGE_TEST_CHAMPION_VERSION"])
    assert reference.model_version == monitor_env["CASETRIAGE_TEST_CHAMPION_VERSION"]
    assert reference.n_holdout_cases > 100
    assert reference.n_training_cases > reference.n_holdout_cases
    assert sum(reference.scores["tiers"].values()) == reference.n_holdout_cases


def test_monitor_names_an_unsupported_database_url(monitor_env):
    result = CliRunner().invoke(app, ["monitor", "--database-url", "mysql://host/db"])
    assert result.exit_code == 2
    assert "--database-url" in result.output


@pytest.mark.parametrize(
    "counts",
    [
        [[[10.0, 0.0], [0.0, 10.0]]],  # separable: low scores only non-events, high only events
        [[[0.0, 5.0], [0.0, 5.0]]],  # every case in one cell: the slope is not identified
    ],
)
def test_recalibration_of_a_degenerate_bootstrap_sample_stays_finite(counts):
    """A small group's bootstrap sample can hold no finite estimate; Newton's steps must
    stop at the bound rather than overflow (the monitor failed on such a sample)."""
    from monitoring.live_figures import _logistic_recalibration

    mean = np.array([[0.2, 0.8], [0.2, 0.8]])
    with np.errstate(all="raise"):
        intercept, slope = _logistic_recalibration(np.array(counts), mean)
    assert np.isfinite(intercept).all()
    assert np.isfinite(slope).all()
