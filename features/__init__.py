"""Needs extraction from intake notes (spaCy + ConText), and its evaluation.

Public API::

    from features import get_extractor
    get_extractor().extract("Cl staying at shelter, denies SI/HI.")

The risk model's features are built from these needs in ``models`` (``models._featurize``).

Importing this package loads no model and reads no file: the pipeline is built on the first
call to :func:`get_extractor`.
"""

from importlib import import_module
from typing import Any

#: public name -> module that defines it; imported on first use, so that ``casetriage
#: extract`` pays only for what it uses at start-up
_EXPORTS = {
    "NeedsEvaluation": "features.evaluation",
    "NeedsExtractor": "features.extractor",
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
