"""Batch scoring on Apache Spark equals the in-process scorer, case for case."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")

pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

N_CASES = 2000


def _caseload(root: Path, *, n_cases: int, seed: int) -> Path:
    from casetriage.synth import generate_caseload, write_caseload

    write_caseload(generate_caseload(n_cases=n_cases, seed=seed), root)
    return root / "cases.csv"


def _read_local(path: Path) -> list[dict]:
    """The caseload as ``casetriage score --engine local`` reads it."""
    return pd.read_csv(
        path,
        dtype={"case_id": str, "previous_worker_id": str, "note": str},
        keep_default_na=False,
    ).to_dict("records")


def _in_process(cases: list[dict]) -> tuple[list[dict], list[float]]:
    """Each case's score as the JSON the CLI and Spark write, and its probability."""
    from models import TriageModel
    from models._triage import _validate

    triage = TriageModel.load("champion")
    results = triage.score(cases)
    frame = pd.DataFrame(_validate(cases))
    frame["needs"] = [[need.model_dump() for need in result.needs] for result in results]
    scores = [result.model_dump(mode="json") for result in results]
    return scores, list(triage.predict_probability(frame))


def test_pyfunc_wrapper_scores_as_triage_model_and_names_bad_cases(champion, tmp_path):
    """The pyfunc Spark ships, called directly: same results; a bad case does not sink
    its batch, it gets an error naming the case and field."""
    import mlflow.pyfunc

    from models.spark import _pack_model

    cases = _read_local(_caseload(tmp_path / "data", n_cases=40, seed=11))
    expected, probabilities = _in_process(cases)
    model = mlflow.pyfunc.load_model(
        str(_pack_model(champion["CASETRIAGE_TEST_CHAMPION_VERSION"], tmp_path))
    )
    bad = dict(cases[3], age="forty")
    scored = model.predict(pd.DataFrame([*cases[:3], bad, *cases[4:]]))
    assert scored.loc[3, "error"] == (
        f"case ({bad['case_id']}): age: Input should be a valid integer, "
        "unable to parse string as an integer"
    )
    assert (scored.loc[3, "tier"], scored.loc[3, "result"]) == (0, "")
    good = scored.drop(index=3)
    assert (good["error"] == "").all()
    kept = [i for i in range(len(cases)) if i != 3]
    assert [json.loads(r) for r in good["result"]] == [expected[i] for i in kept]
    assert good["probability"].tolist() == pytest.approx(
        [probabilities[i] for i in kept], abs=1e-12
    )


@pytest.mark.slow
def test_spark_local2_equals_in_process_scorer(champion, tmp_path):
    from casetriage.cli import app
    from models.spark import read_scored

    cases_csv = _caseload(tmp_path / "data", n_cases=N_CASES, seed=23)
    out = tmp_path / "scored.parquet"
    result = CliRunner().invoke(
        app, ["score", str(cases_csv), "-o", str(out), "--engine", "spark", "--master", "local[2]"]
    )
    assert result.exit_code == 0, result.output
    assert f"scored {N_CASES} cases" in result.output

    scored = read_scored(out)
    cases = _read_local(cases_csv)
    expected, probabilities = _in_process(cases)
    assert scored["case_id"].tolist() == [case["case_id"] for case in cases]
    assert (scored["probability"] - probabilities).abs().max() <= 1e-9
    assert scored["tier"].tolist() == [score["tier"]["tier"] for score in expected]
    assert [json.loads(line) for line in scored["result"]] == expected
    assert set(scored["model_version"]) == {champion["CASETRIAGE_TEST_CHAMPION_VERSION"]}
    # the caseload carries audit attributes and labels; none may be written out
    assert list(scored.columns) == ["case_id", "model_version", "probability", "tier", "result"]


@pytest.mark.slow
def test_spark_bad_case_is_named_and_nothing_is_written(champion, tmp_path):
    from models.spark import SparkScoringError, read_scored, score_with_spark

    cases_csv = _caseload(tmp_path / "data", n_cases=30, seed=5)
    frame = pd.read_csv(cases_csv, dtype=str, keep_default_na=False)
    frame.loc[7, "region"] = "atlantis"
    frame.to_parquet(tmp_path / "bad.parquet")
    out = tmp_path / "scored.jsonl"
    with pytest.raises(SparkScoringError) as error:
        score_with_spark(tmp_path / "bad.parquet", out, master="local[2]")
    message = str(error.value)
    assert message.startswith("1 case(s) could not be scored, nothing written")
    assert f"case ({frame.loc[7, 'case_id']}): region:" in message
    assert not out.exists()

    # without the bad case the same job writes JSON lines equal to the in-process scores
    frame.drop(index=7).to_parquet(tmp_path / "good.parquet")
    summary = score_with_spark(tmp_path / "good.parquet", out, master="local[2]")
    scored = read_scored(out)
    expected, probabilities = _in_process(_read_local(cases_csv)[:7] + _read_local(cases_csv)[8:])
    assert summary.n_cases == len(scored) == 29
    assert [json.loads(line) for line in scored["result"]] == expected
    assert (scored["probability"] - probabilities).abs().max() <= 1e-9


def test_cli_refuses_bad_spark_arguments_without_starting_spark(champion, tmp_path):
    from casetriage.cli import app

    runner = CliRunner()
    missing = runner.invoke(
        app, ["score", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o"), "--engine", "spark"]
    )
    assert missing.exit_code == 2
    assert "cases file not found" in missing.output
    (tmp_path / "o").mkdir()
    (tmp_path / "in.csv").write_text("case_id,note\n")
    exists = runner.invoke(
        app, ["score", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o"), "--engine", "spark"]
    )
    assert exists.exit_code == 2
    assert "already exists" in exists.output
    roster = runner.invoke(
        app,
        [
            "score",
            str(tmp_path / "in.csv"),
            "-o",
            str(tmp_path / "p"),
            "--engine",
            "spark",
            "--workers",
            "w.csv",
        ],
    )
    assert roster.exit_code == 2
    assert "--workers" in roster.output


def test_cli_local_engine_is_the_default_and_unknown_engines_are_refused(champion, tmp_path):
    from casetriage.cli import app

    cases_csv = _caseload(tmp_path / "data", n_cases=20, seed=3)
    runner = CliRunner()
    out = tmp_path / "scored.jsonl"
    default = runner.invoke(app, ["score", str(cases_csv), "-o", str(out)])
    assert default.exit_code == 0, default.output
    expected, _ = _in_process(_read_local(cases_csv))
    assert [json.loads(line) for line in out.read_text().splitlines()] == expected
    unknown = runner.invoke(app, ["score", str(cases_csv), "-o", str(out), "--engine", "dask"])
    assert unknown.exit_code == 2
    assert "--engine" in unknown.output
