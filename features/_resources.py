"""Load and validate the versioned data files that drive the pipeline.

The files are read when a pipeline is built, never at import time. Validation errors name the
file and the entry, because a typo in a lexicon should fail loudly, not silently match nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.schemas import NEEDS, STATUSES

__all__ = [
    "CONTEXT_CATEGORIES",
    "ContextRule",
    "ContextRules",
    "NeedLexicon",
    "ResourceError",
    "load_context_rules",
    "load_icd_codes",
    "load_lexicon",
]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STATUS_CATEGORIES = ("NEGATED", "HISTORICAL", "HYPOTHETICAL")
CONTEXT_CATEGORIES = (*STATUS_CATEGORIES, "OTHER", "OTHER_SUBJECT", "PSEUDO", "TERMINATE")
DIRECTIONS = ("forward", "backward", "bidirectional")


class ResourceError(ValueError):
    """A data file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True, kw_only=True)
class NeedLexicon:
    """The phrases and patterns of one need."""

    need: str
    phrases: dict[str, tuple[str, ...]]
    patterns: tuple[tuple[str, list[dict[str, Any]]], ...] = ()
    ignore_inside: tuple[str, ...] = ()
    ignore_patterns: tuple[list[dict[str, Any]], ...] = ()
    self_evident: bool = False
    self_evident_phrases: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ContextRule:
    category: str
    direction: str = "forward"
    max_scope: int = 8
    phrases: tuple[str, ...] = ()
    patterns: tuple[list[dict[str, Any]], ...] = ()
    terminates: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ContextRules:
    rules: tuple[ContextRule, ...]
    answer_separators: tuple[str, ...] = ()
    affirmative_answers: tuple[tuple[str, ...], ...] = ()
    negative_answers: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    sentence_break_tokens: tuple[str, ...] = ()


def _data_path(name: str) -> Path:
    return Path(__file__).resolve().parent / "data" / name


