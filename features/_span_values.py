"""Span extension values, read and written where spaCy keeps them.

spaCy 3.8 stores a span's custom attribute in ``doc.user_data`` under
``("._.", name, start_char, end_char)`` (``spacy/tokens/underscore.py``); ``span._.x``
builds an ``Underscore`` object and goes through ``__getattr__``/``__setattr__`` to reach
that entry. The needs components touch about ten values per mention, and that machinery
cost more than a tenth of the extraction time, so they use the entry directly. Readers of
``span._.status`` see the same values; ``tests/features/test_components.py`` checks both
ways, so a spaCy that keeps them elsewhere fails a test instead of going quiet.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

__all__ = ["SpanValues"]


class SpanValues:
    """The extension values of one doc's spans, addressed by ``(start_char, end_char)``."""

    __slots__ = ("_data", "_defaults")

    def __init__(self, doc: Doc, defaults: dict[str, Any]) -> None:
        self._data = doc.user_data
        self._defaults = defaults

    def get(self, chars: tuple[int, int], name: str) -> Any:
        return self._data.get(("._.", name, *chars), self._defaults[name])

    def set(self, chars: tuple[int, int], name: str, value: Any) -> None:
        self._data[("._.", name, *chars)] = value
