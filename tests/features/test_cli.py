"""``casetriage extract`` and ``casetriage evaluate-needs`` through the real typer app."""

import json

import pytest
from typer.testing import CliRunner

from casetriage.cli import app

DEV = "/work/shared/intake_notes/dev.jsonl"


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_extract_file_to_file(runner, tmp_path, extractor):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "text": "Pt homeless, denies SI."})
        + "\n"
        + json.dumps({"id": 7, "text": "Her mother is uninsured."})
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _lines(out.read_text())
    assert [r["id"] for r in rows] == ["a", 7]
    first = {n["need"]: n for n in rows[0]["needs"]}
    assert first["homelessness"]["code"] == "Z59.0"
    assert first["suicide_risk"]["status"] == "negated"
    assert first["suicide_risk"]["safety"] is True
    assert rows[1]["needs"][0]["experiencer"] == "other"


def test_extract_stdin_to_stdout_with_mentions(runner, extractor):
    data = json.dumps({"id": "x", "text": "Heat shut off. Electric shut off too."}) + "\n"
    result = runner.invoke(app, ["extract", "-", "-o", "-", "--mentions"], input=data)
    assert result.exit_code == 0
    (row,) = _lines(result.stdout)
    (need,) = row["needs"]
    assert need["need"] == "utilities"
    assert len(need["mentions"]) == 2


def test_bad_lines_are_reported_and_good_lines_still_written(runner, extractor):
    data = b"".join(
        [
            json.dumps({"id": "ok1", "text": "Client is homeless."}).encode() + b"\n",
            b'{"id": "u", "text": "caf\xe9 bad bytes"}\n',
            b"this is not json\n",
            json.dumps({"text": "no id here"}).encode() + b"\n",
            json.dumps({"id": "nt"}).encode() + b"\n",
            json.dumps({"id": "num", "text": 42}).encode() + b"\n",
            json.dumps({"id": "blank", "text": "   \n\t"}).encode() + b"\n",
            b"\n",
            json.dumps({"id": "ok2", "text": "Denies DV."}).encode() + b"\n",
        ]
    )
    result = runner.invoke(app, ["extract", "-"], input=data)
    assert result.exit_code == 1
    rows = _lines(result.stdout)
    assert [r["id"] for r in rows] == ["ok1", "blank", "ok2"]
    assert rows[1]["needs"] == []
    errors = [json.loads(line)["error"] for line in result.stderr.splitlines() if "{" in line]
    assert [(e["line"], e["field"]) for e in errors] == [
        (2, "<line>"),
        (3, "<line>"),
        (4, "id"),
        (5, "text"),
        (6, "text"),
    ]
    assert "UTF-8" in errors[0]["error"]
    assert "JSON" in errors[1]["error"]
    assert "string" in errors[4]["error"]
    # the note text never reaches the error stream
    assert "caf" not in result.stderr
    assert "no id here" not in result.stderr


def test_missing_input_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.output + result.stderr


def test_very_long_note_keeps_offsets(runner, extractor):
    filler = "Client attended the session and discussed goals for the coming month. " * 2900
    text = filler + "Pt is now homeless after the fire."
    assert len(text) > 200_000
    result = runner.invoke(app, ["extract", "-"], input=json.dumps({"id": "long", "text": text}))
    assert result.exit_code == 0
    (row,) = _lines(result.stdout)
    (need,) = row["needs"]
    assert need["need"] == "homelessness"
    assert text[need["start"] : need["end"]] == need["evidence"] == "homeless"


def test_evaluate_needs_json(runner, extractor):
    result = runner.invoke(app, ["evaluate-needs", DEV, "--json", "--details"])
    assert result.exit_code == 0
    (report,) = json.loads(result.stdout)["files"]
    assert report["role"] == "tuned"
    figures = report["evaluation"]
    assert figures["n_notes"] == 30
    assert set(figures["micro"]) >= {"precision", "recall", "f1"}
    assert {"id", "need", "gold", "predicted", "evidence"} <= set(figures["errors"][0])


def test_evaluate_needs_table_and_bad_gold(runner, tmp_path, extractor):
    result = runner.invoke(app, ["evaluate-needs", DEV])
    assert result.exit_code == 0
    assert "micro" in result.stdout
    assert "safety-need recall" in result.stdout
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "a", "text": "x", "needs": [{"need": "pizza"}]}\n')
    result = runner.invoke(app, ["evaluate-needs", str(bad)])
    assert result.exit_code == 2
    assert "line 1" in result.stderr
    assert "needs[0].need" in result.stderr
