"""Split a note into plain text and need mentions, for highlighting evidence on the case page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.schemas import NEEDS, SAFETY_NEEDS
from core.scoring import ScoredNeed

__all__ = [
    "Mention",
    "NoteSegment",
    "mention_description",
    "need_colour",
    "need_label",
    "note_segments",
]

_STATUS_WORDS = {
    "negated": "ruled out",
    "historical": "in the past",
    "hypothetical": "a possibility, not a fact",
}


def need_label(need: str) -> str:
    return need.replace("_", " ")


def need_colour(need: str) -> int:
    """Index of the need in :data:`NEEDS`; the stylesheet gives each index a colour."""
    return NEEDS.index(need) if need in NEEDS else len(NEEDS)


@dataclass(frozen=True, kw_only=True)
class Mention:
    need: str
    status: str
    experiencer: str
    start: int
    end: int

    @property
    def active(self) -> bool:
        """Present now for the client: only these count towards the suggestion."""
        return self.status == "present" and self.experiencer == "client"

    @property
    def colour(self) -> int:
        return need_colour(self.need)

    @property
    def safety(self) -> bool:
        return self.need in SAFETY_NEEDS

    @property
    def description(self) -> str:
        return mention_description(self.need, self.status, self.experiencer)


def mention_description(need: str, status: str, experiencer: str) -> str:
    """Plain words for a mention, e.g. 'suicide risk: ruled out (not counted)'."""
    parts = [_STATUS_WORDS[status]] if status in _STATUS_WORDS else []
    if experiencer != "client":
        parts.append("about another person")
    if not parts:
        return f"{need_label(need)}: present for the client"
    return f"{need_label(need)}: {', '.join(parts)} (not counted)"


@dataclass(frozen=True, kw_only=True)
class NoteSegment:
    text: str
    mention: Mention | None = None


def _mentions(needs: Iterable[ScoredNeed], text: str) -> list[Mention]:
    found = []
    for need in needs:
        for item in need.mentions or [need]:
            start, end = item.start, item.end
            if not (0 <= start < end <= len(text)) or text[start:end] != item.evidence:
                continue
            found.append(
                Mention(
                    need=need.need,
                    status=item.status,
                    experiencer=item.experiencer,
                    start=start,
                    end=end,
                )
            )
    return found


def note_segments(text: str, needs: Iterable[ScoredNeed]) -> list[NoteSegment]:
    """The note as consecutive segments; each mention of a need becomes its own segment.

    ``needs`` are extractor results, with ``mentions`` (every mention) or without (the
    chosen one). Mentions whose offsets do not match the text are dropped rather than
    highlight the wrong words. Where mentions of different needs overlap, the one that
    counts (present for the client) wins, then the longer: the page must never hide the
    evidence behind a suggestion.
    """
    ranked = sorted(
        _mentions(needs, text), key=lambda m: (not m.active, -(m.end - m.start), m.start)
    )
    placed: list[Mention] = []
    for mention in ranked:
        if all(mention.end <= p.start or mention.start >= p.end for p in placed):
            placed.append(mention)
    placed.sort(key=lambda m: m.start)
    segments: list[NoteSegment] = []
    cursor = 0
    for mention in placed:
        if mention.start > cursor:
            segments.append(NoteSegment(text=text[cursor : mention.start]))
        segments.append(NoteSegment(text=text[mention.start : mention.end], mention=mention))
        cursor = mention.end
    if cursor < len(text):
        segments.append(NoteSegment(text=text[cursor:]))
    return segments
