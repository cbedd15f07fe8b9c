"""The caseworker roster, and which returning clients already had a worker."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from casetriage.synth._config import SynthConfig
from core.schemas import LANGUAGES, NEEDS, REGIONS, SAFETY_NEEDS

__all__ = ["assign_previous_workers", "sample_roster"]

_FIRST = (
    "Ana",
    "Ben",
    "Carmen",
    "Dev",
    "Elena",
    "Farah",
    "Grace",
    "Hao",
    "Imani",
    "Jon",
    "Kim",
    "Luis",
    "Mai",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vic",
    "Wen",
    "Yusuf",
    "Zoe",
)
_LAST = (
    "Abdi",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Farah",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Mensah",
    "Nguyen",
    "Okafor",
    "Patel",
    "Reyes",
    "Silva",
    "Tran",
    "Walker",
    "Young",
)


def sample_roster(
    rng: np.random.Generator, n_cases: int, caseload_languages: pd.Series, config: SynthConfig
) -> pd.DataFrame:
    """A roster sized to the caseload that covers every need, safety skill, language and region.

    Skills and languages are first dealt round-robin so that each need (safety needs twice)
    and each language spoken in the caseload has a worker; the rest is random.
    """
    spec = config.roster
    n = max(int(spec["min_workers"]), math.ceil(n_cases / float(spec["cases_per_worker"])))
    width = max(3, len(str(n)))
    skills: list[set[str]] = [set() for _ in range(n)]
    must_cover = [*NEEDS, *sorted(SAFETY_NEEDS)]
    for i, need in enumerate(must_cover):
        skills[i % n].add(need)
    for worker in skills:
        extra = rng.choice(len(NEEDS), size=int(rng.integers(2, 5)), replace=False)
        worker.update(NEEDS[j] for j in extra)
    languages: list[list[str]] = [["en"] for _ in range(n)]
    spoken = [lang for lang in LANGUAGES if lang != "en" and (caseload_languages == lang).any()]
    for i, lang in enumerate(spoken):
        languages[(n - 1 - i) % n].append(lang)
    share = caseload_languages.value_counts(normalize=True)
    for worker in languages:
        if len(worker) == 1 and spoken and rng.random() < 0.25:
            p = np.array([share.get(lang, 0.0) for lang in spoken])
            worker.append(spoken[int(rng.choice(len(spoken), p=p / p.sum()))])
    capacity = rng.integers(15, 36, size=n)
    current_load = rng.binomial(capacity, rng.uniform(0.5, 0.95, size=n))
    regions = [REGIONS[i % len(REGIONS)] for i in range(n)]
    return pd.DataFrame(
        {
            "worker_id": [f"W{i + 1:0{width}d}" for i in range(n)],
            "name": [
                f"{_FIRST[int(rng.integers(len(_FIRST)))]} {_LAST[int(rng.integers(len(_LAST)))]}"
                for _ in range(n)
            ],
            "skills": [";".join(need for need in NEEDS if need in s) for s in skills],
            "languages": [";".join(lang for lang in LANGUAGES if lang in w) for w in languages],
            "capacity": capacity,
            "current_load": current_load,
            "region": regions,
        }
    )


def assign_previous_workers(
    rng: np.random.Generator, cases: pd.DataFrame, roster: pd.DataFrame, config: SynthConfig
) -> np.ndarray:
    """A previous worker id for some returning clients (prior referrals > 0), else empty.

    The worker is drawn from the client's region when the roster has one there.
    """
    share = float(config.roster["returning_client_worker_share"])
    by_region = {r: roster.loc[roster["region"] == r, "worker_id"].to_numpy() for r in REGIONS}
    everyone = roster["worker_id"].to_numpy()
    returning = (cases["prior_referrals"].to_numpy() > 0) & (rng.random(len(cases)) < share)
    picks = rng.random(len(cases))
    result = np.full(len(cases), "", dtype=object)
    for i in np.flatnonzero(returning):
        pool = by_region.get(cases["region"].iat[i])
        pool = pool if pool is not None and len(pool) else everyone
        result[i] = pool[int(picks[i] * len(pool))]
    return result
