"""Needs extraction from intake notes (spaCy + ConText) and the features built on it.

Public API::

    from features import get_extractor, NeedsFeaturizer
    get_extractor().extract("Cl staying at shelter, denies SI/HI.")
    NeedsFeaturizer().fit_transform(df)       # df with a 'note' or a 'needs' column

Importing this package loads no model and reads no file: the pipeline is built on the first
call to :func:`get_extractor`.
"""

from importlib import import_module
from typing import Any

#: public name -> module that defines it; imported on first use, so that ``casetriage
#: extract`` does not pay for scikit-learn (the featurizer) at start-up
_EXPORTS = {
    "FEATURE_NAMES": "features.featurizer",
    "NeedsEvaluation": "features.evaluation",
    "NeedsExtractor": "features.extractor",
    "NeedsFeaturizer": "features.featurizer",
    "evaluate_extractions": "features.evaluation",
    "get_extractor": "features.extractor",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'features' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
