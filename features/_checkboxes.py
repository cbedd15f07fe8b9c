"""Checkboxes of a screening form: "[x] Food [ ] Child care", "Utilities [ ]", "☒ Housing".

Forms copied into a note keep their boxes. A box belongs to the item beside it: on a line
that ends with a box the boxes follow their items ("Food [ ]  Clothing [x]"), otherwise
they precede them ("[x] Food [ ] Clothing"). A ticked box states the item, an empty one
denies it ("unable to get any of the following: [ ] Child care" is no child-care need),
and a questionnaire answer chosen by a box ("Food didn't last: [ ] Often true [x] Never
true") is the ticked option.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.strings import hash_string

from features._token_patterns import DocColumns

__all__ = ["Box", "CheckboxReader"]

_OPEN, _CLOSE = "[", "]"
#: what may stand between the brackets of a ticked box
_TICKS = ("x", "X", "✓", "✔", "*", "v")
#: single-character boxes
_EMPTY_BOXES = ("☐", "□")
_TICKED_BOXES = ("☒", "☑", "■", "✅")


@dataclass(frozen=True, slots=True)
class Box:
    """A box over tokens ``[start, end)``; ``ticked`` when it is marked."""

    start: int
    end: int
    ticked: bool


class CheckboxReader:
    """Finds boxes in a sentence from token hashes (see the module docstring)."""

    def __init__(self) -> None:
        self._open, self._close = hash_string(_OPEN), hash_string(_CLOSE)
        self._ticks = frozenset(hash_string(t) for t in _TICKS)
        self._single = {hash_string(t): False for t in _EMPTY_BOXES} | {
            hash_string(t): True for t in _TICKED_BOXES
        }
        self.marks = frozenset({self._open, *self._single})

    def boxes(self, columns: DocColumns, start: int, end: int) -> list[Box]:
        """The boxes of tokens ``[start, end)``, in order."""
        orth, is_space = columns.orth, columns.is_space
        found, i = [], start
        while i < end:
            token = orth[i]
            if token in self._single:
                found.append(Box(i, i + 1, self._single[token]))
            elif token == self._open:
                j = i + 1
                while j < end and is_space[j]:
                    j += 1  # "[ ]": the space inside is a token
                if j < end and orth[j] == self._close:
                    found.append(Box(i, j + 1, False))
                    i = j
                elif j + 1 < end and orth[j] in self._ticks and orth[j + 1] == self._close:
                    found.append(Box(i, j + 2, True))
                    i = j + 1
            i += 1
        return found

    @staticmethod
    def boxes_follow_items(columns: DocColumns, boxes: list[Box], end: int) -> bool:
        """Whether the line's boxes follow their items: the sentence ends with a box."""
        last = end - 1
        while last >= 0 and columns.is_space[last]:
            last -= 1
        return bool(boxes) and boxes[-1].end - 1 == last

    def item_box(
        self, boxes: list[Box], follow: bool, mention_start: int, mention_end: int
    ) -> Box | None:
        """The box of the item a mention names: the nearest box before it (boxes precede
        items) or after it (boxes follow items), or None outside the list."""
        starts = [b.start for b in boxes]
        if follow:
            k = bisect_left(starts, mention_end)
            return boxes[k] if k < len(boxes) else None
        k = bisect_left(starts, mention_start) - 1
        return boxes[k] if k >= 0 and boxes[k].end <= mention_start else None

    @staticmethod
    def chosen_option(boxes: list[Box], follow: bool, after: int, end: int) -> int | None:
        """Where the option a ticked box chooses starts, among the boxes after token
        ``after`` (a questionnaire answer's separator) up to ``end``; None when none is
        ticked."""
        later = [b for b in boxes if after < b.start < end]
        for k, box in enumerate(later):
            if box.ticked:
                if follow:
                    return later[k - 1].end if k else after + 1
                return box.end
        return None
