"""Unit tests of the pipeline pieces: data files, matcher, ConText, sentence splitting."""

import subprocess
import sys

import pytest
import yaml

from core.schemas import NEEDS
from features._resources import ResourceError, load_context_rules, load_icd_codes, load_lexicon
from features.components import NEEDS_SPAN_KEY
from features.pipeline import build_pipeline


def test_pipeline_is_blank_english_with_declared_components(extractor):
    nlp = extractor.nlp
    assert nlp.pipe_names == [
        "sentence_bounds",
        "need_matcher",
        "need_classifier",
        "safety_net",
        "need_context",
        "mention_refiner",
    ]
    assert nlp.meta["lang"] == "en"
    analysis = nlp.analyze_pipes()
    assert "doc.spans" in analysis["summary"]["need_matcher"]["assigns"]
    assert "doc.spans" in analysis["summary"]["need_classifier"]["assigns"]
    assert "doc.spans" in analysis["summary"]["safety_net"]["assigns"]
    assert "span._.status" in analysis["summary"]["need_context"]["assigns"]
    assert not any(analysis["problems"].values())


def test_lexicon_covers_every_need_with_phrases():
    lexicon = load_lexicon()
    assert set(lexicon) == set(NEEDS)
    assert all(len(entry.phrases["present"]) >= 10 for entry in lexicon.values())


def test_icd_codes_are_valid_and_match_the_brief():
    codes = load_icd_codes()
    assert codes["homelessness"] == "Z59.0"
    assert codes["food_insecurity"] == "Z59.41"
    assert codes["housing_instability"] == "Z59.811"
    assert codes["suicide_risk"] == "R45.851"
    assert codes["legal"] == "Z65.3"


def test_unquoted_yaml_boolean_in_rules_is_a_clear_error(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        yaml.safe_dump({"rules": [{"category": "NEGATED"}]}).replace(
            "category: NEGATED", "category: NEGATED\n  phrases: [no, denies]"
        )
    )
    with pytest.raises(ResourceError, match=r"rules\[0\]\.phrases.*False.*quote"):
        load_context_rules(bad)


def test_unknown_need_in_lexicon_is_a_clear_error(tmp_path):
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("needs:\n  hunger_games:\n    present: [arena]\n")
    with pytest.raises(ResourceError, match="hunger_games"):
        load_lexicon(bad)


def test_invalid_icd_code_is_rejected(tmp_path):
    bad = tmp_path / "codes.yaml"
    codes = dict.fromkeys(NEEDS) | {"homelessness": "Z99.999"}
    bad.write_text(yaml.safe_dump({"codes": codes}))
    with pytest.raises(ResourceError, match=r"homelessness.*Z99\.999"):
        load_icd_codes(bad)


def test_without_verification_a_code_of_the_wrong_shape_is_still_rejected(tmp_path):
    bad = tmp_path / "codes.yaml"
    codes = dict.fromkeys(NEEDS) | {"homelessness": "Z59-0"}
    bad.write_text(yaml.safe_dump({"codes": codes}))
    with pytest.raises(ResourceError, match=r"homelessness.*Z59-0"):
        load_icd_codes(bad, verify=False)
    assert load_icd_codes(verify=False) == load_icd_codes()


