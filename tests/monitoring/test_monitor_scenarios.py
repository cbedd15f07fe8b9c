"""``casetriage monitor`` on a live database: a shifted, label-biased caseload after the
release drifts and fails the live fairness audit; an unchanged one does neither."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from casetriage.cli import app
from casetriage.synth import PopulationShift, UnfairnessSwitches, generate_caseload
from serving.audit_log import verify_chain
from serving.database import make_engine, make_session_factory
from serving.tables import AuditEntry

from .conftest import live_database

N_CASES = 3000
SHIFT = PopulationShift(adversity=0.6, income=-0.8, housing=1.5)


def _monitor(url: str, out) -> tuple[int, dict, str]:
    result = CliRunner().invoke(app, ["monitor", "--database-url", url, "--out", str(out)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return result.exit_code, report, result.output


def _alerts(url: str) -> list[AuditEntry]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        entries = list(
            session.execute(
                select(AuditEntry).where(AuditEntry.action == "monitoring_alert")
            ).scalars()
        )
        assert verify_chain(session).ok
    engine.dispose()
    return entries


@pytest.mark.slow
def test_unchanged_caseload_neither_drifts_nor_fails(monitor_env, champion_model, tmp_path):
    caseload = generate_caseload(n_cases=N_CASES, seed=101)
    url = live_database(tmp_path, champion_model, caseload)

    code, report, output = _monitor(url, tmp_path / "report")

    assert code == 0, output
    assert report["verdict"] in ("pass", "review"), report["reasons"]
    assert [f["name"] for f in report["drift"] if f["status"] == "drift"] == []
    assert report["fairness"]["verdict"] != "fail"
    assert report["headline"]["n_scores"] == N_CASES
    assert report["headline"]["n_with_outcome"] == N_CASES
    assert 0.08 < report["headline"]["override_rate"] < 0.14
    assert report["calibration"]["metrics"]["auc"]["value"] > 0.6
    assert _alerts(url) == []
    assert (tmp_path / "report" / "report.md").read_text().startswith("# Monitoring")
    assert (tmp_path / "report" / "fairness" / "report.json").exists()


@pytest.mark.slow
def test_shifted_label_biased_caseload_drifts_and_fails(monitor_env, champion_model, tmp_path):
    caseload = generate_caseload(
        n_cases=N_CASES, seed=101, shift=SHIFT, switches=UnfairnessSwitches(label_bias=0.4)
    )
    url = live_database(tmp_path, champion_model, caseload)

    code, report, output = _monitor(url, tmp_path / "report")

    assert code == 1, output
    assert report["verdict"] == "fail"
    drifted = {f["name"] for f in report["drift"] if f["status"] == "drift"}
    assert {"income_band", "housing_type"} <= drifted
    assert report["fairness"]["verdict"] == "fail"
    failing = {d["attribute"] for d in report["fairness"]["disparities"] if d["verdict"] == "fail"}
    assert "race_ethnicity" in failing
    (alert,) = _alerts(url)
    details = json.loads(alert.details)
    assert details["verdict"] == "fail"
    assert "categorical:income_band" in details["drifted"]
    assert "verdict: FAIL" in output
    assert "alert recorded as audit entry" in output
