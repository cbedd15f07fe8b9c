"""Hashed features of one need mention in its sentence, for the trained mention refiner.

What ConText concluded (status, experiencer, the triggers and questionnaire answer that
acted), what found the mention (lexicon, classifier with its probability, safety net), the
need, the words just before, inside and after the mention, the sentence's words, the
heading it falls under, and the shape of its line (a heading line, a question). The refiner
learns from these when ConText's reading holds and when a mention is no need at all (a
section heading, a look-alike).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.strings import hash_string

__all__ = ["MentionView", "mention_features"]

_WINDOW = 5
_PREFIX = 5


class MentionView:
    """What the featurizer reads of one mention: all plain values, no spaCy objects."""

    __slots__ = (
        "after",
        "before",
        "experiencer",
        "heading",
        "inside",
        "is_heading_line",
        "modifiers",
        "need",
        "probability",
        "sentence",
        "source",
        "status",
    )

    def __init__(
        self,
        *,
        need: str,
        status: str,
        experiencer: str,
        source: str,
        probability: float | None,
        modifiers: tuple[str, ...],
        before: list[str],
        inside: list[str],
        after: list[str],
        sentence: list[str],
        heading: list[str],
        is_heading_line: bool,
    ) -> None:
        self.need, self.status, self.experiencer = need, status, experiencer
        self.source, self.probability, self.modifiers = source, probability, modifiers
        self.before, self.inside, self.after = before, inside, after
        self.sentence, self.heading, self.is_heading_line = sentence, heading, is_heading_line


@lru_cache(maxsize=100_000)
def _fold(word: str) -> str:
    if any(c.isdigit() for c in word):
        return "#year" if len(word) == 4 and word[:2] in ("19", "20") and word.isdigit() else "#num"
    return word


def mention_names(view: MentionView) -> list[str]:
    """The feature names of a mention (hashed by :func:`mention_features`)."""
    need = view.need
    names = [
        f"n={need}",
        f"cs={view.status}",
        f"ce={view.experiencer}",
        f"cs={view.status}|n={need}",
        f"ce={view.experiencer}|n={need}",
        f"src={view.source}",
        f"src={view.source}|n={need}",
    ]
    if view.probability is not None:  # the classifier's for this need and sentence
        bucket = min(int(view.probability * 10), 9)
        names += [f"pb={bucket}", f"pb={bucket}|n={need}"]
    for category in view.modifiers:
        names += [f"mod={category}", f"mod={category}|n={need}"]
    before = [_fold(w) for w in view.before[-_WINDOW:]]
    after = [_fold(w) for w in view.after[:_WINDOW]]
    names += [f"L={w}" for w in before] + [f"R={w}" for w in after]
    names += [f"L1={w}" for w in before[-1:]] + [f"R1={w}" for w in after[:1]]
    names += [f"Lp={w[:_PREFIX]}" for w in before if len(w) > _PREFIX]
    names += [f"Rp={w[:_PREFIX]}" for w in after if len(w) > _PREFIX]
    names += [f"M={_fold(w)}" for w in view.inside]
    names += [f"S={_fold(w)}" for w in view.sentence]
    names += [f"H={w}" for w in view.heading] + [f"H={w}|n={need}" for w in view.heading]
    if view.is_heading_line:
        names += ["heading_line", f"heading_line|n={need}"]
    if len(view.sentence) <= 4:
        names.append("short_line")
    if "?" in view.sentence:
        names.append("question")
    if after[:1] == [":"]:
        names.append("colon_after")
    return names


def mention_features(view: MentionView) -> list[int]:
    """The 64-bit hashes of :func:`mention_names`."""
    return [_hash(name) for name in mention_names(view)]


@lru_cache(maxsize=200_000)
def _hash(name: str) -> int:
    return hash_string(name)
