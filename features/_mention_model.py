"""The mention refiner's weights: a status head (softmax over "no need" and the four
statuses) and an experiencer head (logistic), over shared hashed features.

Stored like the sentence classifier (:mod:`features._need_model`): a NumPy ``.npz`` of
arrays and a JSON header, no pickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from features._array_file import read_arrays, write_arrays
from features._need_model import MODEL_FORMAT, feature_matrix
from features._resolution import Reading

__all__ = [
    "READING_CLASSES",
    "MentionModel",
    "default_mention_model_path",
    "load_mention_model",
    "phrase_key",
    "weak_reading",
]

#: The status head's classes, in the order of its weight columns.
READING_CLASSES = ("none", "present", "negated", "historical", "hypothetical")
_DEFAULT_FILE = "mention_refiner.npz"


def phrase_key(need: str, text: str) -> tuple[str, str]:
    """How a lexicon mention is named in the refiner's list of weak phrases."""
    return need, " ".join(text.lower().split())


def weak_reading(reading: Reading, drop_below: float) -> bool:
    """Whether a weak lexicon phrase the rules read as a present need counts: not where the
    refiner doubts it names a need here (``p_need < drop_below``, a bar chosen by
    cross-validation). Its status and experiencer stay the rules'."""
    return reading.p_need >= drop_below


def _matrix(features: list[list[int]], vocabulary: np.ndarray):
    rows = np.repeat(np.arange(len(features)), [len(f) for f in features])
    keys = np.array([k for f in features for k in f], dtype=np.uint64)
    return feature_matrix(rows, keys, len(features), vocabulary)


@dataclass(frozen=True, kw_only=True)
class MentionModel:
    vocabulary: np.ndarray
    status_weights: np.ndarray  # (n_features, len(READING_CLASSES))
    status_bias: np.ndarray
    other_weights: np.ndarray  # (n_features,)
    other_bias: float
    known_words: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    header: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def weak_phrases(self) -> frozenset[tuple[str, str]]:
        """``(need, phrase)`` of the lexicon phrases the refiner reads (see
        :func:`features.need_training._weak_phrases`); the rules' reading of the others stands."""
        return frozenset((need, phrase) for need, phrase in self.header.get("weak_phrases", ()))

    @property
    def weak_drop_below(self) -> float:
        """The refiner's probability of "a need" under which a weak phrase is dropped."""
        return float(self.header.get("weak_drop_below", 0.0))

    def probabilities(self, features: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """``(status, other)``: per mention, the class probabilities and P(someone else's)."""
        matrix = _matrix(features, self.vocabulary)
        logits = matrix @ self.status_weights + self.status_bias
        logits -= logits.max(axis=1, keepdims=True)
        status = np.exp(logits)
        status /= status.sum(axis=1, keepdims=True)
        other = 1.0 / (1.0 + np.exp(-(matrix @ self.other_weights + self.other_bias)))
        return status, other

    def read(self, features: list[list[int]]) -> list[Reading]:
        """A :class:`~features._resolution.Reading` per mention."""
        if not features:
            return []
        status, other = self.probabilities(features)
        readings = []
        for probabilities, p_other in zip(status.tolist(), other.tolist(), strict=True):
            p_none, p_present = probabilities[:2]
            experiencer = "other" if p_other >= 0.5 else "client"
            best = max(range(1, len(READING_CLASSES)), key=lambda k: probabilities[k])
            readings.append(
                Reading(
                    p_need=1.0 - p_none,
                    p_active=p_present * (1.0 - p_other),
                    status=READING_CLASSES[best],
                    experiencer=experiencer,
                )
            )
        return readings

    def save(self, path: str | Path) -> None:
        header = {"format": MODEL_FORMAT, "classes": list(READING_CLASSES), **self.header}
        write_arrays(
            path,
            header,
            vocabulary=self.vocabulary,
            status_weights=self.status_weights.astype(np.float32),
            status_bias=self.status_bias.astype(np.float32),
            other_weights=self.other_weights.astype(np.float32),
            other_bias=np.array([self.other_bias], dtype=np.float32),
            known_words=self.known_words.astype(np.uint64),
        )


def default_mention_model_path() -> Path:
    """The packaged model file."""
    return Path(__file__).resolve().parent / "data" / _DEFAULT_FILE


def load_mention_model(path: str | Path | None = None) -> MentionModel:
    """Read a refiner file (default: the packaged one); a wrong file is a ``ResourceError``."""
    from features._resources import ResourceError

    file = Path(path) if path else default_mention_model_path()
    header, arrays = read_arrays(file, "mention refiner")
    try:
        model = MentionModel(
            vocabulary=arrays["vocabulary"].astype(np.uint64),
            status_weights=arrays["status_weights"].astype(np.float32),
            status_bias=arrays["status_bias"].astype(np.float32),
            other_weights=arrays["other_weights"].astype(np.float32),
            other_bias=float(arrays["other_bias"][0]),
            known_words=arrays["known_words"].astype(np.uint64),
            header=header,
        )
    except KeyError as exc:
        raise ResourceError(f"{file}: not a mention refiner file (no {exc})") from exc
    if header.get("format") != MODEL_FORMAT or header.get("classes") != list(READING_CLASSES):
        raise ResourceError(f"{file}: an old format: retrain it with `casetriage train-needs`")
    n = len(model.vocabulary)
    if model.status_weights.shape != (n, len(READING_CLASSES)) or model.other_weights.shape != (n,):
        raise ResourceError(f"{file}: weights do not match the vocabulary")
    return model
