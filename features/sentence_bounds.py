"""Sentence boundaries for intake notes, read from token hashes in one pass.

The rule is spaCy's ``Sentencizer`` rule, with the boundaries intake notes need:

* a sentence ends after sentence-final punctuation ("." "!" and their Unicode kin; "?" is
  not one, so a questionnaire answer stays in the sentence of its question) and after any
  line break, so that headings and telegraphic lines end a sentence; punctuation that
  follows on the same line (closing quotes, brackets) stays with the sentence it closes,
  and the first token of a line starts one, whatever it is (an opening quote, a bullet, a
  checkbox);
* a separator that stands alone between whitespace ("denies SI / uninsured / rural",
  ``sentence_break_tokens`` in ``data/context_rules.yaml``) starts a new sentence after it,
  so ConText triggers never reach across it, unless it stands inside brackets ("(better
  off dead / hurting yourself)") or, being also a questionnaire answer separator ("--"),
  it introduces an answer that ends its item ("...isolated from those around you? --
  Never / ..."): the answer is read with its question.

``Sentencizer`` creates a ``Token`` per token and a regex over ``doc.text`` rebuilds the
text from every token; reading the hashes once with ``Doc.to_array`` costs a fraction of
either. The hashes read here are kept for the components after it (see
:func:`features._token_patterns.doc_columns`).
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, SENT_START, SPACY
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

from features._answers import answers_by_first_word
from features._resources import load_context_rules
from features._token_patterns import DocColumns, hash_array, keep_columns, where_in

__all__ = ["SentenceBounds", "sentence_final_chars", "start_sentences_at"]

_FORCED_STARTS_KEY = ("casetriage", "sentence_starts_at")
#: How far back a separator looks for the bracket it stands in.
_BRACKET_REACH = 20


def start_sentences_at(doc: Doc, char_offsets: list[int]) -> None:
    """Have :class:`SentenceBounds` start a sentence at the first token at or after each of
    these character offsets, whatever the text around it (the extractor marks where each
    note of a packed ``Doc`` begins)."""
    if char_offsets:
        doc.user_data[_FORCED_STARTS_KEY] = list(char_offsets)


def sentence_final_chars() -> frozenset[str]:
    """spaCy's sentence-final punctuation without the question marks."""
    from spacy.pipeline import Sentencizer

    return frozenset(Sentencizer.default_punct_chars) - {"?", "？", "؟"}


