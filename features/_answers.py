"""Screening answers and form checkboxes: what decides a mention's status in a form.

A questionnaire answer after a mention ("worried food would run out: often true",
"Are you worried about losing your housing? No", "Food didn't last ....... Never true")
decides its status, over ConText's triggers; so does a checkbox beside a form's item
("[x] Utilities", "[ ] Child care", see :mod:`features._checkboxes`). The answers and the
separators are in ``data/context_rules.yaml`` (``answers``); all is compared on token
hashes (ORTH for separators, LOWER for the words).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.strings import hash_string

from features._checkboxes import Box, CheckboxReader
from features._token_patterns import DocColumns, hash_array

__all__ = ["FormReader", "FormsInDoc", "answers_by_first_word"]

#: How many tokens after a mention its questionnaire answer's separator may come.
_ANSWER_REACH = 40
#: The longest run of dots read as a form's leader between an item and its answer.
_LONGEST_LEADER = 40
_DASHES = ("-", "–", "—", "--")


def answers_by_first_word(nlp: Language, rules) -> dict[int, list[tuple[tuple[int, ...], str]]]:
    """The questionnaire answers of ``rules`` as LOWER hashes of their tokens, with the status
    each gives, by their first word; the longest first, so that the longest that fits wins."""
    answers = [
        (tuple(t.lower for t in nlp.make_doc(" ".join(a))), "present")
        for a in rules.affirmative_answers
    ] + [
        (tuple(t.lower for t in nlp.make_doc(" ".join(a))), "negated")
        for a in rules.negative_answers
    ]
    answers.sort(key=lambda item: -len(item[0]))
    by_first: dict[int, list[tuple[tuple[int, ...], str]]] = {}
    for words, status in answers:
        if words:
            by_first.setdefault(words[0], []).append((words, status))
    return by_first


class FormReader:
    """Reads answers and boxes (see the module docstring); :meth:`in_doc` per doc."""

    def __init__(self, nlp: Language, rules) -> None:
        # dot leaders of a printed form separate an item from its answer too; three dots
        # are an ellipsis in prose, not a leader
        leaders = ["." * n for n in range(4, _LONGEST_LEADER + 1)]
        self.separators = frozenset(hash_string(s) for s in (*rules.answer_separators, *leaders))
        self.semicolon = hash_string(";")
        self.question = hash_string("?")
        self.dashes = frozenset(hash_string(d) for d in _DASHES)
        self.answer_marks = hash_array([*self.separators, self.semicolon])
        self.boxes = CheckboxReader()
        self.box_marks = hash_array(self.boxes.marks)
        self.answers = answers_by_first_word(nlp, rules)

    def in_doc(
        self, columns: DocColumns, sent_starts: list[int], sent_bounds: list[int]
    ) -> FormsInDoc:
        marks = columns.where_orth(self.answer_marks) if self.separators else []
        with_boxes = {bisect_right(sent_starts, t) - 1 for t in columns.where_orth(self.box_marks)}
        return FormsInDoc(self, columns, sent_starts, sent_bounds, marks, with_boxes)


@dataclass
class FormsInDoc:
    """The answers' separators and the boxes of one doc (boxes read per sentence, once)."""

    reader: FormReader
    columns: DocColumns
    sent_starts: list[int]
    sent_bounds: list[int]
    marks: list[int]  # offsets of answer separators and semicolons
    with_boxes: set[int]  # sentences that hold a box
    _boxes: dict[int, tuple[list[Box], bool]] = field(default_factory=dict)

    def status(
        self, sentence: int, start: int, end: int, next_other: int
    ) -> tuple[str, tuple[str, int, int]] | None:
        """``(status, modifier)`` that a form gives the mention ``[start, end)`` of
        ``sentence``, or None: the questionnaire answer after it, before a semicolon, the
        sentence's end and the next mention of another need (at ``next_other``), or else
        the box of its item."""
        boxes, follow = self._sentence_boxes(sentence)
        box = self._item_box(boxes, follow, start, end)
        if box is None:
            limit = min(self.sent_bounds[sentence], end + _ANSWER_REACH)
            answer, mark = self._answer_after(end, limit, next_other, boxes, follow)
            if answer is not None:
                return answer, (f"ANSWER_{answer.upper()}", mark, mark + 1)
            return None
        kind = "CHECKBOX_TICKED" if box.ticked else "CHECKBOX_EMPTY"
        return ("present" if box.ticked else "negated"), (kind, box.start, box.end)

    def _sentence_boxes(self, sentence: int) -> tuple[list[Box], bool]:
        if sentence not in self.with_boxes:
            return [], False
        if sentence not in self._boxes:
            end = self.sent_bounds[sentence]
            found = self.reader.boxes.boxes(self.columns, self.sent_starts[sentence], end)
            follow = self.reader.boxes.boxes_follow_items(self.columns, found, end)
            self._boxes[sentence] = found, follow
        return self._boxes[sentence]

    def _item_box(self, boxes: list[Box], follow: bool, start: int, end: int) -> Box | None:
        """The box of the form item a mention names; not a box after a separator that
        follows the mention ("Food didn't last: Often true [ ] Never true [x]": those
        boxes choose the item's answer)."""
        box = self.reader.boxes.item_box(boxes, follow, start, end) if boxes else None
        if box is not None and follow:
            k = bisect_left(self.marks, end)
            if k < len(self.marks) and self.marks[k] < box.start:
                return None
        return box

    def _answer_after(
        self, end: int, limit: int, next_other: int, boxes: list[Box], follow: bool
    ) -> tuple[str | None, int | None]:
        """The first answer after the mention, before a semicolon, ``limit`` and the next
        mention of another need ("Utilities - threatened to shut off: No"), and its
        separator; but the answer to a question the mention is part of may come after
        other needs ("unable to get food, utilities, child care? No")."""
        orth, marks, reader = self.columns.orth, self.marks, self.reader
        k = bisect_left(marks, end)
        asked = False
        while k < len(marks) and marks[k] < limit and orth[marks[k]] != reader.semicolon:
            question = orth[marks[k]] == reader.question
            if marks[k] >= next_other and (asked or not question):
                break
            answer = self._answer(marks[k], boxes, follow, limit)
            if answer is not None:
                return answer, marks[k]
            asked = asked or question
            k += 1
        return None, None

    def _answer(self, mark: int, boxes: list[Box], follow: bool, limit: int) -> str | None:
        """The status the questionnaire answer after the separator at ``mark`` gives (the
        option a ticked box chooses, where boxes follow it), or None."""
        columns, reader = self.columns, self.reader
        lower, is_space = columns.lower, columns.is_space
        # after a dash the answer must end the item: "Passive SI - ... - no plan" and
        # "Transportation - no car" are no answers, "Housing - no" is one
        dash = columns.orth[mark] in reader.dashes
        if dash and mark + 1 >= limit:
            return None  # a dash that ends the sentence broke it: what follows is not an answer
        if boxes:
            option = reader.boxes.chosen_option(boxes, follow, mark, limit)
            if option is not None:
                mark, dash = option - 1, False
        at = [i for i in range(mark + 1, min(mark + 7, len(lower))) if not is_space[i]]
        following = [lower[i] for i in at]
        for words, status in reader.answers.get(following[0], ()) if following else ():
            if tuple(following[: len(words)]) == words:
                after = at[len(words)] if len(at) > len(words) else limit
                if dash and after < limit and columns.flag("IS_ALPHA", after):
                    continue
                return status
        return None
