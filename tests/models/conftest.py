"""A small synthetic caseload and roster, generated here so these tests own their data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.schemas import (
    HOUSING_TYPES,
    INCOME_BANDS,
    LANGUAGES,
    NEEDS,
    REFERRAL_SOURCES,
    REGIONS,
    SAFETY_NEEDS,
)
from models import load_model_config

PHRASES = {
    "housing_instability": "got an eviction notice",
    "homelessness": "is staying in a shelter",
    "food_insecurity": "is skipping meals",
    "financial_strain": "cannot pay the bills",
    "utilities": "power was shut off",
    "employment": "lost her job",
    "transportation": "has no car to get to appointments",
    "health_insurance": "is uninsured",
    "medical_care": "cannot afford medication",
    "mental_health": "reports depression",
    "substance_use": "drinks daily",
    "suicide_risk": "reports suicidal thoughts",
    "interpersonal_violence": "partner hits her",
    "child_safety": "children left unsupervised",
    "social_isolation": "has no one to talk to",
    "legal": "has a court hearing",
    "childcare": "has no childcare",
}
NEED_WEIGHTS = dict.fromkeys(NEEDS, 0.25) | {
    "homelessness": 0.6,
    "housing_instability": 0.45,
    "substance_use": 0.5,
    "mental_health": 0.4,
}


def make_cases(n: int, seed: int) -> pd.DataFrame:
    """Cases with the synth columns, a `needs` column and a note that mentions them."""
    rng = np.random.default_rng(seed)
    need_rates = rng.uniform(0.04, 0.2, len(NEEDS))
    has = rng.random((n, len(NEEDS))) < need_rates
    prior_crises = rng.poisson(0.6, n)
    prior_referrals = prior_crises + rng.poisson(1.0, n)
    age = rng.integers(18, 85, n)
    income = rng.choice(INCOME_BANDS, n)
    housing = rng.choice(HOUSING_TYPES, n)
    logit = (
        -2.3
        + 0.45 * prior_crises
        + 0.1 * np.log1p(prior_referrals)
        + has @ np.array([NEED_WEIGHTS[k] for k in NEEDS])
        + 0.4 * (income == "none")
        + 0.3 * (housing == "unhoused")
        + 0.004 * (age - 45) ** 2 / 10
    )
    probability = 1 / (1 + np.exp(-logit))
    crisis = (rng.random(n) < probability).astype(int)
    rows = []
    for i in range(n):
        names = [NEEDS[j] for j in np.flatnonzero(has[i])]
        note, needs = "Cl seen today.", []
        for name in names:
            sentence = f" Client {PHRASES[name]}."
            start = len(note) + len(" Client ")
            note += sentence
            needs.append(
                {
                    "need": name,
                    "status": "present",
                    "experiencer": "client",
                    "start": start,
                    "end": start + len(PHRASES[name]),
                    "evidence": PHRASES[name],
                    "code": None,
                    "safety": name in SAFETY_NEEDS,
                }
            )
        rows.append(
            {
                "case_id": f"c{seed}-{i:05d}",
                "referral_date": "2026-01-15",
                "note": note,
                "age": int(age[i]),
                "household_size": int(rng.integers(1, 7)),
                "n_children": int(rng.integers(0, 4)),
                "prior_referrals": int(prior_referrals[i]),
                "prior_crises": int(prior_crises[i]),
                "income_band": income[i],
                "housing_type": housing[i],
                "referral_source": rng.choice(REFERRAL_SOURCES),
                "region": rng.choice(REGIONS),
                "preferred_language": rng.choice(LANGUAGES, p=[0.7, 0.15, 0.05, 0.04, 0.03, 0.03]),
                "previous_worker_id": f"w{int(rng.integers(0, 20)):03d}"
                if rng.random() < 0.3
                else "",
                "race_ethnicity": rng.choice(["a", "b", "c"]),
                "sex": rng.choice(["female", "male"]),
                "age_band": "18-34",
                "disability": rng.choice(["yes", "no"]),
                "gold_needs": json.dumps(names),
                "true_probability": float(probability[i]),
                "crisis_90d": int(crisis[i]),
                "needs": needs,
            }
        )
    return pd.DataFrame(rows)


def make_roster(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        skills = rng.choice(NEEDS, size=int(rng.integers(2, 6)), replace=False)
        languages = ["en", *rng.choice(LANGUAGES[1:], size=int(rng.integers(0, 2)), replace=False)]
        capacity = int(rng.integers(10, 25))
        rows.append(
            {
                "worker_id": f"w{i:03d}",
                "name": f"Worker {i}",
                "skills": ";".join(skills),
                "languages": ";".join(languages),
                "capacity": capacity,
                "current_load": int(rng.integers(0, capacity)),
                "region": rng.choice(REGIONS),
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def precomputed_config():
    """The project's model config, reading the generated `needs` column instead of notes."""
    config = load_model_config()
    families = config.families.model_copy(
        update={
            "gradient_boosting": config.families.gradient_boosting.model_copy(
                update={"max_iter": 60}
            )
        }
    )
    calibration = config.calibration.model_copy(update={"folds": 3})
    return config.model_copy(
        update={"needs_source": "precomputed", "families": families, "calibration": calibration}
    )


@pytest.fixture(scope="session")
def cases() -> pd.DataFrame:
    return make_cases(3000, seed=3)


@pytest.fixture(scope="session")
def roster() -> pd.DataFrame:
    return make_roster(20, seed=5)


@pytest.fixture(scope="session")
def trained(cases, precomputed_config):
    from models import train_risk_model

    return train_risk_model(cases, precomputed_config)
