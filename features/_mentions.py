"""Need mentions added after the lexicon matcher: by the sentence classifier or the safety net.

They join ``doc.spans["needs"]`` so that the ConText component gives them a status and an
experiencer like any other mention; what found them, with what probability and on which
evidence, is kept beside them in ``doc.user_data`` (spaCy keys span attributes by character
offsets, so a value there would be shared with a lexicon mention of the same tokens).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from features._span_values import SpanValues

__all__ = [
    "MENTION_BOUNDS_KEY",
    "NEEDS_SPAN_KEY",
    "FoundBy",
    "add_mentions",
    "drop_sentence_scores",
    "found_by",
    "keep_sentence_scores",
    "mention_sentences",
    "sentence_score",
]

_FOUND_BY_KEY = ("casetriage", "found_by")
_SENTENCE_SCORES_KEY = ("casetriage", "sentence_scores")
#: the span group of need mentions
NEEDS_SPAN_KEY = "needs"
#: (start, end, start_char, end_char) of each mention, in the span group's order, for ConText
MENTION_BOUNDS_KEY = ("casetriage", "mention_bounds")


@dataclass(frozen=True, slots=True)
class FoundBy:
    """How a mention that is not a lexicon phrase was found.

    ``evidence`` is the character span to show a person (the whole sentence for the
    classifier, whose mention span is only the word ConText reads the status around).
    """

    source: str
    probability: float | None
    evidence: tuple[int, int]
    basis: str


def found_by(doc: Doc) -> dict[tuple[str, int, int], FoundBy]:
    """``(need, start_char, end_char) -> FoundBy`` of the mentions added to this doc."""
    return doc.user_data.get(_FOUND_BY_KEY, {})


def keep_sentence_scores(doc: Doc, needs: tuple[str, ...], probabilities) -> None:
    """Keep the classifier's probability of each need for each sentence, for the refiner."""
    doc.user_data[_SENTENCE_SCORES_KEY] = (needs, probabilities)


def drop_sentence_scores(doc: Doc) -> None:
    """Forget the kept scores (the refiner, their last reader, calls this)."""
    doc.user_data.pop(_SENTENCE_SCORES_KEY, None)


def sentence_score(doc: Doc, sentence: int, need: str) -> float | None:
    """The classifier's probability that this sentence states the need, if it ran."""
    kept = doc.user_data.get(_SENTENCE_SCORES_KEY)
    if kept is None or need not in kept[0]:
        return None
    return float(kept[1][sentence, kept[0].index(need)])


def mention_sentences(doc: Doc, sentence_starts: list[int]) -> set[tuple[int, str]]:
    """``(sentence index, need)`` of every mention so far."""
    return {
        (bisect_right(sentence_starts, span.start) - 1, span.label_)
        for span in doc.spans.get(NEEDS_SPAN_KEY, ())
    }


def add_mentions(
    doc: Doc,
    mentions: list[tuple[int, int, str, FoundBy]],
    *,
    values: SpanValues,
    self_evident_needs: frozenset[str],
) -> None:
    """Add ``(start, end, need, found_by)`` token-span mentions, keeping the span group
    sorted; a mention overlapping a lexicon mention of the same need is left out (the
    lexicon found it already), while mentions of different finders may overlap: each is
    read and weighed on its own."""
    if not mentions:
        return
    spans = list(doc.spans.get(NEEDS_SPAN_KEY, ()))
    info = doc.user_data.setdefault(_FOUND_BY_KEY, {})
    taken = {(s.label_, s.start, s.end) for s in spans}
    lexicon: dict[str, list[tuple[int, int]]] = {}
    for s in spans:
        if (s.label_, s.start_char, s.end_char) not in info:
            lexicon.setdefault(s.label_, []).append((s.start, s.end))
    occupied = {(s.start_char, s.end_char) for s in spans}
    for start, end, need, how in mentions:
        if (need, start, end) in taken or any(
            start < e and s < end for s, e in lexicon.get(need, ())
        ):
            continue
        span = Span(doc, start, end, label=need)
        chars = span.start_char, span.end_char
        if chars not in occupied:  # else it shares the attributes of the mention there
            values.set(chars, "lexical_status", "present")
            values.set(chars, "status", "present")
            values.set(chars, "self_evident", need in self_evident_needs)
            occupied.add(chars)
        info[need, *chars] = how
        spans.append(span)
        taken.add((need, start, end))
    spans.sort(key=lambda s: (s.start, s.end))
    doc.spans[NEEDS_SPAN_KEY] = spans
    doc.user_data[MENTION_BOUNDS_KEY] = [(s.start, s.end, s.start_char, s.end_char) for s in spans]
