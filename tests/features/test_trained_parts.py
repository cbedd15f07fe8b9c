"""The sentence classifier and the mention refiner: shipped as trained on the committed
corpus, reproducible, adding needs without overriding the rules' reading of plain wording."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from casetriage.cli import app
from features._mention_model import default_mention_model_path, load_mention_model, phrase_key
from features._need_model import default_model_path, load_need_model
from features._resources import ResourceError
from features.evaluation import read_gold
from features.extractor import NeedsExtractor
from features.need_training import default_config_path, train_need_model

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "corpus" / "needs" / "train.jsonl"
LOCKED = ROOT / "corpus" / "needs" / "locked.jsonl"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_models_were_trained_on_the_committed_corpus_and_config():
    for header in (load_need_model().header, load_mention_model().header):
        assert header["corpus_sha256"] == _sha256(TRAIN)
        assert header["config_sha256"] == _sha256(default_config_path())
        assert header["writers"] == sorted({r["writer"] for r in read_gold(TRAIN)})


def test_both_models_read_names_as_they_were_trained_to():
    """Training folds names with the packaged data files' words; the models must carry the
    same words, or a capitalised "Homeless" would reach them as a name."""
    from features._vocabulary import known_words

    for model in (load_need_model(), load_mention_model()):
        assert np.array_equal(model.known_words, known_words())


def test_the_classifier_adds_needs_with_the_sentence_as_evidence(extractor):
    records = read_gold(TRAIN)[:120]
    found = extractor.extract_many(r["text"] for r in records)
    from_model = [
        (record["text"], need)
        for record, needs in zip(records, found, strict=True)
        for need in needs
        if need["source"] == "model"
    ]
    assert from_model, "the classifier found nothing the lexicon missed"
    for text, need in from_model:
        assert text[need["start"] : need["end"]] == need["evidence"]
        assert need["basis"].startswith("sentence classifier, p=")
        assert need["status"] == "present"


def test_the_refiner_never_changes_a_lexicon_reading(extractor):
    """It may drop a weak phrase (another mention of the need then stands), never re-read one."""
    weak = load_mention_model().weak_phrases
    rules = NeedsExtractor(classifier=False, safety_net=False, refiner=False)
    texts = [r["text"] for r in read_gold(TRAIN)[:150]]
    for alone, full in zip(rules.extract_many(texts), extractor.extract_many(texts), strict=True):
        lexicon = {n["need"]: n for n in full if n["source"] == "lexicon"}
        for need in alone:
            if need["need"] in lexicon and phrase_key(need["need"], need["evidence"]) not in weak:
                mine = lexicon[need["need"]]
                assert (mine["status"], mine["experiencer"]) == (
                    need["status"],
                    need["experiencer"],
                )


def test_a_weak_phrase_counts_only_where_the_refiner_reads_a_need_in_its_context(extractor):
    """ "counselor" names a need less often than a person who refers: the rules alone read
    both sentences as a mental-health need, the refiner only the first."""
    assert ("mental_health", "counselor") in load_mention_model().weak_phrases
    rules = NeedsExtractor(classifier=False, safety_net=False, refiner=False)
    needs_a_counselor = "Client is asking for a counselor for her depression, cannot sleep."
    referred_by_one = "Referral from the school counselor about the family's rent arrears."
    for text in (needs_a_counselor, referred_by_one):
        assert "mental_health" in {n["need"] for n in rules.extract(text)}
    assert "mental_health" in {n["need"] for n in extractor.extract(needs_a_counselor)}
    referred = {n["need"]: n for n in extractor.extract(referred_by_one)}
    assert "mental_health" not in referred
    assert "financial_strain" in referred or "housing_instability" in referred


def test_weak_phrases_are_those_whose_need_the_training_notes_rarely_name():
    from features._resolution import Candidate
    from features.need_training import _weak_phrases

    def note(need: str | None, status: str = "present") -> dict:
        labels = [{"need": need, "status": status, "experiencer": "client"}] if need else []
        return {"needs": labels}

    def mention(need: str, phrase: str) -> Candidate:
        return Candidate(need, "present", "client", 0, len(phrase), phrase)

    # "Shelter" is homelessness in 2 of 10 notes; "homeless" in all 10, past in 6 of them
    records = [note("homelessness" if i < 2 else None) for i in range(10)]
    records += [note("homelessness", "historical" if i < 6 else "present") for i in range(10)]
    found = [[mention("homelessness", "Shelter")] for _ in range(10)]
    found += [[mention("homelessness", "homeless")] for _ in range(10)]
    weak = _weak_phrases(records, found, range(20), below=0.5, min_mentions=8)
    assert weak == {("homelessness", "shelter")}
    assert _weak_phrases(records, found, range(20), below=0.5, min_mentions=11) == set()
    assert _weak_phrases(records, found, range(20), below=0.2, min_mentions=8) == set()
    # a safety need's phrase is never weak
    unsafe = [[mention("suicide_risk", "SI")] for _ in range(10)]
    assert _weak_phrases(records[:10], unsafe, range(10), below=0.9, min_mentions=8) == set()


def test_a_broken_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "model.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ResourceError, match="needs classifier"):
        load_need_model(bad)
    with pytest.raises(ResourceError, match="mention refiner"):
        load_mention_model(bad)
    with pytest.raises(ResourceError, match="cannot read"):
        load_need_model(tmp_path / "missing.npz")


def test_the_locked_split_is_never_trained_on(tmp_path):
    with pytest.raises(ValueError, match="locked"):
        train_need_model([LOCKED], tmp_path / "c.npz", tmp_path / "r.npz")


def _small_config(tmp_path: Path) -> Path:
    config = yaml.safe_load(default_config_path().read_text())
    config["candidates"] = config["candidates"][:1]
    config["refiner"]["C"] = config["refiner"]["C"][:1]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_train_needs_writes_loadable_models_the_same_way_twice(tmp_path):
    records = read_gold(TRAIN)
    small = [r for r in records if r["writer"] in ("T1", "T2")][::4]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in small))
    config = _small_config(tmp_path)
    runner = CliRunner()
    outputs = []
    for run in ("a", "b"):
        result = runner.invoke(
            app,
            ["train-needs", str(gold), "-o", str(tmp_path / run), "--config", str(config)],
        )
        assert result.exit_code == 0, result.output
        assert "leave-one-writer-out" in result.stdout
        outputs.append(
            (
                load_need_model(tmp_path / run / "need_classifier.npz"),
                load_mention_model(tmp_path / run / "mention_refiner.npz"),
            )
        )
    (c1, r1), (c2, r2) = outputs
    assert np.array_equal(c1.weights, c2.weights)
    assert c1.thresholds == c2.thresholds
    assert np.array_equal(r1.status_weights, r2.status_weights)
    assert c1.header["corpus_sha256"] == _sha256(gold)
    extractor = NeedsExtractor(
        model_path=str(tmp_path / "a" / "need_classifier.npz"),
        refiner_path=str(tmp_path / "a" / "mention_refiner.npz"),
    )
    assert extractor.extract("Client is homeless.")[0]["need"] == "homelessness"


def test_train_needs_refuses_bad_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["train-needs", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    one_writer = tmp_path / "one.jsonl"
    one_writer.write_text(
        json.dumps({"id": "X-1", "text": "Homeless.", "needs": [], "writer": "X"}) + "\n"
    )
    result = runner.invoke(app, ["train-needs", str(one_writer), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "two writers" in result.stderr


@pytest.mark.slow
def test_retraining_on_the_corpus_reproduces_the_shipped_models(tmp_path):
    train_need_model([TRAIN], tmp_path / "c.npz", tmp_path / "r.npz")
    shipped, again = load_need_model(default_model_path()), load_need_model(tmp_path / "c.npz")
    assert np.array_equal(shipped.vocabulary, again.vocabulary)
    # lbfgs stops at its tolerance and BLAS sums in thread order: in the full suite weights
    # came out ~1e-5 apart, so they are compared at the solver's precision, not bitwise
    assert np.allclose(shipped.weights, again.weights, atol=1e-3)
    assert shipped.thresholds == again.thresholds
    refiner = load_mention_model(default_mention_model_path())
    refiner_again = load_mention_model(tmp_path / "r.npz")
    assert np.allclose(refiner.status_weights, refiner_again.status_weights, atol=1e-3)
    assert refiner.header["bars"] == refiner_again.header["bars"]


def test_cross_validation_tries_each_drop_bar_only_where_there_are_weak_phrases():
    from features.need_training import RefinerSettings, _weak_settings

    refiner = RefinerSettings(C=[1.0], weak_precision=[0.0, 0.9], weak_drop_below=[0.25, 0.8])
    assert _weak_settings(refiner) == [(0.0, 0.25), (0.9, 0.25), (0.9, 0.8)]
    with pytest.raises(ValueError, match="weak_drop_below"):
        RefinerSettings(C=[1.0], weak_drop_below=[1.5])
