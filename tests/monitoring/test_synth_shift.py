"""``casetriage synth --shift``: a shifted population, the same caseload without it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from casetriage.cli import app
from casetriage.synth import PopulationShift, generate_caseload, parse_shift
from models import dataset_hash


def test_parse_shift():
    assert parse_shift("income=-0.8, housing=1.5") == PopulationShift(income=-0.8, housing=1.5)
    assert parse_shift("") == PopulationShift()
    with pytest.raises(ValueError, match="KEY one of adversity"):
        parse_shift("wealth=1")
    with pytest.raises(ValueError, match="not a number"):
        parse_shift("age=old")


def test_no_shift_is_the_same_caseload():
    plain = generate_caseload(n_cases=300, seed=4).cases
    zero = generate_caseload(n_cases=300, seed=4, shift=PopulationShift()).cases
    assert dataset_hash(plain) == dataset_hash(zero)


def test_shift_moves_the_population_the_same_people():
    plain = generate_caseload(n_cases=2_000, seed=4).cases
    older = generate_caseload(n_cases=2_000, seed=4, shift=PopulationShift(age=10)).cases
    assert (older["age"] - plain["age"]).between(0, 10).all()
    assert (older["race_ethnicity"] == plain["race_ethnicity"]).all()
    poorer = generate_caseload(n_cases=2_000, seed=4, shift=PopulationShift(income=-1.0)).cases
    poor = ["none", "under_15k"]
    assert poorer["income_band"].isin(poor).mean() > plain["income_band"].isin(poor).mean() + 0.15


def test_cli_names_a_bad_shift(tmp_path):
    result = CliRunner().invoke(
        app, ["synth", "--cases", "10", "--out", str(tmp_path), "--shift", "wealth=2"]
    )
    assert result.exit_code == 2
    assert "--shift" in result.output
    assert not (tmp_path / "cases.csv").exists()


def test_cli_records_the_shift_in_the_manifest(tmp_path):
    import json

    result = CliRunner().invoke(
        app, ["synth", "--cases", "50", "--out", str(tmp_path), "--shift", "housing=1.5"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["shift"]["housing"] == 1.5
