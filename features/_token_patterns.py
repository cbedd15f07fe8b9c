"""A small token-pattern matcher for the lexicon's and the ConText rules' Matcher patterns.

spaCy's ``Matcher`` runs every pattern's state machine over every token and evaluates its
predicates through Python-level caches; on short notes with a few dozen patterns that cost
more than the rest of the pipeline together. The patterns in our data files are simple
(``LOWER``/``TEXT`` values or sets, a regex, ``IS_PUNCT``/``LIKE_NUM``-style flags, with
``?``, ``*``, ``+`` and ``{n,m}`` quantifiers), so this matcher only starts a pattern where
its first token can match (a dict lookup per token) and enumerates the matches from there.

It returns the same set of ``(key, start, end)`` matches as ``Matcher`` (every start and
end, non-greedy, no zero-length matches); ``tests/features/test_token_patterns.py`` checks
that against the real ``Matcher`` on thousands of notes. Patterns it cannot express are
refused by :meth:`TokenPatterns.add` so the caller can keep them in a ``Matcher``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from spacy.attrs import IS_SPACE, LOWER, ORTH, SENT_START
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = [
    "DocColumns",
    "TokenPatterns",
    "doc_columns",
    "drop_columns",
    "hash_array",
    "keep_columns",
    "where_in",
]

_TOKEN_ATTRS = {"LOWER": "LOWER", "TEXT": "ORTH", "ORTH": "ORTH"}
_FLAGS = {
    "IS_PUNCT": "is_punct",
    "LIKE_NUM": "like_num",
    "IS_SPACE": "is_space",
    "IS_DIGIT": "is_digit",
    "IS_ALPHA": "is_alpha",
}
_UNBOUNDED = 1 << 30
_QUANTIFIER = re.compile(r"^\{(\d*)(,?)(\d*)\}$")


@dataclass(frozen=True, slots=True)
class DocColumns:
    """Per-token hashes of one doc and its sentence starts, read once with ``Doc.to_array``.

    Indexing plain lists is far cheaper than creating a ``Token`` per access, which is what
    ``doc[i].lower_`` costs, and the same columns as arrays find the tokens of a set of
    words in one vectorised call. Flags (``is_punct``...) are lexeme flags, read from the
    vocab only where a pattern asks, which is rare. It holds the vocab, not the doc, so
    keeping it on the doc makes no reference cycle.
    """

    vocab: Vocab
    orth: list[int]
    lower: list[int]
    is_space: list[int]
    sentence_starts: list[int]
    orth_array: np.ndarray
    lower_array: np.ndarray

    #: the token attributes :meth:`from_array` takes, in this order
    ATTRS = (ORTH, LOWER, IS_SPACE)

    @classmethod
    def from_array(cls, vocab: Vocab, array: np.ndarray, sentence_starts: list[int]) -> DocColumns:
        """From a ``Doc.to_array(DocColumns.ATTRS)`` array."""
        orth, lower, is_space = array.T.tolist()
        return cls(vocab, orth, lower, is_space, sentence_starts, array[:, 0], array[:, 1])

    def text(self, i: int) -> str:
        return self.vocab.strings[self.orth[i]]

    def flag(self, name: str, i: int) -> int:
        return int(getattr(self.vocab[self.orth[i]], _FLAGS[name]))

    def where_lower(self, words: np.ndarray) -> list[int]:
        """Offsets of the tokens whose LOWER hash is in ``words`` (see :func:`hash_array`)."""
        return where_in(self.lower_array, words)

    def where_orth(self, tokens: np.ndarray) -> list[int]:
        """Offsets of the tokens whose ORTH hash is in ``tokens`` (see :func:`hash_array`)."""
        return where_in(self.orth_array, tokens)


@cache
def _common_words() -> frozenset[int]:
    """LOWER hashes of spaCy's English stop words: poor anchors, they are everywhere."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(hash_string(word) for word in STOP_WORDS)


