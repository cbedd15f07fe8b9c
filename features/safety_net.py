"""The ``safety_net`` component: warning signs of the three safety needs, for high recall.

The signs (``data/safety_signs.yaml``) come from published screeners and warning-sign lists
(C-SSRS, ASQ, PHQ-9 item 9, EPDS item 10, AFSP/988 warning signs; HITS, WAST, the Danger
Assessment, the power-and-control wheel, strangulation and elder-exploitation indicators;
child-maltreatment indicators and TEN-4-FACESp), each with its sources. A sign is a phrase,
or a set of word groups that all occur close together in one sentence ("took" ... "30" ...
"pills"). Each sign found becomes a mention of its need, which ConText then reads like any
other (so "denies wanting to die" is negated). The extractor returns a safety need that only
the signs support as present with ``confidence: possible``, so the case still goes to tier 1
and the supervisor sees which sign fired and why.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc

from features._mentions import FoundBy, add_mentions
from features._safety_signs import CHILD_NEED, SafetySigns, load_safety_signs
from features._sentence_features import note_start_tokens
from features._token_patterns import doc_columns, hash_array
from features.components import span_values

__all__ = ["SafetyNet"]

_LOOKALIKE = "lookalike"


class SafetyNet:
    """Add a mention for every warning sign found (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, *, signs_path: str = "") -> None:
        self.name = name
        self.signs: SafetySigns = load_safety_signs(signs_path or None)
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for i, sign in enumerate(self.signs.signs):
            if sign.phrases:
                self._phrases.add(str(i), [nlp.make_doc(p) for p in sign.phrases])
        if self.signs.lookalikes:
            self._phrases.add(_LOOKALIKE, [nlp.make_doc(p) for p in self.signs.lookalikes])
        self._lookalike_key = hash_string(_LOOKALIKE)
        self._sign_of = {hash_string(str(i)): i for i in range(len(self.signs.signs))}
        # near rules: for each, its groups as sets of LOWER hashes
        self._near = [
            (i, sign.window, [frozenset(hash_string(w) for w in group) for group in sign.groups])
            for i, sign in enumerate(self.signs.signs)
            if sign.groups
        ]
        self._near_words = hash_array(
            h for _, _, groups in self._near for group in groups for h in group
        )
        self._child_words = hash_array(hash_string(w) for w in self.signs.child_words)

    def __call__(self, doc: Doc) -> Doc:
        columns = doc_columns(doc)
        starts = columns.sentence_starts
        if not starts:
            return doc
        found: list[tuple[int, int, int]] = []  # (sign index, start, end)
        lookalikes: list[tuple[int, int]] = []
        for key, start, end in self._phrases(doc) if len(self._phrases) else ():
            if key == self._lookalike_key:
                lookalikes.append((start, end))
            else:
                found.append((self._sign_of[key], start, end))
        found += self._near_matches(columns, starts)
        if len(self._child_words):
            found = self._where_a_child_is_named(doc, columns, found)
        added = []
        kept: dict[str, list[tuple[int, int]]] = {}  # per need, the signs kept so far
        # longest first, so that "hands around her neck" stands for "around her neck"
        for index, start, end in sorted(found, key=lambda f: (f[1] - f[2], f[1])):
            k = bisect_right(starts, start)
            if k < len(starts) and starts[k] < end:
                continue  # a sign never spans two sentences
            if any(s <= start and end <= e for s, e in lookalikes):
                continue
            need = self.signs.signs[index].need
            if any(start < e and s < end for s, e in kept.get(need, ())):
                continue
            kept.setdefault(need, []).append((start, end))
            sign = self.signs.signs[index]
            span = doc[start:end]
            how = FoundBy(
                "safety_net",
                None,
                (span.start_char, span.end_char),
                f"warning sign: {sign.label} ({', '.join(self.signs.source_titles(sign))})",
            )
            added.append((start, end, need, how))
        add_mentions(
            doc, added, values=span_values(doc), self_evident_needs=self.signs.self_evident
        )
        return doc

    def _where_a_child_is_named(self, doc: Doc, columns, found: list[tuple[int, int, int]]):
        """``found`` without the child-safety signs of notes (of a packed doc) that name no
        child: an adult's injuries are no child-maltreatment indicator."""
        signs = self.signs.signs
        if not any(signs[index].need == CHILD_NEED for index, _, _ in found):
            return found
        notes = note_start_tokens(doc) or [0]
        named = {bisect_right(notes, t) - 1 for t in columns.where_lower(self._child_words)}
        return [
            (index, start, end)
            for index, start, end in found
            if signs[index].need != CHILD_NEED or bisect_right(notes, start) - 1 in named
        ]

    def _near_matches(self, columns, starts: list[int]) -> list[tuple[int, int, int]]:
        """Near rules: every group has a word within ``window`` tokens, in one sentence."""
        if not self._near:
            return []
        positions = columns.where_lower(self._near_words)
        if not positions:
            return []
        by_sentence: dict[int, list[int]] = {}
        for i in positions:
            by_sentence.setdefault(bisect_right(starts, i) - 1, []).append(i)
        lower = columns.lower
        matches = []
        for tokens in by_sentence.values():
            for index, window, groups in self._near:
                hits = [[i for i in tokens if lower[i] in group] for group in groups]
                if not all(hits):
                    continue
                span = _closest(hits, window)
                if span is not None:
                    matches.append((index, span[0], span[1] + 1))
        return matches


def _closest(hits: list[list[int]], window: int) -> tuple[int, int] | None:
    """The first and last token of the tightest choice of one hit per group, if it spans at
    most ``window`` tokens (hits are few, so trying each first hit is cheap)."""
    best = None
    for anchor in hits[0]:
        chosen = [anchor]
        for group in hits[1:]:
            chosen.append(min(group, key=lambda i: abs(i - anchor)))
        low, high = min(chosen), max(chosen)
        if high - low <= window and (best is None or high - low < best[1] - best[0]):
            best = (low, high)
    return best


@Language.factory(
    "safety_net",
    assigns=["doc.spans"],
    requires=["doc.sents", "doc.spans"],
    default_config={"signs_path": ""},
)
def make_safety_net(nlp: Language, name: str, signs_path: str) -> SafetyNet:
    return SafetyNet(nlp, name, signs_path=signs_path)
