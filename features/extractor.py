"""Extract a note's needs: one entry per need, with evidence span, status and experiencer."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.schemas import NEEDS, SAFETY_NEEDS
from features._resolution import Bars, Candidate, choose

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["NeedsExtractor", "get_extractor"]

#: the bars the refiner's header sets (the classifier's own come from its header)
_REFINER_BARS = ("active", "active_possible")
_CHUNK_CHARS = 100_000
_PACK_CHARS = 16_000
_NOTE_SEPARATOR = "\n\n"


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
    **parts
        What :func:`features.pipeline.build_pipeline` takes: other data files than the
        packaged ones (``lexicon_path``, ``rules_path``, ``model_path``, ``signs_path``,
        ``refiner_path``; for experiments, keep them versioned) and which parts run
        (``lexicon``, ``classifier``, ``safety_net``, ``refiner``; all by default, leaving
        some out exists to compare them).
    bars : dict, optional
        :class:`~features._resolution.Bars` per need instead of the trained models' own.
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
        bars: dict[str, Bars] | None = None,
        chunk_chars: int = _CHUNK_CHARS,
        pack_chars: int = _PACK_CHARS,
        **parts: Any,
    ) -> None:
        from features._resources import load_icd_codes
        from features.pipeline import build_pipeline

        self.nlp = build_pipeline(**parts)
        self.bars = bars if bars is not None else self._trained_bars()
        refiner = self._refiner_model()
        self._weak_drop_below = refiner.weak_drop_below if refiner is not None else 0.0
        # the packaged codes are verified against simple_icd_10_cm by the test suite
        self.codes = load_icd_codes(verify=False)
        self.chunk_chars = chunk_chars
        self.pack_chars = pack_chars

    def _refiner_model(self):
        names = self.nlp.pipe_names
        return self.nlp.get_pipe("mention_refiner").model if "mention_refiner" in names else None

    def _trained_bars(self) -> dict[str, Bars]:
        """Each need's bars as the trained models' headers give them."""
        names = self.nlp.pipe_names
        model = self.nlp.get_pipe("need_classifier").model if "need_classifier" in names else None
        refiner = self._refiner_model()
        bars = refiner.header.get("bars", {}) if refiner is not None else {}
        return {
            need: Bars(
                threshold=model.thresholds.get(need) if model else None,
                possible_threshold=model.possible_thresholds.get(need) if model else None,
                **{k: v for k, v in bars.get(need, {}).items() if k in _REFINER_BARS},
            )
            for need in NEEDS
        }

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

        Each need is a dict matching :class:`core.schemas.ExtractedNeed`:
        ``need, status, experiencer, start, end, evidence, code, safety, confidence,
        source, basis``, where ``evidence == text[start:end]``. With ``mentions=True``
        each also carries ``mentions``: every mention of that need that counted (span,
        status, experiencer, source), for highlighting. Texts are streamed through
        ``nlp.pipe`` in batches.
        """
        for found in self.candidates_many(texts, batch_size=batch_size):
            yield self._resolve(found, mentions)

    def candidates_many(
        self, texts: Iterable[str], *, batch_size: int = 64
    ) -> Iterator[list[Candidate]]:
        """Yield, for each text, every mention found, before any threshold or choice."""
        from features._mention_model import weak_reading
        from features._mentions import found_by
        from features._sentence_features import mark_note_starts
        from features.components import NEEDS_SPAN_KEY, span_values
        from features.mention_refiner import mention_readings, recorded_features
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
                mark_note_starts(doc, [piece.start for piece in placed])
                yield doc, (text, placed)

        found: dict[int, list[Candidate]] = {}
        done = 0  # texts before this one have all been yielded
        pipe = self.nlp.pipe(docs(), as_tuples=True, batch_size=batch_size)
        for doc, (text, placed) in pipe:
            starts = [piece.start for piece in placed]
            values = span_values(doc)
            added, readings, recorded = found_by(doc), mention_readings(doc), recorded_features(doc)
            for span in doc.spans.get(NEEDS_SPAN_KEY, ()):
                chars = start, end = span.start_char, span.end_char
                key = (span.label_, start, end)
                piece = placed[bisect_right(starts, start) - 1]
                shift = piece.offset - piece.start
                how = added.get(key)
                source, probability, basis = "lexicon", None, "a phrase of the needs lexicon"
                if how is not None:
                    start, end = how.evidence
                    source, probability, basis = how.source, how.probability, how.basis
                reading = readings.get(key)
                rule_reading = values.get(chars, "status"), values.get(chars, "experiencer")
                status, experiencer = rule_reading
                if reading is not None and how is None:  # a weak phrase of the lexicon
                    if not weak_reading(reading, self._weak_drop_below):
                        continue  # the refiner doubts it names a need here
                    reading, basis = None, "a phrase of the needs lexicon, a need in its context"
                if reading is not None:
                    status, experiencer = reading.status, reading.experiencer
                found.setdefault(piece.index, []).append(
                    Candidate(
                        need=span.label_,
                        status=status,
                        experiencer=experiencer,
                        start=start + shift,
                        end=end + shift,
                        evidence=text[start:end],
                        source=source,
                        probability=probability,
                        basis=basis,
                        reading=reading,
                        features=tuple(recorded.get(key, ())),
                        rule_reading=rule_reading,
                    )
                )
            # the last text of a pack may go on in the next one (a long note's chunks)
            for index in range(done, placed[-1].index):
                yield found.pop(index, [])
            done = placed[-1].index
        for index in range(done, seen[0]):
            yield found.pop(index, [])

    def _resolve(self, found: list[Candidate], mentions: bool) -> list[dict[str, Any]]:
        by_need: dict[str, list[Candidate]] = {}
        for mention in found:
            by_need.setdefault(mention.need, []).append(mention)
        needs = []
        for need, group in by_need.items():
            choice = choose(group, bars=self.bars.get(need, Bars()), safety=need in SAFETY_NEEDS)
            if choice is None:
                continue
            chosen = choice.chosen
            result = {
                "need": need,
                "status": chosen.status,
                "experiencer": chosen.experiencer,
                "start": chosen.start,
                "end": chosen.end,
                "evidence": chosen.evidence,
                "code": self.codes[need],
                "safety": need in SAFETY_NEEDS,
                "confidence": choice.confidence,
                "source": chosen.source,
                "basis": chosen.basis,
            }
            if mentions:
                result["mentions"] = [
                    {
                        "start": m.start,
                        "end": m.end,
                        "evidence": m.evidence,
                        "status": m.status,
                        "experiencer": m.experiencer,
                        "source": m.source,
                    }
                    for m in choice.kept
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
