"""Extract a note's needs: one entry per need, with evidence span, status and experiencer."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from casetriage.schemas import SAFETY_NEEDS

__all__ = ["NeedsExtractor", "get_extractor", "resolve_mentions"]

#: Order used when one need is mentioned several times: the higher, the more it wins.
STATUS_PRIORITY = {"present": 3, "hypothetical": 2, "historical": 1, "negated": 0}
_CHUNK_CHARS = 100_000


def resolve_mentions(mentions: list[dict[str, Any]]) -> dict[str, Any]:
    """Choose the one mention that stands for a need mentioned several times in a note.

    Rule: an active mention (present, client) beats everything, because missing a present
    need costs more than a false alarm a person will review; then client beats other; then
    status by ``present > hypothetical > historical > negated``; then the earliest mention.
    """
    return max(
        mentions,
        key=lambda m: (
            m["status"] == "present" and m["experiencer"] == "client",
            m["experiencer"] == "client",
            STATUS_PRIORITY[m["status"]],
            -m["start"],
        ),
    )


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Split a long text at line or sentence breaks into chunks of at most ``size`` chars."""
    offset = 0
    while len(text) - offset > size:
        window = text[offset : offset + size]
        cut = max(window.rfind("\n"), window.rfind(". "))
        cut = cut + 1 if cut > size // 2 else window.rfind(" ") + 1 or size
        yield offset, text[offset : offset + cut]
        offset += cut
    yield offset, text[offset:]


class NeedsExtractor:
    """Runs the spaCy needs pipeline and turns its mentions into per-need results.

    Parameters
    ----------
    lexicon_path, rules_path : str, optional
        Other data files than the packaged ones (for experiments; keep them versioned).
    chunk_chars : int
        Notes longer than this are processed in chunks cut at line or sentence breaks,
        with offsets kept relative to the whole note, so memory stays bounded.
    """

    def __init__(
        self, *, lexicon_path: str = "", rules_path: str = "", chunk_chars: int = _CHUNK_CHARS
    ) -> None:
        from features._resources import load_icd_codes
        from features.pipeline import build_pipeline

        self.nlp = build_pipeline(lexicon_path=lexicon_path, rules_path=rules_path)
        self.codes = load_icd_codes()
        self.chunk_chars = chunk_chars

    def extract(self, text: str, *, mentions: bool = False) -> list[dict[str, Any]]:
        """The needs of one note (see :meth:`extract_many`)."""
        return next(self.extract_many([text], mentions=mentions))

    def extract_many(
        self, texts: Iterable[str], *, batch_size: int = 64, mentions: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield, for each text, its needs sorted by evidence offset.

        Each need is a dict matching :class:`casetriage.schemas.ExtractedNeed`:
        ``need, status, experiencer, start, end, evidence, code, safety``, where
        ``evidence == text[start:end]``. With ``mentions=True`` each also carries
        ``mentions``: every mention of that need (span, status, experiencer), for
        highlighting. Texts are streamed through ``nlp.pipe`` in batches.
        """
        from features.components import NEEDS_SPAN_KEY

        def pieces() -> Iterator[tuple[int, int, str]]:
            for index, text in enumerate(texts):
                if not isinstance(text, str):
                    raise TypeError(f"text #{index} is {type(text).__name__}, expected str")
                for offset, chunk in _chunks(text, self.chunk_chars):
                    yield index, offset, chunk

        current, found, source = 0, [], ""
        stream = pieces()
        tagged = ((chunk, (index, offset)) for index, offset, chunk in stream)
        for doc, (index, offset) in self.nlp.pipe(tagged, as_tuples=True, batch_size=batch_size):
            while index > current:
                yield self._resolve(found, mentions)
                current, found = current + 1, []
            for span in doc.spans.get(NEEDS_SPAN_KEY, []) if NEEDS_SPAN_KEY in doc.spans else []:
                start = offset + span.start_char
                end = offset + span.end_char
                source = span.text
                extensions = span._  # one Underscore per span: creating one is not free
                found.append(
                    {
                        "need": span.label_,
                        "status": extensions.status,
                        "experiencer": extensions.experiencer,
                        "start": start,
                        "end": end,
                        "evidence": source,
                    }
                )
        yield self._resolve(found, mentions)

    def _resolve(self, found: list[dict[str, Any]], mentions: bool) -> list[dict[str, Any]]:
        by_need: dict[str, list[dict[str, Any]]] = {}
        for mention in found:
            by_need.setdefault(mention["need"], []).append(mention)
        needs = []
        for need, group in by_need.items():
            chosen = dict(resolve_mentions(group))
            chosen["code"] = self.codes[need]
            chosen["safety"] = need in SAFETY_NEEDS
            if mentions:
                chosen["mentions"] = [
                    {k: m[k] for k in ("start", "end", "evidence", "status", "experiencer")}
                    for m in group
                ]
            needs.append(chosen)
        needs.sort(key=lambda n: (n["start"], n["need"]))
        return needs


_lock = threading.Lock()
_extractor: NeedsExtractor | None = None


def get_extractor() -> NeedsExtractor:
    """The process-wide extractor, built on first use (not at import) and then reused."""
    global _extractor
    if _extractor is None:
        with _lock:
            if _extractor is None:
                _extractor = NeedsExtractor()
    return _extractor