def hash_array(hashes) -> np.ndarray:
    """A sorted uint64 array of string hashes, for :meth:`DocColumns.where_lower`."""
    return np.array(sorted(set(hashes)), dtype=np.uint64)


def where_in(column: np.ndarray, members: np.ndarray) -> list[int]:
    """Offsets where ``column`` holds one of the sorted ``members``: a binary search per
    token (``np.isin`` sorts the column first, which costs more on a long doc)."""
    if len(members) == 0 or len(column) == 0:
        return []
    slots = np.searchsorted(members, column).clip(max=len(members) - 1)
    return np.flatnonzero(members[slots] == column).tolist()


_COLUMNS_KEY = ("casetriage", "columns")


def keep_columns(doc: Doc, columns: DocColumns) -> None:
    """Keep the columns on the doc for the components after the sentence splitter; they hold
    only while the tokens and sentence starts stay as they are (:func:`drop_columns` ends it)."""
    doc.user_data[_COLUMNS_KEY] = columns


def drop_columns(doc: Doc) -> None:
    """Forget kept columns (the last component calls this: user data is serialised)."""
    doc.user_data.pop(_COLUMNS_KEY, None)


def doc_columns(doc: Doc) -> DocColumns:
    """The columns the matchers and the ConText component need: those the sentence splitter
    kept, or read now in one ``Doc.to_array`` call.

    ``sentence_starts`` are the offsets ``doc.sents`` would yield (token 0 always starts
    one), so it must be read after the sentence boundaries are final.
    """
    kept = doc.user_data.get(_COLUMNS_KEY)
    if kept is not None and len(kept.orth) == len(doc):
        return kept
    if len(doc) == 0:
        return DocColumns.from_array(doc.vocab, np.zeros((0, 3), dtype=np.uint64), [])
    array = doc.to_array([*DocColumns.ATTRS, SENT_START])
    # SENT_START is -1/0/1 and comes back as uint64: compare with 1 only
    starts = np.flatnonzero(array[1:, 3] == 1) + 1
    return DocColumns.from_array(doc.vocab, array[:, :3], [0, *starts.tolist()])


# a constraint: ("attr", column, frozenset of hashes, wanted), ("regex", column, pattern, _)
# or ("flag", name, value, _); a slot: (constraints, min repeats, max repeats)
_Constraint = tuple[str, str, Any, bool]
_Slot = tuple[tuple[_Constraint, ...], int, int]


def _quantifier(op: Any) -> tuple[int, int] | None:
    if op is None:
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _UNBOUNDED
    if op == "+":
        return 1, _UNBOUNDED
    match = _QUANTIFIER.match(op) if isinstance(op, str) else None
    if match is None:
        return None
    low, comma, high = match.groups()
    if not comma:
        if not low:
            return None
        return int(low), int(low)
    return int(low or 0), int(high) if high else _UNBOUNDED


def _constraint(key: str, value: Any) -> _Constraint | None:
    if key in _FLAGS:
        return ("flag", key, int(bool(value)), True) if isinstance(value, bool) else None
    column = _TOKEN_ATTRS.get(key)
    if column is None:
        return None
    if isinstance(value, str):
        return ("attr", column, frozenset({hash_string(value)}), True)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((operator, operand),) = value.items()
    if operator in ("IN", "NOT_IN") and isinstance(operand, list):
        if not all(isinstance(v, str) for v in operand):
            return None
        return ("attr", column, frozenset(hash_string(v) for v in operand), operator == "IN")
    if operator == "REGEX" and isinstance(operand, str):
        return ("regex", column, re.compile(operand), True)
    return None


def _compile(pattern: Sequence[dict]) -> list[_Slot] | None:
    slots: list[_Slot] = []
    for spec in pattern:
        if not isinstance(spec, dict):
            return None
        bounds = _quantifier(spec.get("OP"))
        if bounds is None:
            return None
        constraints = []
        for key, value in spec.items():
            if key == "OP":
                continue
            constraint = _constraint(key, value)
            if constraint is None:
                return None
            constraints.append(constraint)
        slots.append((tuple(constraints), *bounds))
    return slots or None


