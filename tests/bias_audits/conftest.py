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


def make_decisions(n: int, *, seed: int = 0, override_share: dict[str, float] | None = None):
    """Supervisor decisions where the named groups' suggestions are overridden (mostly
    downgraded) at the given share, the others at 10%."""
    rng = np.random.default_rng(seed)
    race = rng.choice(("White", "Black", "Asian"), size=n, p=(0.6, 0.3, 0.1))
    suggested = rng.integers(1, 5, size=n)
    share = np.full(n, 0.10)
    for group, value in (override_share or {}).items():
        share[race == group] = value
    overridden = rng.random(n) < share
    down = overridden & (suggested < 4) & (rng.random(n) < 0.8)
    up = overridden & ~down & (suggested > 1)
    return pd.DataFrame(
        {
            "suggested_tier": suggested,
            "final_tier": np.where(down, suggested + 1, np.where(up, suggested - 1, suggested)),
            "overridden": overridden,
            "override_direction": np.where(down, "down", np.where(up, "up", "none")),
            "race_ethnicity": race,
        }
    )


@pytest.fixture(scope="session")
def decisions_frame() -> pd.DataFrame:
    return make_decisions(3_000, seed=11, override_share={"Black": 0.35})
