"""The extractor meets its targets on the labelled dev notes."""

from features.evaluation import evaluate_extractions, read_gold

DEV = "/work/shared/intake_notes/dev.jsonl"


def test_dev_set_meets_targets(extractor):
    gold = read_gold(DEV)
    result = evaluate_extractions(gold, extractor.extract_many(g["text"] for g in gold))
    assert result.micro["f1"] >= 0.90, result.errors
    assert result.safety_recall == 1.0, result.errors
    assert result.status_accuracy >= 0.90, result.errors
    assert result.experiencer_accuracy >= 0.90, result.errors