def _holds(constraints: tuple[_Constraint, ...], columns: DocColumns, i: int) -> bool:
    for kind, column, value, wanted in constraints:
        if kind == "attr":
            token = columns.lower[i] if column == "LOWER" else columns.orth[i]
            if (token in value) != wanted:
                return False
        elif kind == "flag":
            if columns.flag(column, i) != value:
                return False
        else:
            text = columns.text(i)
            if column == "LOWER":
                text = columns.vocab.strings[columns.lower[i]]
            if not value.search(text):
                return False
    return True


def _ends(slots: list[_Slot], k: int, i: int, end: int, columns: DocColumns, out: set) -> None:
    """Add to ``out`` every offset where a match of ``slots[k:]`` starting at ``i`` ends."""
    if k == len(slots):
        out.add(i)
        return
    constraints, low, high = slots[k]
    count, j = 0, i
    while True:
        if count >= low:
            _ends(slots, k + 1, j, end, columns, out)
        if count == high or j >= end or not _holds(constraints, columns, j):
            return
        count, j = count + 1, j + 1


#: Most offsets a mandatory slot may sit at, after optional slots, to anchor a pattern.
_MAX_ANCHOR_OFFSETS = 4


def _anchors(slots: list[_Slot], common: frozenset[int]) -> list[tuple[int, int]]:
    """(LOWER hash, offset) pairs: a match can start only ``offset`` tokens before a token
    with one of these hashes; empty when the pattern has to be tried at every token.

    The options: the slots up to the first mandatory one all name LOWER values (offset 0),
    or a mandatory LOWER slot follows slots of bounded length ("may" in "in May" at offset
    1; "sister" in "her sister is" at offset 0 or 1). Every try costs, so the option whose
    words are rarest is taken: the fewest ``common`` words (English stop words), then the
    fewest words.
    """

    def lowers(constraints: tuple[_Constraint, ...]) -> frozenset[int] | None:
        sets = [c[2] for c in constraints if c[0] == "attr" and c[1] == "LOWER" and c[3]]
        return sets[0] if sets else None

    options: list[list[tuple[int, int]]] = []
    leading: list[tuple[int, int]] = []
    for constraints, low, _ in slots:
        values = lowers(constraints)
        if values is None:
            break
        leading.extend((token, 0) for token in values)
        if low > 0:
            options.append(leading)
            break
    shortest = longest = 0  # how many tokens the slots before this one take
    for constraints, low, high in slots:
        values = lowers(constraints)
        if values is not None and low > 0:
            offsets = range(shortest, longest + 1)
            options.append([(token, offset) for token in values for offset in offsets])
        shortest, longest = shortest + low, longest + high
        if longest - shortest >= _MAX_ANCHOR_OFFSETS:
            break

    def cost(option: list[tuple[int, int]]) -> tuple[int, int]:
        words = {token for token, _ in option}
        return len(words & common), len(option)

    return min(options, key=cost) if options else []


def _regex_anchor(slots: list[_Slot]) -> tuple[str, re.Pattern] | None:
    """``(column, regex)`` of a mandatory first slot with a regex (``[{TEXT: {REGEX:
    "^(19|20)\\d\\d$"}}]``): a pattern with no word to anchor it is tried only at the
    tokens whose text the regex accepts, found once per distinct token."""
    constraints, low, _ = slots[0]
    if low == 0:
        return None
    for kind, column, value, _wanted in constraints:
        if kind == "regex":
            return column, value
    return None


#: Distinct tokens whose regex verdict is remembered, per pattern, before starting afresh.
_MAX_REGEX_VERDICTS = 200_000


