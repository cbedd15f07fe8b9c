"""The ``need_classifier`` component: the trained sentence classifier adds needs the lexicon
missed.

For every sentence it scores each need (any status) with the logistic model of
:mod:`features._need_model`. Where a need scores at least ``floor`` and the lexicon found no
mention of it in that sentence, it adds a mention: its span is the word that weighs most
for the need (so that ConText reads negation, history, hypotheticals and other people
around it, as for any mention), its evidence the whole sentence. The extractor then keeps
the mentions that reach the need's threshold, and for safety needs returns those in the
band just below as ``possible``.
"""

from __future__ import annotations

import numpy as np
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

from features._mentions import FoundBy, add_mentions, keep_sentence_scores, mention_sentences
from features._need_model import load_need_model
from features._sentence_features import SentenceFeaturizer
from features._token_patterns import doc_columns
from features.components import span_values

__all__ = ["NeedClassifier"]


def _anchor_exclusions(rules_path: str) -> frozenset[int]:
    """LOWER hashes of words that must not carry a model mention: English stop words and
    one-word ConText triggers ("denies" as the mention would hide the negation it is)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from features._resources import load_context_rules

    words = set(STOP_WORDS)
    for rule in load_context_rules(rules_path or None).rules:
        words.update(p.lower() for p in rule.phrases if " " not in p)
    return frozenset(hash_string(w) for w in words)


class NeedClassifier:
    """Add model mentions to ``doc.spans["needs"]`` (see the module docstring)."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        model_path: str = "",
        rules_path: str = "",
        lexicon_path: str = "",
    ) -> None:
        from features._resources import load_lexicon

        self.name = name
        self.model = load_need_model(model_path or None)
        self.floor = self.model.lowest_threshold()
        self._featurizer = SentenceFeaturizer(
            known_words=self.model.known_words, **self.model.header.get("features", {})
        )
        self._weights: dict[int, np.ndarray | None] = {}  # LOWER hash -> weight per need
        self._excluded = _anchor_exclusions(rules_path)
        self._self_evident = frozenset(
            need for need, entry in load_lexicon(lexicon_path or None).items() if entry.self_evident
        )

    def __call__(self, doc: Doc) -> Doc:
        columns = doc_columns(doc)
        starts = columns.sentence_starts
        if not starts:
            return doc
        rows, keys = self._featurizer.features(doc, columns)
        probabilities = self.model.probabilities(rows, keys, len(starts))
        keep_sentence_scores(doc, self.model.needs, probabilities)
        found = mention_sentences(doc, starts)
        bounds = [*starts[1:], len(doc)]
        with_words = set(rows.tolist())
        by_sentence: dict[int, list[int]] = {}
        for sentence, need_index in zip(*(probabilities >= self.floor).nonzero(), strict=True):
            if sentence in with_words and (sentence, self.model.needs[need_index]) not in found:
                by_sentence.setdefault(int(sentence), []).append(int(need_index))
        added = []
        strings = doc.vocab.strings
        for sentence, need_indices in by_sentence.items():
            start, end = starts[sentence], bounds[sentence]
            tokens, weights = [], []
            for i in range(start, end):
                weight = self._token_weights(
                    strings, columns.orth[i], columns.lower[i], columns.is_space[i]
                )
                if weight is not None:
                    tokens.append(i)
                    weights.append(weight)
            if not tokens:
                continue
            best = np.argmax(np.vstack(weights)[:, need_indices], axis=0)
            evidence = self._evidence(doc, columns, start, end)
            for need_index, k in zip(need_indices, best.tolist(), strict=True):
                p = float(probabilities[sentence, need_index])
                how = FoundBy("model", p, evidence, f"sentence classifier, p={p:.2f}")
                anchor = tokens[k]
                added.append((anchor, anchor + 1, self.model.needs[need_index], how))
        add_mentions(doc, added, values=span_values(doc), self_evident_needs=self._self_evident)
        return doc

    def _token_weights(self, strings, orth: int, lower: int, is_space: int) -> np.ndarray | None:
        """The weight of a word (its word and prefix features) for each need, or None for a
        word that may not carry a mention (see :func:`_anchor_exclusions`, and names)."""
        if is_space or self._featurizer.names.is_name(strings, orth, lower):
            return None
        if lower not in self._weights:
            text = strings[lower]
            if lower in self._excluded or not any(c.isalnum() for c in text):
                self._weights[lower] = None
            else:
                keys = self._featurizer.word_keys(strings, lower)
                self._weights[lower] = self.model.weights_of(keys)
        return self._weights[lower]

    @staticmethod
    def _evidence(doc: Doc, columns, start: int, end: int) -> tuple[int, int]:
        """Character span of the sentence without its surrounding whitespace."""
        first = next(i for i in range(start, end) if not columns.is_space[i])
        last = next(i for i in range(end - 1, start - 1, -1) if not columns.is_space[i])
        token = doc[last]
        return doc[first].idx, token.idx + len(token.text)


@Language.factory(
    "need_classifier",
    assigns=["doc.spans"],
    requires=["doc.sents", "doc.spans"],
    default_config={"model_path": "", "rules_path": "", "lexicon_path": ""},
)
def make_need_classifier(
    nlp: Language, name: str, model_path: str, rules_path: str, lexicon_path: str
) -> NeedClassifier:
    return NeedClassifier(
        nlp, name, model_path=model_path, rules_path=rules_path, lexicon_path=lexicon_path
    )