def test_custom_lexicon_and_rules_files_are_used(tmp_path):
    lexicon = {"needs": {need: {"present": [f"zz{i}"]} for i, need in enumerate(NEEDS)}}
    (tmp_path / "lex.yaml").write_text(yaml.safe_dump(lexicon))
    rules = {"rules": [{"category": "NEGATED", "direction": "forward", "phrases": ["nix"]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    nlp = build_pipeline(
        lexicon_path=str(tmp_path / "lex.yaml"),
        rules_path=str(tmp_path / "rules.yaml"),
        classifier=False,
        safety_net=False,
    )
    doc = nlp("nix zz1 and zz0")
    spans = {s.label_: s._.status for s in doc.spans[NEEDS_SPAN_KEY]}
    assert spans == {NEEDS[1]: "negated", NEEDS[0]: "negated"}
    doc = nlp("homeless")
    assert list(doc.spans[NEEDS_SPAN_KEY]) == []


def test_matcher_is_case_insensitive_and_keeps_the_longest_mention(extractor):
    doc = extractor.nlp("PT IS BEHIND ON RENT, eviction notice received.")
    mentions = [(s.label_, s.text) for s in doc.spans[NEEDS_SPAN_KEY]]
    assert ("housing_instability", "BEHIND ON RENT") in mentions
    assert ("housing_instability", "eviction notice") in mentions
    assert ("housing_instability", "eviction") not in mentions


def test_ignore_inside_blocks_look_alike_mentions(extractor):
    doc = extractor.nlp("Pt in outpatient substance abuse program; gets physical therapy.")
    labels = {s.label_ for s in doc.spans[NEEDS_SPAN_KEY]}
    assert "substance_use" in labels
    assert "interpersonal_violence" not in labels
    assert "mental_health" not in labels


def test_ignore_patterns_give_a_childs_injury_to_child_safety():
    # a look-alike written as a token pattern: the lexicon reads bruises seen on a student
    # as a child's injury, not partner violence; on the mother they stay partner violence
    nlp = build_pipeline(classifier=False, safety_net=False, refiner=False)

    def labels(text: str) -> set[str]:
        doc = nlp(text)
        return {s.label_ for s in doc.spans[NEEDS_SPAN_KEY]}

    assert labels("Nurse observed bruises on student's (7M) upper arms.") == {"child_safety"}
    assert labels("Nurse observed bruises on her upper arms.") == {"interpersonal_violence"}


def test_malformed_ignore_pattern_is_a_clear_error(tmp_path):
    bad = tmp_path / "lexicon.yaml"
    entries = {need: {"present": ["x" + need]} for need in NEEDS}
    entries["legal"]["ignore_patterns"] = [["court"]]
    bad.write_text(yaml.safe_dump({"needs": entries}))
    with pytest.raises(ResourceError, match=r"legal\.ignore_patterns\[0\]"):
        load_lexicon(bad)


def test_line_breaks_end_sentences_but_question_marks_do_not(extractor):
    doc = extractor.nlp("Presenting problem\nNo food at home? Yes\nSafety")
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences == ["Presenting problem", "No food at home? Yes", "Safety"]


def test_negation_scope_stops_at_max_scope_and_sentence_end(extractor):
    doc = extractor.nlp("Denies SI. Is homeless.")
    status = {s.label_: s._.status for s in doc.spans[NEEDS_SPAN_KEY]}
    assert status == {"suicide_risk": "negated", "homelessness": "present"}
    far = "No concerns raised by the school or the family about the boy at all, homeless."
    doc = extractor.nlp(far)
    status = {s.label_: s._.status for s in doc.spans[NEEDS_SPAN_KEY]}
    assert status["homelessness"] == "present"


def test_trigger_inside_a_need_phrase_does_not_negate_the_next_need(extractor):
    doc = extractor.nlp("No heat, no car.")
    status = {s.label_: s._.status for s in doc.spans[NEEDS_SPAN_KEY]}
    assert status == {"utilities": "present", "transportation": "present"}


def test_modifiers_record_the_trigger_span(extractor):
    doc = extractor.nlp("Cl denies DV.")
    (mention,) = [s for s in doc.spans[NEEDS_SPAN_KEY] if s.label_ == "interpersonal_violence"]
    ((category, start, end),) = mention._.modifiers
    assert category == "NEGATED"
    assert doc[start:end].text == "denies"


def test_nothing_is_built_at_import():
    code = (
        "import sys, features, features.extractor as e; "
        "assert e._extractor is None; "
        "heavy = ('spacy', 'simple_icd_10_cm', 'sklearn'); "
        "assert not [m for m in sys.modules if m.startswith(heavy)], "
        "sorted(m for m in sys.modules if m.startswith(heavy))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
