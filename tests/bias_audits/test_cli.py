"""``casetriage audit`` and ``audit-decisions`` on CSV files: contract, exit codes, errors."""

import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from casetriage.cli import app

from .conftest import make_cases

runner = CliRunner()


@pytest.fixture(scope="module")
def fast_policy_file(tmp_path_factory, policy):
    data = policy.to_dict()
    for key in ("sha256", "source"):
        data.pop(key)
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _audit(csv, out, policy_file, *extra):
    return _run(
        "audit",
        csv,
        "--label",
        "crisis_90d",
        "--score",
        "score",
        "--sensitive",
        "race_ethnicity",
        "--sensitive",
        "sex",
        "--policy",
        policy_file,
        "--out",
        out,
        *extra,
    )


def test_biased_table_exits_1_with_reports(tmp_path, fast_policy_file):
    csv = tmp_path / "cases.csv"
    make_cases(6_000, seed=2, selection_boost={"black": 0.15}).to_csv(csv, index=False)
    result = _audit(csv, tmp_path / "out", fast_policy_file, "--threshold", "0.3")
    assert result.exit_code == 1, result.output
    assert "read 'score' as probabilities" in result.output
    assert "verdict: FAIL" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "fail"
    assert report["provenance"]["source_sha256"]
    assert (tmp_path / "out" / "report.html").read_text().startswith("<!doctype html>")
    assert (tmp_path / "out" / "report.md").read_text().startswith("# Fairness audit: FAIL")


def test_unbiased_binary_predictions_exit_0(tmp_path, fast_policy_file):
    frame = make_cases(6_000, seed=1)
    frame["score"] = (frame["score"] >= 0.3).astype(int)
    frame["crisis_90d"] = np.where(frame["crisis_90d"] == 1, "true", "false")
    csv = tmp_path / "cases.csv"
    frame.to_csv(csv, index=False)
    result = _audit(csv, tmp_path / "out", fast_policy_file)
    assert result.exit_code == 0, result.output
    assert "read 'score' as binary predictions" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "pass"
    assert "calibration_error" not in report["groups"][0]["metrics"]


@pytest.mark.parametrize(
    ("mutate", "extra", "message"),
    [
        (lambda f: f, ["--sensitive", "religion"], "sensitive column 'religion' is not in"),
        (lambda f: f.assign(crisis_90d=f.crisis_90d.replace({1: 2})), [], "column 'crisis_90d'"),
        (lambda f: f.assign(score=f.score * 3), [], "column 'score' looks like probabilities"),
        (lambda f: f, [], "give --threshold"),
    ],
)
def test_bad_input_exits_2_naming_the_column(tmp_path, fast_policy_file, mutate, extra, message):
    csv = tmp_path / "cases.csv"
    mutate(make_cases(300, seed=3)).to_csv(csv, index=False)
    threshold = [] if message == "give --threshold" else ["--threshold", "0.3"]
    result = _audit(csv, tmp_path / "out", fast_policy_file, *threshold, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_file_and_bad_policy_exit_2(tmp_path, fast_policy_file):
    result = _audit(tmp_path / "nope.csv", tmp_path / "out", fast_policy_file)
    assert result.exit_code == 2
    assert "does not exist" in result.output
    csv = tmp_path / "cases.csv"
    make_cases(100).to_csv(csv, index=False)
    bad = tmp_path / "bad.yaml"
    bad.write_text("gated_metrics: {selection_rate: {max_ratio: 0.5}}\n")
    result = _audit(csv, tmp_path / "out", bad, "--threshold", "0.3")
    assert result.exit_code == 2
    assert "gated_metrics.selection_rate.max_ratio" in result.output


def test_missing_values_are_reported(tmp_path, fast_policy_file):
    frame = make_cases(2_000, seed=4)
    frame.loc[:4, "score"] = np.nan
    frame.loc[5:11, "race_ethnicity"] = ""
    csv = tmp_path / "cases.csv"
    frame.to_csv(csv, index=False)
    result = _audit(csv, tmp_path / "out", fast_policy_file, "--threshold", "0.3")
    assert "dropped 5 rows with a missing label or score" in result.output
    assert "dropped 7 rows with a missing 'race_ethnicity'" in result.output
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "**7 rows dropped** for a missing race_ethnicity" in markdown


def test_audit_decisions_command(tmp_path, fast_policy_file, decisions_frame):
    csv = tmp_path / "decisions.csv"
    decisions_frame.to_csv(csv, index=False)
    result = _run(
        "audit-decisions",
        "--from-csv",
        csv,
        "--sensitive",
        "race_ethnicity",
        "--policy",
        fast_policy_file,
        "--out",
        tmp_path / "out",
    )
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["kind"] == "decisions"
    assert report["verdict"] == "fail"
    broken = decisions_frame.assign(override_direction="sideways")
    broken.to_csv(csv, index=False)
    result = _run(
        "audit-decisions",
        "--from-csv",
        csv,
        "--sensitive",
        "race_ethnicity",
        "--out",
        tmp_path / "out2",
    )
    assert result.exit_code == 2
    assert "column 'override_direction' must be up, down or none; line 2" in result.output
