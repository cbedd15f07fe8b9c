"""Which needs each client has now, and who referred the case.

Active needs (present, for the client) are Bernoulli draws whose log-odds add the need's base
rate, the latent adversity and modifiers from the structured fields (housing, income, age,
children, household) and from other needs (e.g. suicide risk is likelier with a mental-health
need). Sensitive attributes play no part here. The referral source follows from the needs:
hospitals refer medical and psychiatric cases, schools child-safety cases, police violence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from casetriage.synth._config import SynthConfig
from core.schemas import NEEDS, REFERRAL_SOURCES

__all__ = ["sample_active_needs", "sample_referral_source"]


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def sample_active_needs(
    rng: np.random.Generator, population: pd.DataFrame, config: SynthConfig
) -> pd.DataFrame:
    """One boolean column per need: is it present for the client now."""
    n = len(population)
    z = population["adversity"].to_numpy()
    age = population["age"].to_numpy()
    kids = population["n_children"].to_numpy() > 0
    alone = population["household_size"].to_numpy() == 1
    partner = population["lives_with_partner"].to_numpy()
    housing = population["housing_type"].to_numpy()
    income = population["income_band"].to_numpy()
    no_income = income == "none"
    poor = np.isin(income, ["none", "under_15k"])
    rich = np.isin(income, ["30k_50k", "over_50k"])
    unhoused = np.isin(housing, ["shelter", "unhoused"])
    old = age >= 65
    active: dict[str, np.ndarray] = {}

    def draw(need: str, modifier: np.ndarray | float = 0.0, allowed=True) -> np.ndarray:
        spec = config.needs[need]
        logit = _logit(spec["base"]) + spec["adversity"] * z + modifier
        hit = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
        active[need] = hit & allowed
        return active[need]

    # In a shelter or on the street means homeless now; staying with family may be couch surfing.
    couch_surfing = draw("homelessness", 1.8, allowed=housing == "with_family")
    homeless = unhoused | couch_surfing
    active["homelessness"] = homeless
    draw(
        "housing_instability",
        0.5 * np.isin(housing, ["renting", "public_housing"])
        - 0.6 * (housing == "owner")
        + 0.4 * poor,
        allowed=~unhoused,
    )
    draw("food_insecurity", 0.6 * poor + 0.3 * kids + 0.5 * homeless)
    draw("financial_strain", 1.2 * no_income + 0.5 * poor - 1.0 * rich)
    draw("utilities", 0.5 * poor, allowed=~unhoused)
    draw("employment", 1.2 * no_income - 2.0 * old)
    draw("transportation", 0.4 * homeless + 0.3 * old)
    draw("health_insurance", 0.3 * poor - 1.8 * old)
    draw("medical_care", 0.7 * old + 0.3 * homeless)
    mental = draw("mental_health")
    substance = draw("substance_use", 0.6 * homeless)
    draw("suicide_risk", 1.3 * mental + 0.6 * substance)
    violence = draw("interpersonal_violence", 0.5 * partner)
    draw("child_safety", 0.9 * substance + 0.9 * violence, allowed=kids)
    draw("social_isolation", 0.9 * alone + 0.6 * old)
    draw("legal", 0.5 * substance + 0.4 * violence)
    draw("childcare", 0.5 * ~partner, allowed=kids)
    return pd.DataFrame({need: active[need] for need in NEEDS})


def sample_referral_source(rng: np.random.Generator, active: pd.DataFrame) -> np.ndarray:
    """Who referred each case, given its active needs."""
    a = {need: active[need].to_numpy().astype(float) for need in NEEDS}
    logits = np.column_stack(
        [
            0.8 + 0.0 * a["employment"],  # self
            -0.2 + 1.2 * a["medical_care"] + 1.0 * a["suicide_risk"] + 0.6 * a["mental_health"],
            -1.6 + 2.2 * a["child_safety"] + 0.4 * a["childcare"],  # school
            -1.7 + 1.8 * a["interpersonal_violence"] + 0.6 * a["substance_use"],  # police
            -0.6 + 1.2 * a["suicide_risk"] + 0.4 * a["mental_health"],  # hotline
            -1.8 + 2.0 * a["legal"],  # court
            0.1 + 0.5 * a["food_insecurity"] + 0.6 * a["homelessness"],  # community_org
        ]
    )
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    index = (p.cumsum(axis=1) < rng.random(len(p))[:, None]).sum(axis=1)
    return np.array(REFERRAL_SOURCES, dtype=object)[np.minimum(index, len(REFERRAL_SOURCES) - 1)]
