import pytest

from features.evaluation import evaluate_extractions, read_gold


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
        ("a", "suicide_risk"): "false_positive",
        ("a", "legal"): "false_positive",
        ("b", "child_safety"): "false_negative",
    }


def test_read_gold_names_line_and_field(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "text": "x", "needs": []}\n{"id": "b", "needs": []}\n')
    with pytest.raises(ValueError, match="line 2: field 'text'"):
        read_gold(path)
