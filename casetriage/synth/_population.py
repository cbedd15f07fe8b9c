"""Who the clients are: sensitive attributes, latent adversity and structured case fields.

Sensitive attributes are drawn first and independently. A latent *adversity* score (standard
normal, independent of every sensitive attribute) drives income, housing, prior contacts and,
later, needs and the outcome. Sensitive attributes touch the structured fields only mildly
(income shift, region and language mix), as they do in real caseloads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from casetriage.synth._config import SynthConfig
from casetriage.synth._shift import PopulationShift
from casetriage.synth._switches import GroupRef, UnfairnessSwitches
from core.schemas import HOUSING_TYPES, INCOME_BANDS, LANGUAGES, REGIONS, SENSITIVE_ATTRIBUTES

__all__ = ["AGE_BAND_RANGES", "attribute_weights", "sample_population"]

AGE_BAND_RANGES: dict[str, tuple[int, int]] = {
    "18-24": (18, 24),
    "25-44": (25, 44),
    "45-64": (45, 64),
    "65+": (65, 92),
}
# Cut points of the income score (standard-normal scale) between consecutive INCOME_BANDS.
_INCOME_CUTS = np.array([-1.2, -0.25, 0.5, 1.2])


def attribute_weights(
    config: SynthConfig, attribute: str, underrepresent: dict[GroupRef, float]
) -> dict[str, float]:
    """The sampling weights of one sensitive attribute, after any under-representation."""
    weights = {k: float(v) for k, v in config.population[attribute].items()}
    total = sum(weights.values())
    weights = {k: v / total for k, v in weights.items()}
    for group, fraction in underrepresent.items():
        if group.attribute != attribute:
            continue
        if group.value not in weights:
            raise ValueError(
                f"unknown group {group.value!r} for {attribute}; known: {', '.join(weights)}"
            )
        rest = 1.0 - weights[group.value]
        weights = {
            k: fraction if k == group.value else v * (1.0 - fraction) / rest
            for k, v in weights.items()
        }
    return weights


def _draw(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    values = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def _draw_by_group(
    rng: np.random.Generator, groups: np.ndarray, table: dict, choices: tuple[str, ...]
) -> np.ndarray:
    """Draw one of ``choices`` per row with weights that depend on the row's group."""
    probs = np.empty((len(groups), len(choices)))
    for i, group in enumerate(groups):
        weights = table.get(group, table["default"])
        probs[i] = [weights.get(c, 0.0) for c in choices]
    probs /= probs.sum(axis=1, keepdims=True)
    u = rng.random(len(groups))
    index = (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)
    return np.array(choices, dtype=object)[np.minimum(index, len(choices) - 1)]


def _softmax_draw(rng: np.random.Generator, logits: np.ndarray, choices: tuple[str, ...]):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random(len(logits))
    index = (p.cumsum(axis=1) < u[:, None]).sum(axis=1)
    return np.array(choices, dtype=object)[np.minimum(index, len(choices) - 1)]


def sample_population(
    rng: np.random.Generator,
    n: int,
    config: SynthConfig,
    switches: UnfairnessSwitches,
    population_shift: PopulationShift | None = None,
) -> pd.DataFrame:
    """Draw ``n`` clients: sensitive attributes, ``adversity`` and the structured fields.

    ``referral_source`` is not drawn here: it follows from the needs (see ``_needs``).
    ``population_shift`` moves distributions without changing which random numbers are drawn.
    """
    moved = population_shift or PopulationShift()
    data: dict[str, np.ndarray] = {}
    for attribute in SENSITIVE_ATTRIBUTES:
        data[attribute] = _draw(
            rng, attribute_weights(config, attribute, switches.underrepresent), n
        )
    low = np.array([AGE_BAND_RANGES[b][0] for b in data["age_band"]])
    high = np.array([AGE_BAND_RANGES[b][1] for b in data["age_band"]])
    age = np.minimum(rng.integers(low, high + 1) + round(moved.age), 120)
    adversity = rng.standard_normal(n) + moved.adversity

    shift = np.zeros(n)
    for attribute, shifts in config.population.get("income_shift", {}).items():
        shift += np.array([shifts.get(v, 0.0) for v in data[attribute]])
    income_score = (
        moved.income
        - 0.75 * adversity
        + shift
        - 0.35 * (age < 22)
        - 0.25 * (age >= 70)
        + 0.6 * rng.standard_normal(n)
    )
    income_index = np.searchsorted(_INCOME_CUTS, income_score)
    income_band = np.array(INCOME_BANDS, dtype=object)[income_index]

    young, old = age < 25, age >= 65
    poor, rich = income_index <= 1, income_index >= 3
    housing_logits = np.column_stack(
        [
            1.2 - 0.4 * old + 0.0 * adversity,  # renting
            -1.0 + 1.6 * rich + 1.0 * old - 0.6 * poor,  # owner
            -1.3 + 0.9 * poor,  # public_housing
            -1.4 + 1.1 * young + 0.3 * adversity,  # with_family
            -3.6 + moved.housing + 1.1 * adversity + 0.7 * (income_index == 0),  # shelter
            -4.0 + moved.housing + 1.2 * adversity + 0.8 * (income_index == 0),  # unhoused
        ]
    )
    housing_type = _softmax_draw(rng, housing_logits, HOUSING_TYPES)
    unhoused = np.isin(housing_type, ["shelter", "unhoused"])

    child_rate = np.select([age < 25, age < 45, age < 60], [0.7, 1.2, 0.45], 0.03)
    n_children = np.minimum(rng.poisson(child_rate * np.where(unhoused, 0.6, 1.0)), 7)
    partner = rng.random(n) < np.where(unhoused, 0.15, 0.4)
    other_adults = np.minimum(rng.poisson(np.where(housing_type == "with_family", 1.6, 0.25)), 6)
    household_size = 1 + n_children + partner + other_adults

    referral_rate = np.exp(-0.35 + 0.55 * adversity)
    prior_referrals = np.minimum(rng.poisson(referral_rate), 15)
    crisis_share = 1.0 / (1.0 + np.exp(-(-1.3 + 0.6 * adversity)))
    prior_crises = rng.binomial(prior_referrals, crisis_share)

    region = _draw_by_group(
        rng, data["race_ethnicity"], config.population["region_weights"], REGIONS
    )
    language = _draw_by_group(
        rng, data["race_ethnicity"], config.population["language_weights"], LANGUAGES
    )
    return pd.DataFrame(
        {
            "age": age,
            "household_size": household_size,
            "n_children": n_children,
            "prior_referrals": prior_referrals,
            "prior_crises": prior_crises,
            "income_band": income_band,
            "housing_type": housing_type,
            "region": region,
            "preferred_language": language,
            **data,
            "adversity": adversity,
            "lives_with_partner": partner,
        }
    )
