"""Hashed bag-of-features per sentence, for the trained needs classifier.

A sentence is described by its words (lower case, numbers folded to one token), the first
five letters of its longer words (so "overdosed" shares a feature with "overdose"), its word
pairs, and the words of the heading it falls under in a long note ("Substance use:" then
"Denies."). Features are 64-bit hashes: the trained model keeps a weight for the features
it saw, and the rest are ignored, so nothing about the vocabulary is fixed in code.

Training and scoring compute features with this same code on the same pipeline's sentences,
which is what makes a model trained offline score the same way in ``casetriage extract``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.strings import hash_string
from spacy.tokens import Doc

from features._token_patterns import DocColumns
from features._vocabulary import NAME, NameFolder

__all__ = [
    "NOTE_STARTS_KEY",
    "Section",
    "SentenceFeaturizer",
    "mark_note_starts",
    "section_headings",
]

#: ``doc.user_data`` key: char offsets where each note of a packed doc starts.
NOTE_STARTS_KEY = ("casetriage", "note_starts")
_PAIR_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_PAIR_SALT = np.uint64(0x5BD1E9955BD1E995)
_PREFIX_CHARS = 5
_HEADING_MAX_TOKENS = 6
_FINAL_MARKS = frozenset({".", "!", "?", ";"})


def mark_note_starts(doc: Doc, char_offsets: list[int]) -> None:
    """Tell the featurizer where the notes of a packed doc begin (headings end there)."""
    doc.user_data[NOTE_STARTS_KEY] = list(char_offsets)


class _Lexeme:
    """What the featurizer needs of one lower-case word, computed once per word."""

    __slots__ = ("heading", "prefix", "word")

    def __init__(self, text: str) -> None:
        folded = "#num" if any(c.isdigit() for c in text) else text
        self.word = hash_string("w:" + folded)
        long_word = len(folded) > _PREFIX_CHARS and folded.isalpha()
        self.prefix = hash_string("p:" + folded[:_PREFIX_CHARS]) if long_word else 0
        self.heading = hash_string("h:" + folded) if folded.isalpha() else 0


class SentenceFeaturizer:
    """Feature hashes of every sentence of a doc (see the module docstring).

    Parameters
    ----------
    known_words : ndarray
        LOWER hashes of the words that keep their identity when capitalised; other
        capitalised words are names (see :mod:`features._vocabulary`).
    prefixes, pairs, headings : bool
        Which features besides the words (a trained model records its choice).
    """

    def __init__(
        self,
        *,
        known_words: np.ndarray,
        prefixes: bool = True,
        pairs: bool = True,
        headings: bool = True,
    ) -> None:
        self._lexemes: dict[int, _Lexeme] = {}
        self._name = _Lexeme(NAME)
        self.names = NameFolder(known_words)
        self.prefixes, self.pairs, self.headings = prefixes, pairs, headings

    def token_lexeme(self, strings, orth: int, lower: int) -> _Lexeme | None:
        """What the featurizer reads of a token; None for a name."""
        if self.names.is_name(strings, orth, lower):
            return None
        return self._lexeme(strings, lower)

    def _lexeme(self, strings, lower: int) -> _Lexeme:
        lexeme = self._lexemes.get(lower)
        if lexeme is None:
            lexeme = self._lexemes[lower] = _Lexeme(strings[lower])
        return lexeme

    def word_keys(self, strings, lower: int) -> list[int]:
        """The word and prefix feature hashes of one word."""
        lexeme = self._lexeme(strings, lower)
        return [lexeme.word, lexeme.prefix] if self.prefixes and lexeme.prefix else [lexeme.word]

    def features(self, doc: Doc, columns: DocColumns) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, keys)``: for each feature occurrence, its sentence's index in
        ``columns.sentence_starts`` and its hash. A feature may occur twice in a row."""
        strings = doc.vocab.strings
        starts = columns.sentence_starts
        bounds = [*starts[1:], len(columns.lower)]
        under = section_headings(doc, columns) if self.headings else None
        rows: list[int] = []
        keys: list[int] = []
        for sentence, (start, end) in enumerate(zip(starts, bounds, strict=True)):
            words = [
                self.token_lexeme(strings, columns.orth[i], columns.lower[i]) or self._name
                for i in range(start, end)
                if not columns.is_space[i]
            ]
            if not words:
                continue
            sentence_keys = [w.word for w in words]
            if self.prefixes:
                sentence_keys += [w.prefix for w in words if w.prefix]
            pairs = np.array(sentence_keys[: len(words)], dtype=np.uint64)
            if self.pairs and len(pairs) > 1:
                with np.errstate(over="ignore"):
                    combined = (pairs[:-1] * _PAIR_MULTIPLIER) ^ (pairs[1:] + _PAIR_SALT)
                sentence_keys += combined.tolist()
            if under is not None and under[sentence].words and not under[sentence].is_heading:
                sentence_keys += [self._lexeme(strings, w).heading for w in under[sentence].words]
            rows += [sentence] * len(sentence_keys)
            keys += sentence_keys
        return np.array(rows, dtype=np.int64), np.array(keys, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class Section:
    """Where a sentence stands in a headed note: whether it is a heading line itself, and
    the LOWER hashes of the words of the heading it falls under (empty when none)."""

    is_heading: bool
    words: tuple[int, ...]


_NO_SECTION = Section(False, ())


def section_headings(doc: Doc, columns: DocColumns) -> list[Section]:
    """The :class:`Section` of every sentence of ``columns.sentence_starts``.

    A heading is a line of its own of at most six words without sentence-final
    punctuation that starts with a capital ("Substance use", "Income / Employment",
    "HITS"), or a short line ending with a colon ("Safety:"). A line split into sentences
    by a separator ("Housing / Utilities") is judged whole. A heading holds until the next
    heading or the next note of a packed doc.
    """
    strings = doc.vocab.strings
    starts = columns.sentence_starts
    bounds = [*starts[1:], len(columns.lower)]
    note_starts = set(note_start_tokens(doc))
    sections: list[Section] = []
    current: tuple[int, ...] = ()
    for first, last in _lines(columns, bounds, note_starts):
        if starts[first] in note_starts:
            current = ()
        words = [i for i in range(starts[first], bounds[last]) if not columns.is_space[i]]
        heading = False
        # a note's first line is its title: it names why the note was written
        title = first == 0 or starts[first] in note_starts
        if words and len(words) <= _HEADING_MAX_TOKENS and not title:
            texts = [strings[columns.orth[i]] for i in words]
            colon_ended = texts[-1] == ":" and len(texts) > 1 and ":" not in texts[:-1]
            title_line = texts[0][:1].isupper() and not any(
                t in _FINAL_MARKS or t == ":" for t in texts
            )
            heading = colon_ended or title_line
        if heading:
            current = tuple(columns.lower[i] for i in words if strings[columns.lower[i]].isalpha())
            sections += [Section(True, current)] * (last - first + 1)
        else:
            sections += [Section(False, current) if current else _NO_SECTION] * (last - first + 1)
    return sections


def _lines(columns: DocColumns, bounds: list[int], note_starts: set[int]):
    """``(first, last)`` sentence indices of each line: sentences up to one that ends at a
    line break, the doc's end (the last bound) or before a note of a packed doc."""
    first = 0
    for k, end in enumerate(bounds):
        ends_line = (
            end == len(columns.lower)
            or end in note_starts
            or (columns.is_space[end - 1] and "\n" in columns.text(end - 1))
        )
        if ends_line:
            yield first, k
            first = k + 1


def note_start_tokens(doc: Doc) -> list[int]:
    """The first token of each note of a packed doc (empty for a doc of one note)."""
    from bisect import bisect_left

    from spacy.attrs import IDX

    offsets = doc.user_data.get(NOTE_STARTS_KEY) or []
    if not offsets:
        return []
    idx = doc.to_array([IDX]).tolist()
    return sorted({bisect_left(idx, offset) for offset in offsets})
