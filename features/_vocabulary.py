"""The words the trained parts may learn from by identity, and the names they must not.

A classifier trained on a few hundred notes learns whatever separates its examples, names
included ("Maria" in one writer's notes about food). Names and places say nothing about
needs, so the featurizers fold a capitalised word that no data file knows (the lexicon,
the ConText rules, the safety signs, English stop words) into one ``#name`` token. The set is
stored in each trained model, so a model reads notes the way it was trained, whatever data
files an experiment loads.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from spacy.strings import hash_string

__all__ = ["NAME", "NameFolder", "known_words"]

#: what a folded word becomes
NAME = "#name"


def _words(phrases) -> set[str]:
    return {w for phrase in phrases for w in phrase.lower().split() if w.isalpha()}


@cache
def known_words() -> np.ndarray:
    """Sorted LOWER hashes of the words of the packaged data files and the stop words."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from features._resources import load_context_rules, load_lexicon
    from features._safety_signs import load_safety_signs

    words = set(STOP_WORDS)
    for entry in load_lexicon().values():
        for phrases in entry.phrases.values():
            words |= _words(phrases)
        words |= _words(entry.self_evident_phrases)
    for rule in load_context_rules().rules:
        words |= _words(rule.phrases)
    signs = load_safety_signs()
    for sign in signs.signs:
        words |= _words(sign.phrases)
        words |= {w for group in sign.groups for w in group}
    return np.array(sorted({hash_string(w) for w in words}), dtype=np.uint64)


class NameFolder:
    """Tell, per token, whether it is a capitalised word no data file knows (cached)."""

    def __init__(self, known: np.ndarray) -> None:
        self._known = frozenset(known.tolist())
        self._is_name: dict[int, bool] = {}

    def is_name(self, strings, orth: int, lower: int) -> bool:
        answer = self._is_name.get(orth)
        if answer is None:
            text = strings[orth]
            answer = (
                len(text) > 1
                and text[0].isupper()
                and text[1:].islower()
                and text.isalpha()
                and lower not in self._known
            )
            self._is_name[orth] = answer
        return answer
