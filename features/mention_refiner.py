"""The ``mention_refiner`` component: a trained second reading of each mention's status.

ConText's rules read negation, history, hypotheticals and other people from trigger words
in reach; on notes written by other people they miss as often as they hold (a heading
"Substance use" read as a present need, "laid off in 2023, full time since" read as
present). The refiner is a multinomial logistic model over :mod:`features._mention_features`
(ConText's own reading among them) that gives each mention a probability of being no need
at all and of each status, and a probability that it is someone else's. It reads the
classifier's and the safety net's mentions, and the lexicon's only for the model's *weak
phrases*: words the rules read as a present need that the training notes show name a
service or a topic more often ("counselor", "shelter", "rehab"). The extractor uses its
readings of the trained parts' mentions in place of ConText's; of a weak phrase it uses only
whether the refiner reads a need there at all (the rules' status stands), and it keeps the
rules' reading of every other lexicon phrase.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from features._mention_features import MentionView, mention_features
from features._mention_model import load_mention_model, phrase_key
from features._mentions import NEEDS_SPAN_KEY, drop_sentence_scores, found_by, sentence_score
from features._resolution import Reading
from features._sentence_features import section_headings
from features._token_patterns import doc_columns, drop_columns
from features._vocabulary import NAME, NameFolder, known_words
from features.components import span_values

__all__ = ["MentionRefiner", "mention_readings", "recorded_features"]

_READINGS_KEY = ("casetriage", "mention_readings")
_FEATURES_KEY = ("casetriage", "mention_features")


def mention_readings(doc: Doc) -> dict[tuple[str, int, int], Reading]:
    """``(need, start_char, end_char) -> Reading`` for the mentions of ``doc``."""
    return doc.user_data.get(_READINGS_KEY, {})


def recorded_features(doc: Doc) -> dict[tuple[str, int, int], list[int]]:
    """The mention features recorded for training (``record_features=True``)."""
    return doc.user_data.get(_FEATURES_KEY, {})


class MentionRefiner:
    """Read each mention again with the trained model (see the module docstring).

    With ``model_path="none"`` no model is loaded and each mention's features are kept in
    ``doc.user_data`` instead, for :mod:`features.need_training`.
    """

    def __init__(self, nlp: Language, name: str, *, model_path: str = "") -> None:
        self.name = name
        self.model = None if model_path == "none" else load_mention_model(model_path or None)
        self._names = NameFolder(self.model.known_words if self.model else known_words())

    def _weak(self, span, values) -> bool:
        """A weak phrase the rules read as present for the client (see the module doc)."""
        chars = span.start_char, span.end_char
        return (
            phrase_key(span.label_, span.text) in self.model.weak_phrases
            and values.get(chars, "status") == "present"
            and values.get(chars, "experiencer") == "client"
        )

    def __call__(self, doc: Doc) -> Doc:
        spans = doc.spans.get(NEEDS_SPAN_KEY, ())
        if not spans:
            return doc
        columns = doc_columns(doc)
        drop_columns(doc)
        strings = doc.vocab.strings
        starts = columns.sentence_starts
        bounds = [*starts[1:], len(doc)]
        sections = section_headings(doc, columns)
        values = span_values(doc)
        added = found_by(doc)

        def words(a: int, b: int) -> list[str]:
            return [
                NAME
                if self._names.is_name(strings, columns.orth[t], columns.lower[t])
                else strings[columns.lower[t]]
                for t in range(a, b)
                if not columns.is_space[t]
            ]

        keys, features = [], []
        for span in spans:
            chars = span.start_char, span.end_char
            key = (span.label_, *chars)
            how = added.get(key)
            if how is None and self.model is not None and not self._weak(span, values):
                continue  # the rules' reading of a lexicon mention stands
            i = bisect_right(starts, span.start) - 1
            s0, s1 = starts[i], bounds[i]
            view = MentionView(
                need=span.label_,
                status=values.get(chars, "status"),
                experiencer=values.get(chars, "experiencer"),
                source=how.source if how else "lexicon",
                probability=sentence_score(doc, i, span.label_),
                modifiers=tuple(m[0] for m in values.get(chars, "modifiers")),
                before=words(s0, span.start),
                inside=words(span.start, span.end),
                after=words(span.end, s1),
                sentence=words(s0, s1),
                heading=[strings[w] for w in sections[i].words],
                is_heading_line=sections[i].is_heading,
            )
            keys.append(key)
            features.append(mention_features(view))
        drop_sentence_scores(doc)
        if self.model is None:
            doc.user_data[_FEATURES_KEY] = dict(zip(keys, features, strict=True))
        else:
            readings = self.model.read(features)
            doc.user_data[_READINGS_KEY] = dict(zip(keys, readings, strict=True))
        return doc


@Language.factory(
    "mention_refiner",
    assigns=["doc.user_data"],
    requires=["doc.spans"],
    default_config={"model_path": ""},
)
def make_mention_refiner(nlp: Language, name: str, model_path: str) -> MentionRefiner:
    return MentionRefiner(nlp, name, model_path=model_path)
