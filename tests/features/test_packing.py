"""The speed devices of the extractor change nothing in what it finds.

Short notes are packed several to a Doc, sentence starts are computed from token hashes
instead of spaCy's Sentencizer, and span attributes are written where spaCy keeps them.
"""

import random
import re

import pytest
import spacy
from spacy.tokens import Span

from features._token_patterns import drop_columns
from features.components import _MENTION_BOUNDS_KEY, NEEDS_SPAN_KEY, span_values
from features.extractor import NeedsExtractor
from features.sentence_bounds import sentence_final_chars


@pytest.fixture(scope="module")
def notes() -> list[str]:
    from casetriage.synth import generate_caseload

    texts = list(generate_caseload(n_cases=600, seed=11).cases["note"])
    rng = random.Random(3)
    edges = ["", "   ", "\n\n", ".", "- denies SI", "(no DV)", '"homeless."', "SI?\nYes"]
    for text in texts[:200]:
        # notes that start with punctuation or end in whitespace sit next to each other
        texts.append(rng.choice(["- ", "** ", "(", ""]) + text + rng.choice(["", "\n", "  "]))
    return texts + edges + [edge + text for edge, text in zip(edges, texts, strict=False)]


@pytest.fixture(scope="module")
def one_per_doc(extractor) -> NeedsExtractor:
    return extractor.resized(pack_chars=1)


def test_packed_notes_give_what_each_note_gives_alone(extractor, one_per_doc, notes):
    packed = list(extractor.extract_many(notes, mentions=True))
    alone = list(one_per_doc.extract_many(notes, mentions=True))
    assert len(packed) == len(alone) == len(notes)
    for text, mine, reference in zip(notes, packed, alone, strict=True):
        assert mine == reference, text


def test_one_result_per_text_even_for_none_or_empty(extractor):
    assert list(extractor.extract_many([])) == []
    assert list(extractor.extract_many(["", "", "Pt is homeless."]))[:2] == [[], []]


def test_a_need_of_the_next_note_is_not_negated_by_this_one(extractor):
    first, second = list(extractor.extract_many(["Client denies", "homelessness."]))
    assert first == []
    assert second[0]["need"] == "homelessness"
    assert second[0]["status"] == "present"
    assert second[0]["start"] == 0


def test_sentence_starts_follow_spacy_sentencizer_without_separators(notes):
    """Same rule as Sentencizer (with our sentence-final chars and line breaks)."""
    ours = spacy.blank("en")
    ours.add_pipe("sentence_bounds")
    reference = spacy.blank("en")
    breaks = {"\n" * n + after for n in range(1, 4) for after in ("", " ", "  ", "\t")} | {
        " " + "\n" * n for n in range(1, 4)
    }
    reference.add_pipe(
        "sentencizer", config={"punct_chars": sorted(sentence_final_chars() | breaks)}
    )
    import features.sentence_bounds  # noqa: F401  (registers the factory)

    checked = 0
    for text in notes:
        if any(sep in text for sep in (" / ", " | ", " -- ", " • ", "\n\n\n\n", "\r")):
            continue
        if re.search(r"\n[ \t]*[^\w\s]", text):
            continue  # a line that opens with punctuation starts a sentence (see below)
        mine, theirs = ours(text), reference(text)
        assert [s.start for s in mine.sents] == [s.start for s in theirs.sents], text
        checked += 1
    assert checked > 500


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("denies SI / homeless", ["denies SI /", "homeless"]),
        ("no DV | uninsured -- rural • ok", ["no DV |", "uninsured --", "rural •", "ok"]),
        ("and/or x", ["and/or x"]),  # a slash inside a word is no separator
        ("end.\n\n\n\n\n\nNext", ["end.", "Next"]),  # any number of line breaks
        ('He said "no."  Then', ['He said "no."', "Then"]),
        # a line's first token starts a sentence, even an opening quote, bracket or box
        (
            'Mental health\n"Stressed, not depressed."',
            ["Mental health", '"Stressed, not depressed."'],
        ),
        ("Needs:\n[x] Food\n- rent", ["Needs:", "[x] Food", "- rent"]),
        # a separator inside brackets joins words, it ends nothing
        (
            "item 9 (better off dead / hurting yourself): no",
            ["item 9 (better off dead / hurting yourself): no"],
        ),
    ],
)
def test_sentence_bounds(text, sentences, extractor):
    doc = extractor.nlp(text)
    assert [s.text.strip() for s in doc.sents] == sentences


def test_span_values_are_what_span_underscore_reads_and_writes(extractor):
    doc = extractor.nlp("Pt denies SI, is homeless.")
    values = span_values(doc)
    for span in doc.spans[NEEDS_SPAN_KEY]:
        chars = span.start_char, span.end_char
        for name in ("status", "experiencer", "lexical_status", "self_evident", "modifiers"):
            assert values.get(chars, name) == getattr(span._, name)
    fresh = Span(doc, 0, 1, label="x")
    fresh._.status = "historical"
    assert values.get((fresh.start_char, fresh.end_char), "status") == "historical"
    values.set((fresh.start_char, fresh.end_char), "experiencer", "other")
    assert fresh._.experiencer == "other"
    assert values.get((0, 0), "experiencer") == "client"  # the registered default


def test_context_reads_the_same_from_spans_as_from_what_the_matcher_handed_over(extractor, notes):
    """NeedContext takes the mention offsets and token columns the components before it
    kept on the doc; without them it reads the spans and the doc itself, to the same end."""
    nlp = extractor.nlp
    for text in notes[:300]:
        handed_over, alone = nlp(text), nlp.make_doc(text)
        for name, component in nlp.pipeline:
            if name == "need_context":
                drop_columns(alone)  # what sentence_bounds and need_matcher kept
                alone.user_data.pop(_MENTION_BOUNDS_KEY)
            component(alone)
        got = [(s.label_, s.start, s._.status, s._.experiencer) for s in alone.spans["needs"]]
        want = [
            (s.label_, s.start, s._.status, s._.experiencer) for s in handed_over.spans["needs"]
        ]
        assert got == want, text
