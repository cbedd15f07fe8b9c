"""Build the needs pipeline: blank English tokenizer, sentence splitter, matcher, ConText."""

from __future__ import annotations

from spacy.language import Language

__all__ = ["MAX_DOC_CHARS", "build_pipeline", "sentence_punct_chars"]

#: Longest text one Doc holds; longer notes are split into chunks by the extractor.
MAX_DOC_CHARS = 1_000_000


def sentence_punct_chars() -> list[str]:
    """Sentence-final tokens: ., !, ; is not one (a clause terminator instead), nor ? (so a
    questionnaire answer stays in the sentence of its question), plus line breaks, so that
    headings and telegraphic lines end a sentence."""
    from spacy.pipeline import Sentencizer

    chars = [c for c in Sentencizer.default_punct_chars if c not in {"?", "？", "؟"}]
    breaks = set()
    for newline in ("\n", "\r\n"):
        for count in range(1, 5):
            for before in ("", " ", "  ", "\t"):
                for after in ("", " ", "  ", "   ", "    ", "\t"):
                    breaks.add(before + newline * count + after)
    return chars + sorted(breaks)


def build_pipeline(*, lexicon_path: str = "", rules_path: str = "") -> Language:
    """A fresh ``spacy.blank("en")`` pipeline with the needs components (no downloads)."""
    import spacy

    import features.components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.max_length = MAX_DOC_CHARS
    nlp.add_pipe("sentencizer", config={"punct_chars": sentence_punct_chars()})
    nlp.add_pipe("telegraphic_breaks", config={"rules_path": rules_path})
    nlp.add_pipe("need_matcher", config={"lexicon_path": lexicon_path})
    nlp.add_pipe("need_context", config={"rules_path": rules_path})
    return nlp
