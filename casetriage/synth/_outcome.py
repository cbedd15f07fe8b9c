"""The causal process of the outcome, and the label bias injected when recording it.

``logit P(crisis within 90 days) = intercept + sum of active-need effects
+ prior_crises_log1p * log(1 + prior_crises) + per-referral effect (capped)
+ income-band and housing-type effects + per-child and per-other-adult effects
+ a U-shaped age term + interactions (substance use x mental health, homelessness x children,
isolation x age 65+) + latent adversity``. Every coefficient is in ``config/synth.yaml``.
Neither sensitive attributes nor the referral source nor the region enter it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from casetriage.synth._config import SynthConfig
from casetriage.synth._switches import UnfairnessSwitches
from core.schemas import NEEDS

__all__ = ["label_bias_rate", "true_crisis_probability"]


def true_crisis_probability(
    population: pd.DataFrame, active: pd.DataFrame, config: SynthConfig
) -> np.ndarray:
    """P(crisis within 90 days) of each case under the generator's causal model."""
    spec = config.outcome
    logit = np.full(len(population), float(spec["intercept"]))
    for need in NEEDS:
        logit += spec["needs"][need] * active[need].to_numpy()
    logit += spec["prior_crises_log1p"] * np.log1p(population["prior_crises"].to_numpy())
    logit += spec["prior_referrals_per_referral"] * np.minimum(
        population["prior_referrals"].to_numpy(), spec["prior_referrals_cap"]
    )
    logit += population["income_band"].map(spec["income_band"]).to_numpy(dtype=float)
    logit += population["housing_type"].map(spec["housing_type"]).to_numpy(dtype=float)
    n_children = population["n_children"].to_numpy()
    other_adults = population["household_size"].to_numpy() - 1 - n_children
    logit += spec["per_child"] * n_children + spec["per_other_adult"] * other_adults
    age = spec["age_quadratic"]
    logit += age["coef"] * ((population["age"].to_numpy() - age["centre"]) / age["scale"]) ** 2
    inter = spec["interactions"]
    logit += inter["substance_use_x_mental_health"] * (
        active["substance_use"].to_numpy() & active["mental_health"].to_numpy()
    )
    logit += inter["homelessness_x_children"] * (
        active["homelessness"].to_numpy() & (n_children > 0)
    )
    logit += inter["social_isolation_x_age_65_plus"] * (
        active["social_isolation"].to_numpy() & (population["age"].to_numpy() >= 65)
    )
    logit += spec["latent_adversity"] * population["adversity"].to_numpy()
    return 1.0 / (1.0 + np.exp(-logit))


def label_bias_rate(
    population: pd.DataFrame, switches: UnfairnessSwitches, proxied: np.ndarray
) -> np.ndarray:
    """Per case, the probability that a true non-crisis is recorded as a crisis.

    Zero outside the target group. Inside it: ``label_bias`` for cases carrying the proxy and
    ``label_bias * (1 - proxy_strength)`` for the others, so that with a proxy the surveillance
    flows through the proxy field (with no proxy it is uniform over the group).
    """
    target = population[switches.target_group.attribute].to_numpy() == switches.target_group.value
    rate = np.where(proxied, 1.0, 1.0 - switches.proxy_strength) * switches.label_bias
    return np.where(target, rate, 0.0)
