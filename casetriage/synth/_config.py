"""The generator's parameters, read from ``config/synth.yaml`` and checked before use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.schemas import (
    HOUSING_TYPES,
    INCOME_BANDS,
    LANGUAGES,
    NEEDS,
    REGIONS,
    SENSITIVE_ATTRIBUTES,
)

__all__ = [
    "NOTE_STYLES",
    "SynthConfig",
    "SynthConfigError",
    "default_config_path",
    "load_config",
]


def default_config_path() -> Path:
    """The shipped ``core/config/synth.yaml``."""
    from core.config import config_file

    return config_file("synth.yaml")


NOTE_STYLES: tuple[str, ...] = ("narrative", "hotline", "home_visit", "screening")


class SynthConfigError(ValueError):
    """The generator's configuration file is missing a key or holds a bad value."""


@dataclass(frozen=True, kw_only=True)
class SynthConfig:
    """Validated generator parameters (see ``config/synth.yaml`` for their meaning)."""

    version: str
    reference_date: dt.date
    date_window_days: int
    population: dict[str, Any]
    needs: dict[str, dict[str, float]]
    mentions: dict[str, float]
    note_styles: dict[str, float]
    outcome: dict[str, Any]
    roster: dict[str, float]
    source: str


def _require(mapping: dict, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise SynthConfigError(f"{where}: missing key {key!r}")
    return mapping[key]


def _check_weights(weights: Any, allowed: tuple[str, ...] | None, where: str) -> None:
    if not isinstance(weights, dict) or not weights:
        raise SynthConfigError(f"{where}: expected a mapping of value -> weight")
    for key, value in weights.items():
        if allowed is not None and key not in allowed:
            raise SynthConfigError(f"{where}: unknown value {key!r} (allowed: {allowed})")
        if not isinstance(value, int | float) or value < 0:
            raise SynthConfigError(f"{where}.{key}: weight must be a number >= 0, got {value!r}")
    if sum(weights.values()) <= 0:
        raise SynthConfigError(f"{where}: weights sum to zero")


_NUMBER_KEYS: dict[str, tuple[str, ...]] = {
    "outcome": (
        "intercept",
        "prior_crises_log1p",
        "prior_referrals_per_referral",
        "prior_referrals_cap",
        "per_child",
        "per_other_adult",
        "latent_adversity",
    ),
    "outcome.age_quadratic": ("coef", "centre", "scale"),
    "outcome.interactions": (
        "substance_use_x_mental_health",
        "homelessness_x_children",
        "social_isolation_x_age_65_plus",
    ),
    "mentions": ("negated", "historical", "hypothetical", "other", "max_extra_mentions"),
    "roster": ("cases_per_worker", "min_workers", "returning_client_worker_share"),
}


def _check_effects(effects: Any, values: tuple[str, ...], where: str) -> None:
    """An effect for every value, each a number (a missing one would give NaN risks)."""
    if not isinstance(effects, dict) or set(effects) != set(values):
        raise SynthConfigError(f"{where} must give an effect for each of: {', '.join(values)}")
    for key, value in effects.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SynthConfigError(f"{where}.{key} must be a number, got {value!r}")


def _check_numbers(raw: dict, where: str) -> None:
    for section, keys in _NUMBER_KEYS.items():
        mapping = raw
        for part in section.split("."):
            mapping = _require(mapping, part, f"{where}: {section}")
        for key in keys:
            value = _require(mapping, key, f"{where}: {section}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SynthConfigError(f"{section}.{key} must be a number, got {value!r}")


def load_config(path: Path | None = None) -> SynthConfig:
    """Read and validate the generator configuration.

    Parameters
    ----------
    path : Path, optional
        YAML file; defaults to ``config/synth.yaml`` of the source tree.

    Raises
    ------
    SynthConfigError
        When the file cannot be read or a key is missing or out of range; the message
        names the key.
    """
    path = Path(path) if path is not None else default_config_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SynthConfigError(f"cannot read synth config {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SynthConfigError(f"synth config {path} is not valid YAML: {exc}") from exc
    where = path.name
    if not isinstance(raw, dict):
        raise SynthConfigError(f"{where}: expected a mapping at the top level")
    population = _require(raw, "population", where)
    for attribute in SENSITIVE_ATTRIBUTES:
        _check_weights(
            _require(population, attribute, f"{where}: population"), None, f"population.{attribute}"
        )
    for table in ("region_weights", "language_weights"):
        _require(_require(population, table, "population"), "default", f"population.{table}")
    for group, weights in _require(population, "region_weights", "population").items():
        _check_weights(weights, REGIONS, f"population.region_weights.{group}")
    for group, weights in _require(population, "language_weights", "population").items():
        _check_weights(weights, LANGUAGES, f"population.language_weights.{group}")
    needs = _require(raw, "needs", where)
    if set(needs) != set(NEEDS):
        raise SynthConfigError(f"{where}: needs must list exactly the 17 needs of schemas.NEEDS")
    for need, spec in needs.items():
        base = _require(spec, "base", f"needs.{need}")
        _require(spec, "adversity", f"needs.{need}")
        if not 0 < base < 1:
            raise SynthConfigError(f"needs.{need}.base must lie in (0, 1), got {base!r}")
    _check_numbers(raw, where)
    styles = _require(raw, "note_styles", where)
    _check_weights(styles, NOTE_STYLES, "note_styles")
    outcome = _require(raw, "outcome", where)
    _check_effects(_require(outcome, "needs", "outcome"), NEEDS, "outcome.needs")
    _check_effects(_require(outcome, "income_band", "outcome"), INCOME_BANDS, "outcome.income_band")
    _check_effects(
        _require(outcome, "housing_type", "outcome"), HOUSING_TYPES, "outcome.housing_type"
    )
    try:
        reference_date = dt.date.fromisoformat(str(_require(raw, "reference_date", where)))
    except ValueError as exc:
        raise SynthConfigError(f"reference_date must be an ISO date: {exc}") from exc
    return SynthConfig(
        version=str(_require(raw, "version", where)),
        reference_date=reference_date,
        date_window_days=int(_require(raw, "date_window_days", where)),
        population=population,
        needs=needs,
        mentions=_require(raw, "mentions", where),
        note_styles=styles,
        outcome=outcome,
        roster=_require(raw, "roster", where),
        source=str(path),
    )
