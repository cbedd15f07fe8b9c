import json

import pytest

from features.evaluation import evaluate_extractions, evaluate_gold_files, read_gold


def _need(need, status="present", experiencer="client", evidence="e"):
    return {"need": need, "status": status, "experiencer": experiencer, "evidence": evidence}


def test_counts_only_active_needs_and_reports_errors():
    gold = [
        {"id": "a", "needs": [_need("homelessness"), _need("suicide_risk", "negated")]},
        {"id": "b", "needs": [_need("child_safety"), _need("legal", experiencer="other")]},
    ]
    predicted = [
        [_need("homelessness"), _need("suicide_risk", "present"), _need("legal")],
        [_need("legal", experiencer="other")],
    ]
    result = evaluate_extractions(gold, predicted)
    assert result.micro["tp"] == 1
    assert result.micro["fp"] == 2  # suicide_risk in a, legal in a
    assert result.micro["fn"] == 1  # child_safety in b
    assert result.micro["precision"] == pytest.approx(1 / 3)
    assert result.micro["recall"] == pytest.approx(1 / 2)
    assert result.safety_recall == 0.0
    assert result.safety_recall_by_need["child_safety"] == 0.0
    # status/experiencer accuracy over gold needs the system also found: 3 matched, 2 right
    assert result.n_matched == 3
    assert result.status_accuracy == pytest.approx(2 / 3)
    assert result.experiencer_accuracy == 1.0
    kinds = {(e["id"], e["need"]): e["kind"] for e in result.errors}
    assert kinds == {
        ("a", "suicide_risk"): "wrong_status",
        ("a", "legal"): "spurious",
        ("b", "child_safety"): "missed",
    }
    # a safety need predicted active for the client that the gold does not have
    assert result.safety_counts == {"gold": 1, "found": 0, "predicted": 1}
    assert result.safety_precision == 0.0


def test_read_gold_names_line_and_field(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "text": "x", "needs": []}\n{"id": "b", "needs": []}\n')
    with pytest.raises(ValueError, match="line 2: field 'text'"):
        read_gold(path)


def _gold_file(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


LOCKED_NOTES = [
    {
        "id": "L9-001",
        "split": "locked",
        "style": "hotline_crisis",
        "text": "Zebulon Quixote sleeps in his truck behind the feed store. Likes chess.",
        "needs": [
            {
                "need": "homelessness",
                "status": "present",
                "experiencer": "client",
                "cue": "paraphrase",
                "evidence": "sleeps in his truck",
            },
            # a label no extractor could find, so that the note has an error to hide
            {
                "need": "legal",
                "status": "present",
                "experiencer": "client",
                "cue": "paraphrase",
                "evidence": "Likes chess",
            },
        ],
    },
    {
        "id": "L9-002",
        "split": "locked",
        "style": "screener",
        "text": "Worried food would run out: often true. Denies SI.",
        "needs": [
            {
                "need": "food_insecurity",
                "status": "present",
                "experiencer": "client",
                "cue": "screener",
                "evidence": "often true",
            },
            {
                "need": "suicide_risk",
                "status": "negated",
                "experiencer": "client",
                "cue": "abbreviation",
                "evidence": "Denies SI",
            },
        ],
    },
]


def test_a_locked_split_shows_figures_and_error_categories_never_notes(tmp_path, extractor):
    locked = _gold_file(tmp_path / "locked.jsonl", LOCKED_NOTES)
    tuned = _gold_file(tmp_path / "tuned.jsonl", [dict(n, split="train") for n in LOCKED_NOTES])
    report = evaluate_gold_files([tuned, locked], extractor)
    assert [f.role for f in report.files] == ["train", "locked"]
    as_json = json.dumps(report.to_dict(details=True))
    locked_part = json.dumps(report.to_dict(details=True)["files"][1])
    assert report.files[1].evaluation.errors  # there is something to hide
    for secret in ("Zebulon", "truck", "chess", "L9-001", "often true"):
        assert secret not in locked_part
    assert "errors" not in report.to_dict(details=True)["files"][1]["evaluation"]
    assert "error_categories" in report.to_dict(details=True)["files"][1]["evaluation"]
    assert "L9-001" in as_json  # the non-locked copy may show its errors
    assert report.gap[str(tuned)] == pytest.approx(0.0)
    assert set(report.files[1].evaluation.by_style) == {"hotline_crisis", "screener"}


def test_evaluate_needs_prints_no_locked_note(tmp_path, extractor):
    from typer.testing import CliRunner

    from casetriage.cli import app

    locked = _gold_file(tmp_path / "locked.jsonl", LOCKED_NOTES)
    result = CliRunner().invoke(app, ["evaluate-needs", str(locked), "--details"])
    assert result.exit_code == 0, result.output
    assert "error categories" in result.stdout
    assert "found by" in result.stdout  # the errors by the part that made them
    for secret in ("Zebulon", "truck", "chess", "L9-001"):
        assert secret not in result.stdout


def test_error_categories_tell_which_part_made_each_error(tmp_path, extractor):
    locked = _gold_file(tmp_path / "locked.jsonl", LOCKED_NOTES)
    evaluation = evaluate_gold_files([locked], extractor).files[0].evaluation
    by_source = evaluation.redacted()["error_categories"]["by_source"]
    assert sum(c["count"] for c in by_source) == len(evaluation.errors)
    # a spurious or wrongly read need names the part that found it; a missed one has none
    for category in by_source:
        assert (category["source"] == "-") == (category["kind"] == "missed")
