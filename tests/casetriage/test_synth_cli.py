"""``casetriage synth`` end to end: files, formats, determinism, clear errors."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from casetriage.cli import app
from casetriage.synth import CASE_COLUMNS, OUTPUT_FILES
from core.schemas import LANGUAGES, NEEDS, REGIONS

runner = CliRunner()


def synth(*args: str):
    return runner.invoke(app, ["synth", *args])


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "data"
    result = synth("--cases", "300", "--seed", "4", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, result


def test_writes_all_files_and_reports_figures(written):
    out, result = written
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert "wrote 300 cases" in result.output
    assert "oracle AUC" in result.output


def test_cases_csv_has_the_contract_columns(written):
    out, _ = written
    with (out / "cases.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert tuple(rows[0]) == CASE_COLUMNS
    assert rows[0]["case_id"] == "C000001"
    assert all(0.0 < float(r["true_probability"]) < 1.0 for r in rows)
    assert {r["crisis_90d"] for r in rows} == {"0", "1"}


def test_notes_jsonl_matches_the_dev_set_format(written):
    out, _ = written
    lines = (out / "notes.jsonl").read_text().splitlines()
    assert len(lines) == 300
    first = json.loads(lines[0])
    assert set(first) == {"id", "text", "needs"}
    assert first["id"] == "C000001"
    for line in lines:
        for need in json.loads(line)["needs"]:
            assert set(need) == {"need", "status", "experiencer"}


def test_workers_csv_is_a_usable_roster(written):
    out, _ = written
    with (out / "workers.csv").open(newline="") as handle:
        workers = list(csv.DictReader(handle))
    assert len(workers) == 10
    assert list(workers[0]) == [
        "worker_id",
        "name",
        "skills",
        "languages",
        "capacity",
        "current_load",
        "region",
    ]
    for worker in workers:
        assert set(worker["skills"].split(";")) <= set(NEEDS)
        assert set(worker["languages"].split(";")) <= set(LANGUAGES)
        assert worker["region"] in REGIONS
        assert 0 <= int(worker["current_load"]) <= int(worker["capacity"])


def test_manifest_describes_the_run(written):
    out, _ = written
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4
    assert manifest["n"] == 300
    assert manifest["switches"]["label_bias"] == 0.0
    assert 0.5 < manifest["oracle_auc"] < 1.0
    assert 0.05 < manifest["base_rate"] < 0.4
    assert set(manifest["files"]) == {"cases.csv", "notes.jsonl", "workers.csv"}


def test_same_seed_gives_the_same_bytes(written, tmp_path):
    out, _ = written
    again = tmp_path / "again"
    assert synth("--cases", "300", "--seed", "4", "--out", str(again)).exit_code == 0
    for name in OUTPUT_FILES:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_switches_reach_the_manifest(tmp_path):
    result = synth(
        "--cases",
        "200",
        "--out",
        str(tmp_path),
        "--label-bias",
        "0.2",
        "--proxy-strength",
        "0.5",
        "--proxy",
        "region=south",
        "--underrepresent",
        "Native American=0.005",
        "--underrepresent",
        "disability:yes=0.01",
    )
    assert result.exit_code == 0, result.output
    switches = json.loads((tmp_path / "manifest.json").read_text())["switches"]
    assert switches["label_bias"] == 0.2
    assert switches["proxy_field"] == "region"
    assert [u["value"] for u in switches["underrepresent"]] == ["yes", "Native American"]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--cases", "0"], "--cases"),
        (["--cases", "10", "--label-bias", "2"], "--label-bias"),
        (["--cases", "10", "--underrepresent", "Martian=0.1"], "Martian"),
        (["--cases", "10", "--underrepresent", "Asian"], "GROUP=FRACTION"),
        (["--cases", "10", "--target-group", "height:tall"], "height"),
        (["--cases", "10", "--proxy", "income_band=none"], "--proxy"),
        (["--cases", "10", "--seed", "-1"], "--seed"),
    ],
)
def test_bad_arguments_fail_clearly_without_a_traceback(tmp_path, args, names):
    result = synth("--out", str(tmp_path / "x"), *args)
    assert result.exit_code == 2
    assert names in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_bad_config_file_is_named(tmp_path):
    bad = tmp_path / "synth.yaml"
    bad.write_text("version: '1'\npopulation: {}\n")
    result = synth("--cases", "5", "--out", str(tmp_path / "x"), "--config", str(bad))
    assert result.exit_code == 2
    assert "race_ethnicity" in result.output


def test_out_must_be_a_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = synth("--cases", "5", "--out", str(blocker))
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_config_missing_an_outcome_key_is_named(tmp_path):
    import yaml

    from casetriage.synth import default_config_path

    raw = yaml.safe_load(default_config_path().read_text())
    del raw["outcome"]["interactions"]["homelessness_x_children"]
    bad = tmp_path / "synth.yaml"
    bad.write_text(yaml.safe_dump(raw))
    result = synth("--cases", "5", "--out", str(tmp_path / "x"), "--config", str(bad))
    assert result.exit_code == 2
    assert "homelessness_x_children" in result.output
    assert "Traceback" not in result.output


def test_config_missing_an_income_effect_is_named(tmp_path):
    import yaml

    from casetriage.synth import default_config_path

    raw = yaml.safe_load(default_config_path().read_text())
    del raw["outcome"]["income_band"]["none"]
    bad = tmp_path / "synth.yaml"
    bad.write_text(yaml.safe_dump(raw))
    result = synth("--cases", "5", "--out", str(tmp_path / "x"), "--config", str(bad))
    assert result.exit_code == 2
    assert "outcome.income_band" in result.output
