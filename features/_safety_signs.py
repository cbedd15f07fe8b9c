"""Load and validate ``data/safety_signs.yaml``, the safety net's warning signs.

Errors name the file and the entry, as for the other data files (``_resources``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.schemas import SAFETY_NEEDS
from features._resources import ResourceError, _read_yaml, _strings

__all__ = ["CHILD_NEED", "SafetySign", "SafetySigns", "load_safety_signs"]

#: Safety needs about harm done *to* the client: a relation word near the sign names the
#: one who harms, not the one who has the need (as ``self_evident`` in the lexicon).
_HARM_DONE_TO_CLIENT = frozenset({"interpersonal_violence", "child_safety"})
#: The need whose signs count only in a note that names a child (``child_words``).
CHILD_NEED = "child_safety"


@dataclass(frozen=True, kw_only=True)
class SafetySign:
    need: str
    category: str
    sources: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    window: int = 0
    groups: tuple[tuple[str, ...], ...] = ()

    @property
    def label(self) -> str:
        return self.category.replace("_", " ")


@dataclass(frozen=True, kw_only=True)
class SafetySigns:
    sources: dict[str, str]  # id -> title
    signs: tuple[SafetySign, ...]
    lookalikes: tuple[str, ...] = ()
    self_evident: frozenset[str] = _HARM_DONE_TO_CLIENT
    #: words that name a child; the signs of ``CHILD_NEED`` count only in a note with one
    child_words: tuple[str, ...] = ()

    def source_titles(self, sign: SafetySign) -> list[str]:
        return [self.sources[s] for s in sign.sources]


def _near(file: Path, where: str, raw: Any) -> tuple[int, tuple[tuple[str, ...], ...]]:
    if raw is None:
        return 0, ()
    if not isinstance(raw, dict):
        raise ResourceError(f"{file}: {where}.near must be a mapping with window and groups")
    window = raw.get("window")
    if not isinstance(window, int) or window < 1:
        raise ResourceError(f"{file}: {where}.near.window must be a positive integer")
    groups = raw.get("groups")
    if not isinstance(groups, list) or len(groups) < 2:
        raise ResourceError(f"{file}: {where}.near.groups must list at least two word groups")
    parsed = []
    for i, group in enumerate(groups):
        words = _strings(file, f"{where}.near.groups[{i}]", group)
        if not words or any(" " in w.strip() for w in words):
            raise ResourceError(f"{file}: {where}.near.groups[{i}] must be single words")
        parsed.append(tuple(w.strip().lower() for w in words))
    return window, tuple(parsed)


def load_safety_signs(path: str | Path | None = None) -> SafetySigns:
    """Read the warning signs (default: the packaged ``safety_signs.yaml``)."""
    file, content = _read_yaml(path, "safety_signs.yaml")
    sources = {}
    for i, raw in enumerate(content.get("sources") or []):
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("title"):
            raise ResourceError(f"{file}: sources[{i}] needs an id and a title")
        sources[str(raw["id"])] = str(raw["title"])
    raw_signs = content.get("signs")
    if not isinstance(raw_signs, list) or not raw_signs:
        raise ResourceError(f"{file}: missing 'signs' list")
    signs = []
    for i, raw in enumerate(raw_signs):
        where = f"signs[{i}]"
        if not isinstance(raw, dict):
            raise ResourceError(f"{file}: {where} must be a mapping")
        if raw.get("need") not in SAFETY_NEEDS:
            raise ResourceError(f"{file}: {where}.need must be one of {sorted(SAFETY_NEEDS)}")
        if not isinstance(raw.get("category"), str):
            raise ResourceError(f"{file}: {where}.category is missing")
        cited = _strings(file, f"{where}.source", raw.get("source"))
        unknown = sorted(set(cited) - set(sources))
        if not cited or unknown:
            raise ResourceError(f"{file}: {where}.source must cite declared sources {unknown}")
        window, groups = _near(file, where, raw.get("near"))
        phrases = tuple(
            p.strip().lower() for p in _strings(file, f"{where}.phrases", raw.get("phrases"))
        )
        if not phrases and not groups:
            raise ResourceError(f"{file}: {where} has neither phrases nor near groups")
        signs.append(
            SafetySign(
                need=raw["need"],
                category=raw["category"],
                sources=cited,
                phrases=phrases,
                window=window,
                groups=groups,
            )
        )
    lookalikes = tuple(
        p.strip().lower() for p in _strings(file, "lookalikes", content.get("lookalikes"))
    )
    child_words = tuple(
        w.strip().lower() for w in _strings(file, "child_words", content.get("child_words", []))
    )
    return SafetySigns(
        sources=sources, signs=tuple(signs), lookalikes=lookalikes, child_words=child_words
    )