class TokenPatterns:
    """Match spaCy-style token patterns, keyed like ``Matcher`` keys, over doc columns."""

    def __init__(self) -> None:
        self._patterns: list[tuple[str, list[_Slot]]] = []
        self._anchors: dict[int, list[tuple[int, int]]] = {}
        self._required: list[list[frozenset[int]]] = []
        self._scan_everywhere: list[int] = []
        self._regex_anchored: list[tuple[int, str, re.Pattern]] = []
        self._regex_verdicts: dict[int, dict[int, bool]] = {}
        self._anchor_words = hash_array(())

    def __len__(self) -> int:
        return len(self._patterns)

    def add(self, key: str, pattern: Sequence[dict]) -> bool:
        """Compile a pattern; False (and nothing added) if it uses features we lack."""
        slots = _compile(pattern)
        if slots is None:
            return False
        index = len(self._patterns)
        self._patterns.append((key, slots))
        self._required.append(
            [
                c[2]
                for constraints, low, _ in slots
                if low > 0
                for c in constraints
                if c[0] == "attr" and c[1] == "LOWER" and c[3]
            ]
        )
        anchors = _anchors(slots, _common_words())
        regex = None if anchors else _regex_anchor(slots)
        if regex is not None:
            self._regex_anchored.append((index, *regex))
        elif not anchors:
            self._scan_everywhere.append(index)
        for token, offset in anchors:
            self._anchors.setdefault(token, []).append((index, offset))
        self._anchor_words = hash_array(self._anchors)
        return True

    def _regex_hits(
        self, columns: DocColumns, index: int, column: str, regex: re.Pattern
    ) -> list[int]:
        """Offsets of the tokens whose text (or lower-case form) the regex accepts."""
        array = columns.lower_array if column == "LOWER" else columns.orth_array
        verdicts = self._regex_verdicts.setdefault(index, {})
        if len(verdicts) > _MAX_REGEX_VERDICTS:
            verdicts.clear()
        strings = columns.vocab.strings
        accepted = []
        for token in np.unique(array).tolist():
            verdict = verdicts.get(token)
            if verdict is None:
                verdict = verdicts[token] = regex.search(strings[token]) is not None
            if verdict:
                accepted.append(token)
        return where_in(array, hash_array(accepted))

    def __call__(
        self, columns: DocColumns, start: int = 0, end: int | None = None
    ) -> list[tuple[str, int, int]]:
        """Matches ``(key, start, end)`` within tokens ``[start, end)``, sorted."""
        return self.in_windows(columns, [(start, len(columns.lower) if end is None else end)])

    def in_windows(
        self, columns: DocColumns, windows: list[tuple[int, int]]
    ) -> list[tuple[str, int, int]]:
        """Matches ``(key, start, end)`` each within one of the token ranges ``windows``
        (one call for many sentences costs less than a call per sentence), sorted."""
        lower = columns.lower
        present: set[int] = set()
        for start, end in windows:
            present.update(lower[start:end])
        viable: dict[int, bool] = {}

        def can_match(index: int) -> bool:
            # only if every mandatory LOWER slot has one of its words in the windows
            if index not in viable:
                viable[index] = all(not w.isdisjoint(present) for w in self._required[index])
            return viable[index]

        candidates: set[tuple[int, int, int]] = set()  # (pattern, start, window end)
        anchors = self._anchors
        anchored = columns.where_lower(self._anchor_words) if anchors else []
        by_regex = [
            (index, self._regex_hits(columns, index, column, regex))
            for index, column, regex in self._regex_anchored
            if can_match(index)
        ]
        for start, end in windows:
            for index, hits in by_regex:
                for i in hits[bisect_left(hits, start) : bisect_left(hits, end)]:
                    candidates.add((index, i, end))
            for i in anchored[bisect_left(anchored, start) : bisect_left(anchored, end)]:
                for index, offset in anchors[lower[i]]:
                    if i - offset >= start and can_match(index):
                        candidates.add((index, i - offset, end))
            for index in self._scan_everywhere:
                if can_match(index):
                    candidates.update((index, i, end) for i in range(start, end))
        matches: set[tuple[str, int, int]] = set()
        for index, i, end in candidates:
            key, slots = self._patterns[index]
            found: set[int] = set()
            _ends(slots, 0, i, end, columns, found)
            matches.update((key, i, e) for e in found if e > i)
        return sorted(matches, key=lambda m: (m[1], m[2], m[0]))
