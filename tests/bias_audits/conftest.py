"""Small synthetic caseloads with known disparities, built here so the audit is tested on
data whose truth we control (independent of the project's synthetic generator)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bias_audits import AuditPolicy

RACES = ("white", "black", "hispanic", "asian")
RACE_SHARES = (0.5, 0.25, 0.17, 0.08)


def make_cases(
    n: int,
    *,
    seed: int = 0,
    selection_boost: dict[str, float] | None = None,
    label_bias: dict[str, float] | None = None,
    shares: tuple[float, ...] = RACE_SHARES,
) -> pd.DataFrame:
    """Cases whose true risk does not depend on race, scored by their true probability.

    ``selection_boost`` adds to the score of the named groups (a biased model) without
    changing their outcomes; ``label_bias`` records a crisis for that extra share of the
    named groups' cases without one (surveillance bias in the labels)."""
    rng = np.random.default_rng(seed)
    race = rng.choice(RACES, size=n, p=shares)
    sex = rng.choice(("female", "male"), size=n)
    true_probability = rng.beta(2, 5, size=n)
    crisis = rng.random(n) < true_probability
    for group, share in (label_bias or {}).items():
        crisis |= (race == group) & (rng.random(n) < share)
    score = true_probability.copy()
    for group, boost in (selection_boost or {}).items():
        score[race == group] += boost
    return pd.DataFrame(
        {
            "race_ethnicity": race,
            "sex": sex,
            "crisis_90d": crisis.astype(int),
            "score": np.clip(score, 0, 1),
        }
    )


@pytest.fixture(scope="session")
def policy() -> AuditPolicy:
    """The shipped policy with fewer resamples, so tests stay fast."""
    shipped = AuditPolicy.load()
    data = shipped.to_dict()
    data["n_resamples"] = 300
    data.pop("sha256")
    data.pop("source")
    return AuditPolicy.from_mapping(data)