def _read_yaml(path: str | Path | None, default_name: str) -> tuple[Path, dict]:
    file = Path(path) if path else _data_path(default_name)
    try:
        content = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise ResourceError(f"{file}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ResourceError(f"{file}: not valid YAML ({exc})") from exc
    if not isinstance(content, dict):
        raise ResourceError(f"{file}: expected a mapping at the top level")
    return file, content


def _strings(file: Path, where: str, values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise ResourceError(f"{file}: {where} must be a list")
    for value in values:
        if not isinstance(value, str) or not value.strip():
            # YAML reads bare no/yes/off as booleans: quote them.
            raise ResourceError(f"{file}: {where} has a non-string entry {value!r} (quote it)")
    return tuple(values)


def load_lexicon(path: str | Path | None = None) -> dict[str, NeedLexicon]:
    """Read the needs lexicon (default: the packaged ``needs_lexicon.yaml``)."""
    file, content = _read_yaml(path, "needs_lexicon.yaml")
    needs = content.get("needs")
    if not isinstance(needs, dict):
        raise ResourceError(f"{file}: missing 'needs' mapping")
    unknown = sorted(set(needs) - set(NEEDS))
    if unknown:
        raise ResourceError(f"{file}: unknown need(s) {unknown}; expected names from {NEEDS}")
    missing = sorted(set(NEEDS) - set(needs))
    if missing:
        raise ResourceError(f"{file}: no entry for need(s) {missing}")
    lexicon = {}
    for need, entry in needs.items():
        if not isinstance(entry, dict):
            raise ResourceError(f"{file}: needs.{need} must be a mapping")
        phrases = {
            status: _strings(file, f"needs.{need}.{status}", entry.get(status))
            for status in ("present", "negated", "historical")
        }
        patterns = []
        for i, item in enumerate(entry.get("patterns") or []):
            where = f"needs.{need}.patterns[{i}]"
            if not isinstance(item, dict) or item.get("status") not in STATUSES:
                raise ResourceError(f"{file}: {where} needs a status from {STATUSES}")
            if not isinstance(item.get("pattern"), list) or not item["pattern"]:
                raise ResourceError(f"{file}: {where}.pattern must be a non-empty token list")
            patterns.append((item["status"], item["pattern"]))
        ignore_patterns = entry.get("ignore_patterns") or []
        for i, item in enumerate(ignore_patterns):
            if not isinstance(item, list) or not item or not all(isinstance(t, dict) for t in item):
                where = f"needs.{need}.ignore_patterns[{i}]"
                raise ResourceError(f"{file}: {where} must be a non-empty token list")
        lexicon[need] = NeedLexicon(
            need=need,
            phrases=phrases,
            patterns=tuple(patterns),
            ignore_inside=_strings(file, f"needs.{need}.ignore_inside", entry.get("ignore_inside")),
            ignore_patterns=tuple(ignore_patterns),
            self_evident=bool(entry.get("self_evident", False)),
            self_evident_phrases=_strings(
                file, f"needs.{need}.self_evident_phrases", entry.get("self_evident_phrases")
            ),
        )
    return lexicon


def load_context_rules(path: str | Path | None = None) -> ContextRules:
    """Read the ConText rules (default: the packaged ``context_rules.yaml``)."""
    file, content = _read_yaml(path, "context_rules.yaml")
    raw_rules = content.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ResourceError(f"{file}: missing 'rules' list")
    rules = []
    for i, raw in enumerate(raw_rules):
        where = f"rules[{i}]"
        if not isinstance(raw, dict) or raw.get("category") not in CONTEXT_CATEGORIES:
            raise ResourceError(f"{file}: {where}.category must be one of {CONTEXT_CATEGORIES}")
        direction = raw.get("direction", "forward")
        if direction not in DIRECTIONS:
            raise ResourceError(f"{file}: {where}.direction must be one of {DIRECTIONS}")
        max_scope = raw.get("max_scope", 8)
        if not isinstance(max_scope, int) or max_scope < 1:
            raise ResourceError(f"{file}: {where}.max_scope must be a positive integer")
        patterns = raw.get("patterns") or []
        if not isinstance(patterns, list) or not all(isinstance(p, list) for p in patterns):
            raise ResourceError(f"{file}: {where}.patterns must be a list of token lists")
        terminates = _strings(file, f"{where}.terminates", raw.get("terminates"))
        bad = sorted(set(terminates) - set(CONTEXT_CATEGORIES))
        if bad:
            raise ResourceError(f"{file}: {where}.terminates has unknown categories {bad}")
        rules.append(
            ContextRule(
                category=raw["category"],
                direction=direction,
                max_scope=max_scope,
                phrases=_strings(file, f"{where}.phrases", raw.get("phrases")),
                patterns=tuple(patterns),
                terminates=terminates,
            )
        )
    answers = content.get("answers") or {}

    def _answers(key: str) -> tuple[tuple[str, ...], ...]:
        items = answers.get(key) or []
        return tuple(_strings(file, f"answers.{key}[{i}]", a) for i, a in enumerate(items))

    return ContextRules(
        rules=tuple(rules),
        answer_separators=_strings(file, "answers.separators", answers.get("separators")),
        affirmative_answers=_answers("affirmative"),
        negative_answers=_answers("negative"),
        sentence_break_tokens=_single_tokens(file, content.get("sentence_break_tokens")),
    )


def _single_tokens(file: Path, values: Any) -> tuple[str, ...]:
    tokens = _strings(file, "sentence_break_tokens", values)
    for token in tokens:
        if not token or any(c.isspace() for c in token):
            raise ResourceError(
                f"{file}: sentence_break_tokens {token!r} must be one token, without spaces"
            )
    return tokens


#: The shape of an ICD-10-CM code: a letter, two characters, then up to four after a dot.
_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def load_icd_codes(path: str | Path | None = None, *, verify: bool = True) -> dict[str, str | None]:
    """Read the need -> ICD-10-CM mapping.

    With ``verify`` every code is looked up in ``simple_icd_10_cm``; that loads the whole
    ICD-10-CM tree, about 3.5 s, so the extractor skips it for the packaged file (which the
    test suite verifies) and checks only each code's shape.
    """
    file, content = _read_yaml(path, "icd10_codes.yaml")
    codes = content.get("codes")
    if not isinstance(codes, dict) or set(codes) != set(NEEDS):
        raise ResourceError(f"{file}: 'codes' must map every need of {NEEDS} to a code or null")
    is_valid = _icd_lookup() if verify else _ICD_SHAPE.match
    for need, code in codes.items():
        if code is not None and not (isinstance(code, str) and is_valid(code)):
            raise ResourceError(f"{file}: codes.{need} = {code!r} is not a valid ICD-10-CM code")
    return dict(codes)


def _icd_lookup():
    import warnings

    with warnings.catch_warnings():
        # simple_icd_10_cm reads its data with the deprecated importlib.resources.read_text
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import simple_icd_10_cm as icd

    return icd.is_valid_item
