"""Extract a note's needs: one entry per need, with evidence span, status and experiencer."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from casetriage.schemas import SAFETY_NEEDS

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["NeedsExtractor", "get_extractor", "resolve_mentions"]

#: Order used when one need is mentioned several times: the higher, the more it wins.
STATUS_PRIORITY = {"present": 3, "hypothetical": 2, "historical": 1, "negated": 0}
_CHUNK_CHARS = 100_000
_PACK_CHARS = 16_000
_NOTE_SEPARATOR = "\n\n"


def resolve_mentions(mentions: list[dict[str, Any]]) -> dict[str, Any]:
    """Choose the one mention that stands for a need mentioned several times in a note.

    Rule: an active mention (present, client) beats everything, because missing a present
    need costs more than a false alarm a person will review; then client beats other; then
    status by ``present > hypothetical > historical > negated``; then the earliest mention.
    """
    return max(mentions, key=lambda m: _rank(m["status"], m["experiencer"], m["start"]))


def _rank(status: str, experiencer: str, start: int) -> tuple[bool, bool, int, int]:
    """The order of :func:`resolve_mentions`: the highest ranked mention stands for its need."""
    client = experiencer == "client"
    return (client and status == "present", client, STATUS_PRIORITY[status], -start)


class _Mention(NamedTuple):
    need: str
    status: str
    experiencer: str
    start: int
    end: int
    evidence: str


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


@dataclass(frozen=True, slots=True)
class _Piece:
    """A note, or a chunk of a long one, placed in a pack."""

    index: int  # which text it comes from
    offset: int  # where it starts in that text
    start: int  # where it starts in the pack


def _packs(pieces: Iterable[tuple[int, int, str]], size: int) -> Iterator[tuple[str, list[_Piece]]]:
    """Join consecutive pieces with a blank line into texts of about ``size`` chars.

    spaCy's per-Doc costs (one call per component, arrays, matcher set-up) are larger than
    the per-token work on a short note; one Doc per pack pays them once for many notes.
    Whitespace always separates tokens, so each piece tokenizes as it would alone, and the
    sentence splitter starts a sentence at each piece, so no rule reaches across notes.
    """
    parts: list[str] = []
    placed: list[_Piece] = []
    length = 0
    for index, offset, chunk in pieces:
        if placed and length + len(chunk) > size:
            yield _NOTE_SEPARATOR.join(parts), placed
            parts, placed, length = [], [], 0
        start = length + len(_NOTE_SEPARATOR) if placed else 0
        parts.append(chunk)
        placed.append(_Piece(index, offset, start))
        length = start + len(chunk)
    if placed:
        yield _NOTE_SEPARATOR.join(parts), placed


class NeedsExtractor:
    """Runs the spaCy needs pipeline and turns its mentions into per-need results.

    Parameters
    ----------
    lexicon_path, rules_path : str, optional
        Other data files than the packaged ones (for experiments; keep them versioned).
    chunk_chars : int
        Notes longer than this are processed in chunks cut at line or sentence breaks,
        with offsets kept relative to the whole note, so memory stays bounded.
    pack_chars : int
        Short notes are processed together, several to a ``Doc`` of about this many chars
        (each in sentences of its own), which pays spaCy's per-``Doc`` costs once for all.
    """

    def __init__(
        self,
        *,
        lexicon_path: str = "",
        rules_path: str = "",
        chunk_chars: int = _CHUNK_CHARS,
        pack_chars: int = _PACK_CHARS,
    ) -> None:
        from features._resources import load_icd_codes
        from features.pipeline import build_pipeline

        self.nlp = build_pipeline(lexicon_path=lexicon_path, rules_path=rules_path)
        # the packaged codes are verified against simple_icd_10_cm by the test suite
        self.codes = load_icd_codes(verify=False)
        self.chunk_chars = chunk_chars
        self.pack_chars = pack_chars

    def resized(
        self, *, chunk_chars: int | None = None, pack_chars: int | None = None
    ) -> NeedsExtractor:
        """The same pipeline with other chunk or pack sizes (the pipeline is shared)."""
        from copy import copy

        other = copy(self)
        other.chunk_chars = chunk_chars or self.chunk_chars
        other.pack_chars = pack_chars or self.pack_chars
        return other

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
        from features.components import NEEDS_SPAN_KEY, span_values
        from features.sentence_bounds import start_sentences_at

        seen = [0]  # how many texts have been read

        def pieces() -> Iterator[tuple[int, int, str]]:
            for index, text in enumerate(texts):
                if not isinstance(text, str):
                    raise TypeError(f"text #{index} is {type(text).__name__}, expected str")
                seen[0] = index + 1
                for offset, chunk in _chunks(text, self.chunk_chars):
                    yield index, offset, chunk

        def docs() -> Iterator[tuple[Doc, tuple[str, list[_Piece]]]]:
            for text, placed in _packs(pieces(), self.pack_chars):
                doc = self.nlp.make_doc(text)
                start_sentences_at(doc, [piece.start for piece in placed[1:]])
                yield doc, (text, placed)

        found: dict[int, list[_Mention]] = {}
        done = 0  # texts before this one have all been yielded
        pipe = self.nlp.pipe(docs(), as_tuples=True, batch_size=batch_size)
        for doc, (text, placed) in pipe:
            starts = [piece.start for piece in placed]
            values = span_values(doc)
            for span in doc.spans.get(NEEDS_SPAN_KEY, ()):
                chars = start, end = span.start_char, span.end_char
                piece = placed[bisect_right(starts, start) - 1]
                shift = piece.offset - piece.start
                found.setdefault(piece.index, []).append(
                    _Mention(
                        span.label_,
                        values.get(chars, "status"),
                        values.get(chars, "experiencer"),
                        start + shift,
                        end + shift,
                        text[start:end],
                    )
                )
            # the last text of a pack may go on in the next one (a long note's chunks)
            for index in range(done, placed[-1].index):
                yield self._resolve(found.pop(index, []), mentions)
            done = placed[-1].index
        for index in range(done, seen[0]):
            yield self._resolve(found.pop(index, []), mentions)

    def _resolve(self, found: list[_Mention], mentions: bool) -> list[dict[str, Any]]:
        by_need: dict[str, list[_Mention]] = {}
        for mention in found:
            by_need.setdefault(mention.need, []).append(mention)
        needs = []
        for need, group in by_need.items():
            chosen = max(group, key=lambda m: _rank(m.status, m.experiencer, m.start))
            result = chosen._asdict()
            result["code"] = self.codes[need]
            result["safety"] = need in SAFETY_NEEDS
            if mentions:
                result["mentions"] = [
                    {
                        "start": m.start,
                        "end": m.end,
                        "evidence": m.evidence,
                        "status": m.status,
                        "experiencer": m.experiencer,
                    }
                    for m in group
                ]
            needs.append(result)
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
