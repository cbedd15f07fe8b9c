"""Needs extraction from intake notes (spaCy + ConText) and the features built on it.

Public API::

    from features import get_extractor, NeedsFeaturizer
    get_extractor().extract("Cl staying at shelter, denies SI/HI.")
    NeedsFeaturizer().fit_transform(df)       # df with a 'note' or a 'needs' column

Importing this package loads no model and reads no file: the pipeline is built on the first
call to :func:`get_extractor`.
"""

from features.evaluation import NeedsEvaluation, evaluate_extractions
from features.extractor import NeedsExtractor, get_extractor, resolve_mentions
from features.featurizer import FEATURE_NAMES, NeedsFeaturizer

__all__ = [
    "FEATURE_NAMES",
    "NeedsEvaluation",
    "NeedsExtractor",
    "NeedsFeaturizer",
    "evaluate_extractions",
    "get_extractor",
    "resolve_mentions",
]