class SentenceBounds:
    """Set ``token.is_sent_start`` on every token (see the module docstring for the rule)."""

    def __init__(self, nlp: Language, name: str, *, rules_path: str = "") -> None:
        self.name = name
        self._strings = nlp.vocab.strings
        rules = load_context_rules(rules_path or None)
        breaks = rules.sentence_break_tokens
        self._final_array = hash_array(hash_string(c) for c in sentence_final_chars())
        self._separator_array = hash_array(hash_string(token) for token in breaks)
        # a separator that is also an answer separator joins an item to an answer that
        # ends it ("...isolated from those around you? -- Never; ..."): no break there
        self._answer_separators = frozenset(
            hash_string(t) for t in breaks if t in rules.answer_separators
        )
        self._answers = answers_by_first_word(nlp, rules)
        self._item_ends = frozenset(hash_string(t) for t in (";", ".", "/", "|", ","))
        self._line_break: dict[int, bool] = {}  # whitespace token hash -> holds a newline
        self._opening = hash_string("(")
        self._closing = frozenset(hash_string(t) for t in (")", "):"))

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        # ORTH, LOWER, IS_SPACE (the columns kept for the next components), then the rest
        array = doc.to_array([*DocColumns.ATTRS, IS_PUNCT, SPACY, IDX])
        starts, ends = self._starts(array)
        forced = doc.user_data.pop(_FORCED_STARTS_KEY, None)
        if forced:
            idx = array[:, 5].tolist()
            tokens = {bisect_left(idx, offset) for offset in forced} - {len(doc)}
            quiet = (array[:, 3] == 1) | (array[:, 2] == 1)  # punctuation or whitespace
            dropped = _starts_from_before(starts, tokens, ends, quiet)
            starts = sorted({*starts, *tokens} - dropped)
        marks = np.full((len(doc), 1), -1, dtype=np.int64)
        marks[starts] = 1
        doc.from_array([SENT_START], marks.astype(np.uint64))
        keep_columns(doc, DocColumns.from_array(doc.vocab, array[:, :3], starts))
        return doc

    def _starts(self, array: np.ndarray) -> tuple[list[int], np.ndarray]:
        """Sentence starts from the columns ORTH, LOWER, IS_SPACE, IS_PUNCT, SPACY, and
        which tokens end a sentence."""
        orth, space, punct, spaced = array[:, 0], array[:, 2], array[:, 3], array[:, 4]
        ends = np.zeros(len(orth), dtype=bool)
        ends[where_in(orth, self._final_array)] = True
        for i in np.flatnonzero(space).tolist():
            ends[i] = ends[i] or self._is_line_break(int(orth[i]))
        # Sentencizer's rule: a sentence starts at the first token after a sentence end that
        # is neither punctuation nor another end (a closing quote stays with its sentence)
        plain = np.flatnonzero((punct == 0) & ~ends)
        ends_before = np.cumsum(ends)[plain]  # ends strictly before each plain token
        after_end = np.diff(ends_before, prepend=0) > 0
        starts = {0, *plain[after_end].tolist()}
        n = len(orth)
        # after a line break the next token starts a sentence even when it is punctuation:
        # a quote, a bracket or a checkbox opens the new line ('"Stressed."', "[x] Food"),
        # it does not close the line before
        openers = set()
        for i in np.flatnonzero(ends & (space == 1)).tolist():
            j = i + 1
            while j < n and space[j]:
                j += 1
            if j < n and punct[j] and not ends[j]:
                openers.add(j)
        if openers:  # the word after the opener continues its sentence
            quiet = (punct == 1) | (space == 1)
            ordered = sorted(starts)
            starts = (starts | openers) - _starts_from_before(ordered, openers, ends, quiet)
        lower = array[:, 1]
        for i in where_in(orth, self._separator_array):
            alone = (i > 0 and (spaced[i - 1] or space[i - 1])) and (
                spaced[i] or (i + 1 < n and space[i + 1])
            )
            if alone and not ends[i] and not self._in_brackets(orth, ends, i):
                j = i + 1
                while j < n and space[j]:
                    j += 1
                if j < n and not self._joins_answer(orth, lower, ends, i, j):
                    starts.add(j)
        return sorted(starts), ends

    def _joins_answer(self, orth, lower, ends, i: int, j: int) -> bool:
        """Whether the separator at ``i`` introduces, at ``j``, an answer that ends its
        item: the answer is then read with its question, in one sentence."""
        if int(orth[i]) not in self._answer_separators:
            return False
        n = len(orth)
        for words, _ in self._answers.get(int(lower[j]), ()):
            if tuple(int(w) for w in lower[j : j + len(words)]) == words:
                k = j + len(words)
                return (
                    k >= n
                    or bool(ends[k])
                    or int(orth[k]) in self._item_ends
                    or int(orth[k]) in self._separator_array
                )
        return False

    def _in_brackets(self, orth: np.ndarray, ends: np.ndarray, i: int) -> bool:
        """Whether the separator at ``i`` stands inside brackets opened in its sentence
        ("item 9 (better off dead / hurting yourself): not at all"): it joins words there."""
        for j in range(i - 1, max(-1, i - _BRACKET_REACH), -1):
            if ends[j] or orth[j] in self._closing:
                return False
            if orth[j] == self._opening:
                return True
        return False

    def _is_line_break(self, token: int) -> bool:
        known = self._line_break.get(token)
        if known is None:
            known = self._line_break[token] = "\n" in self._strings[token]
        return known


def _starts_from_before(
    starts: list[int], forced: set[int], ends: np.ndarray, quiet: np.ndarray
) -> set[int]:
    """Starts caused by a sentence end before a forced start: a note of a packed doc that
    begins with punctuation ("- Got a notice") starts one sentence there, as it would alone,
    not a second one after the punctuation because the previous note ended."""
    from bisect import bisect_right

    dropped = set()
    for f in forced:
        k = bisect_right(starts, f)
        if k < len(starts) and quiet[f : starts[k]].all() and not ends[f : starts[k]].any():
            dropped.add(starts[k])
    return dropped


@Language.factory(
    "sentence_bounds",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"rules_path": ""},
)
def make_sentence_bounds(nlp: Language, name: str, rules_path: str) -> SentenceBounds:
    return SentenceBounds(nlp, name, rules_path=rules_path)
