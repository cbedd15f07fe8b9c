"""The trained sentence classifier's weights: one logistic model per need over hashed features.

Stored as a NumPy ``.npz`` (arrays only, no pickle, so loading it runs no code) holding the
sorted feature hashes, a weight matrix (features x needs), the biases, and a JSON header with
the needs' order, their decision thresholds and how the model was trained (corpus and config
hashes, cross-validated figures). :func:`feature_matrix` is the one transform from feature
occurrences to the model's input, used by training and by scoring alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from features._array_file import read_arrays, write_arrays

__all__ = [
    "MODEL_FORMAT",
    "NeedModel",
    "default_model_path",
    "feature_matrix",
    "load_need_model",
]

#: Bumped when the featurizer or this file's layout changes: an old model must be retrained.
MODEL_FORMAT = 1
_DEFAULT_FILE = "need_classifier.npz"


def feature_matrix(
    rows: np.ndarray, keys: np.ndarray, n_rows: int, vocabulary: np.ndarray
) -> sparse.csr_matrix:
    """Binary presence of each known feature per row, each row scaled to unit length.

    ``vocabulary`` is the sorted array of feature hashes the model knows; the others are
    dropped before scaling, so a row is scaled the same way in training and in scoring.
    """
    if len(keys) == 0 or len(vocabulary) == 0:
        return sparse.csr_matrix((n_rows, len(vocabulary)), dtype=np.float32)
    slots = np.searchsorted(vocabulary, keys).clip(max=len(vocabulary) - 1)
    known = vocabulary[slots] == keys
    cells = np.unique(rows[known] * len(vocabulary) + slots[known])
    cell_rows, cell_cols = np.divmod(cells, len(vocabulary))
    counts = np.bincount(cell_rows, minlength=n_rows)
    values = (1.0 / np.sqrt(counts[cell_rows])).astype(np.float32)
    return sparse.csr_matrix(
        (values, (cell_rows, cell_cols)), shape=(n_rows, len(vocabulary)), dtype=np.float32
    )


@dataclass(frozen=True, kw_only=True)
class NeedModel:
    """Weights and thresholds of the sentence classifier (see the module docstring).

    ``thresholds[need]``: a sentence at or above it states the need (any status).
    ``possible_thresholds[need]``: for safety needs, the lower bar at which the need is
    returned as ``possible`` for a person to check.
    """

    needs: tuple[str, ...]
    vocabulary: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    thresholds: dict[str, float]
    possible_thresholds: dict[str, float] = field(default_factory=dict)
    known_words: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    header: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: np.ndarray, keys: np.ndarray, n_rows: int) -> np.ndarray:
        """``(n_rows, len(needs))`` probabilities from feature occurrences."""
        matrix = feature_matrix(rows, keys, n_rows, self.vocabulary)
        logits = matrix @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def weights_of(self, keys: list[int]) -> np.ndarray:
        """Sum of the weights of these features, per need (0 for unknown features)."""
        wanted = np.array(keys, dtype=np.uint64)
        if len(wanted) == 0 or len(self.vocabulary) == 0:
            return np.zeros(len(self.needs), dtype=np.float32)
        slots = np.searchsorted(self.vocabulary, wanted).clip(max=len(self.vocabulary) - 1)
        known = self.vocabulary[slots] == wanted
        return self.weights[slots[known]].sum(axis=0)

    def lowest_threshold(self) -> float:
        return min([*self.thresholds.values(), *self.possible_thresholds.values()])

    def save(self, path: str | Path) -> None:
        header = {
            "format": MODEL_FORMAT,
            "needs": list(self.needs),
            "thresholds": self.thresholds,
            "possible_thresholds": self.possible_thresholds,
            **self.header,
        }
        write_arrays(
            path,
            header,
            vocabulary=self.vocabulary,
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            known_words=self.known_words.astype(np.uint64),
        )


def default_model_path() -> Path:
    """The packaged model file."""
    return Path(__file__).resolve().parent / "data" / _DEFAULT_FILE


def load_need_model(path: str | Path | None = None) -> NeedModel:
    """Read a model file (default: the packaged one); a wrong file is a ``ResourceError``."""
    from features._resources import ResourceError

    file = Path(path) if path else default_model_path()
    header, arrays = read_arrays(file, "needs classifier")
    try:
        vocabulary, weights, bias = arrays["vocabulary"], arrays["weights"], arrays["bias"]
        known_words = arrays["known_words"]
    except KeyError as exc:
        raise ResourceError(f"{file}: not a needs classifier file (no {exc})") from exc
    if header.get("format") != MODEL_FORMAT:
        raise ResourceError(
            f"{file}: format {header.get('format')!r}, expected {MODEL_FORMAT}: "
            "retrain it with `casetriage train-needs`"
        )
    needs = tuple(header.pop("needs"))
    if weights.shape != (len(vocabulary), len(needs)) or bias.shape != (len(needs),):
        raise ResourceError(f"{file}: weights do not match the vocabulary and needs")
    return NeedModel(
        needs=needs,
        vocabulary=vocabulary.astype(np.uint64),
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        thresholds=header.pop("thresholds"),
        possible_thresholds=header.pop("possible_thresholds", {}),
        known_words=known_words.astype(np.uint64),
        header=header,
    )
