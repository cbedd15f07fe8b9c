"""CPython's collector walks the long-lived startup heap on every full collection.

A worker's libraries, model and roster live as long as the process, so moving them to
the permanent generation, and collecting the young generation less often, keeps
collections short while a request builds many small objects (see ``docs/serving.md``).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_GENERATION_THRESHOLD", "freeze_startup_heap"]

#: allocations between young-generation collections (CPython's default is 700)
YOUNG_GENERATION_THRESHOLD = 10_000


def freeze_startup_heap() -> None:
    """Freeze everything allocated so far and raise the young generation's threshold."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
