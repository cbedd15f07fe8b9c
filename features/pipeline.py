"""Build the needs pipeline: blank English tokenizer, sentence bounds, matcher, ConText."""

from __future__ import annotations

from spacy.language import Language

__all__ = ["MAX_DOC_CHARS", "build_pipeline"]

#: Longest text one Doc holds; longer notes are split into chunks by the extractor.
MAX_DOC_CHARS = 1_000_000


def build_pipeline(*, lexicon_path: str = "", rules_path: str = "") -> Language:
    """A fresh ``spacy.blank("en")`` pipeline with the needs components (no downloads)."""
    import spacy

    import features.components  # registers the factories, as does the next import
    import features.sentence_bounds  # noqa: F401

    nlp = spacy.blank("en")
    nlp.max_length = MAX_DOC_CHARS
    nlp.add_pipe("sentence_bounds", config={"rules_path": rules_path})
    nlp.add_pipe("need_matcher", config={"lexicon_path": lexicon_path})
    nlp.add_pipe("need_context", config={"rules_path": rules_path})
    return nlp
