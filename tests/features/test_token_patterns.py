"""TokenPatterns must find exactly what spaCy's Matcher finds, on our patterns and others."""

import random

import pytest
import spacy
from spacy.matcher import Matcher

from features._resources import load_context_rules, load_lexicon
from features._token_patterns import TokenPatterns, doc_columns
from features.pipeline import build_pipeline


def _data_file_patterns() -> list[tuple[str, list[dict]]]:
    patterns = []
    for need, entry in load_lexicon().items():
        patterns += [(f"{need}#{i}", p) for i, (_, p) in enumerate(entry.patterns)]
    for i, rule in enumerate(load_context_rules().rules):
        patterns += [(f"rule{i}", p) for p in rule.patterns]
    return patterns


def _both(nlp, patterns):
    matcher, ours = Matcher(nlp.vocab), TokenPatterns()
    for key, pattern in patterns:
        matcher.add(key, [pattern])
        assert ours.add(key, pattern), pattern
    return matcher, ours


def _spacy_matches(matcher, doclike, offset=0):
    strings = doclike.vocab.strings
    return sorted((strings[m], offset + s, offset + e) for m, s, e in matcher(doclike))


@pytest.fixture(scope="module")
def notes():
    from casetriage.synth import generate_caseload

    texts = list(generate_caseload(n_cases=400, seed=5).cases["note"])
    rng = random.Random(0)
    # the same notes shouted, with telegraphic separators and shuffled words
    texts += [t.upper() for t in texts[:50]]
    texts += [t.replace(", ", " / ") for t in texts[50:100]]
    for t in texts[100:200]:
        words = t.split()
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts


def test_same_matches_as_spacy_matcher_on_the_data_files_patterns(notes):
    nlp = build_pipeline()
    patterns = _data_file_patterns()
    assert len(patterns) > 10
    matcher, ours = _both(nlp, patterns)
    total = 0
    for doc in nlp.pipe(notes):
        expected = _spacy_matches(matcher, doc)
        assert sorted(ours(doc_columns(doc))) == expected, doc.text
        total += len(expected)
    assert total > 100  # the comparison saw real matches, not only empty lists


def test_same_matches_within_a_window_as_on_a_span(notes):
    nlp = build_pipeline()
    matcher, ours = _both(nlp, _data_file_patterns())
    rng = random.Random(1)
    for doc in nlp.pipe(notes[:200]):
        if len(doc) < 2:
            continue
        w0 = rng.randrange(len(doc) - 1)
        w1 = rng.randrange(w0 + 1, len(doc) + 1)
        expected = _spacy_matches(matcher, doc[w0:w1], offset=w0)
        assert sorted(ours(doc_columns(doc), w0, w1)) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "b", "OP": "?"}],
        [{"LOWER": "a"}, {"IS_PUNCT": False, "OP": "*"}, {"LOWER": "c"}],
        [{"LOWER": "a", "OP": "+"}, {"LOWER": "b"}],
        [{"LOWER": {"IN": ["a", "b"]}, "OP": "{2,3}"}],
        [{"LOWER": {"IN": ["a", "b"]}, "OP": "{2}"}],
        [{"LOWER": {"IN": ["a", "b"]}, "OP": "{,2}"}, {"LOWER": "c"}],
        [{"LOWER": {"NOT_IN": ["a", ","]}}, {"LOWER": "c"}],
        [{"LIKE_NUM": True}, {"LOWER": "c", "OP": "?"}, {"LOWER": "b"}],
        [{"IS_PUNCT": True}, {"TEXT": {"REGEX": "^[A-Z]"}}],
        [{"TEXT": "A"}, {"ORTH": {"IN": ["b", "B"]}}],
        [{"LOWER": "b", "OP": "?"}, {"LOWER": "b", "OP": "?"}],
        # no word to anchor them: tried only where the first slot's regex holds
        [{"TEXT": {"REGEX": "^\\d+$"}}],
        [{"LOWER": {"REGEX": "^[ab]$"}}, {"LOWER": "c", "OP": "?"}, {"IS_DIGIT": True}],
    ],
)
def test_quantifiers_and_predicates_match_like_spacy(pattern):
    nlp = spacy.blank("en")
    rng = random.Random(2)
    vocabulary = ["a", "A", "b", "B", "c", ",", "2", "12", ".", "d"]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randrange(1, 12))) for _ in range(300)]
    matcher, ours = _both(nlp, [("p", pattern)])
    for doc in nlp.pipe(texts):
        assert sorted(ours(doc_columns(doc))) == _spacy_matches(matcher, doc), doc.text


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "a", "OP": "!"}],
        [{"POS": "NOUN"}],
        [{"LOWER": {"FUZZY": "abc"}}],
        [{"_": {"status": "present"}}],
        [{"LOWER": "a", "OP": "{x}"}],
        [],
    ],
)
def test_refuses_what_it_cannot_express(pattern):
    ours = TokenPatterns()
    assert ours.add("p", pattern) is False
    assert len(ours) == 0


def test_sentence_starts_are_those_of_doc_sents():
    nlp = build_pipeline()
    for text in ["One. Two three! Four\nfive / six", "", "no breaks at all", "\n\nLead"]:
        doc = nlp(text)
        assert doc_columns(doc).sentence_starts == [s.start for s in doc.sents] or len(doc) == 0
