"""Build the needs pipeline: blank English tokenizer, sentence bounds, the finders, ConText."""

from __future__ import annotations

from spacy.language import Language

__all__ = ["MAX_DOC_CHARS", "build_pipeline"]

#: Longest text one Doc holds; longer notes are split into chunks by the extractor.
MAX_DOC_CHARS = 1_000_000


def build_pipeline(
    *,
    lexicon_path: str = "",
    rules_path: str = "",
    model_path: str = "",
    signs_path: str = "",
    refiner_path: str = "",
    lexicon: bool = True,
    classifier: bool = True,
    safety_net: bool = True,
    refiner: bool = True,
) -> Language:
    """A fresh ``spacy.blank("en")`` pipeline with the needs components (no downloads).

    The finders add need mentions in turn: the lexicon's phrases (``need_matcher``), the
    trained sentence classifier where the lexicon found nothing (``need_classifier``), the
    safety net's warning signs (``safety_net``); ``need_context`` then gives every mention
    its status and experiencer by rule, and ``mention_refiner`` reads each again with its
    trained model (``refiner_path="none"``: it only records the model's input, for training).
    """
    import spacy

    # importing the modules registers their factories
    import features.components
    import features.mention_refiner
    import features.need_classifier
    import features.safety_net
    import features.sentence_bounds  # noqa: F401

    nlp = spacy.blank("en")
    nlp.max_length = MAX_DOC_CHARS
    nlp.add_pipe("sentence_bounds", config={"rules_path": rules_path})
    if lexicon:
        nlp.add_pipe("need_matcher", config={"lexicon_path": lexicon_path})
    if classifier:
        nlp.add_pipe(
            "need_classifier",
            config={
                "model_path": model_path,
                "rules_path": rules_path,
                "lexicon_path": lexicon_path,
            },
        )
    if safety_net:
        nlp.add_pipe("safety_net", config={"signs_path": signs_path})
    nlp.add_pipe("need_context", config={"rules_path": rules_path})
    if refiner:
        nlp.add_pipe("mention_refiner", config={"model_path": refiner_path})
    return nlp
