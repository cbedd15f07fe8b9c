"""Benchmark of ``bias_audits``: audit speed at scale, and the gate's verdicts on injected bias.

Targets: 1,000,000 rows with two sensitive columns plus their intersection and 1,000
bootstrap resamples audited in at most 10 s; on the synthetic caseload, an oracle scorer
passes, the same scorer against surveillance-biased labels fails, a model that never sees
race but sees a proxy fails, and an under-represented group is reported insufficient.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from casetriage.benchmarks import Figure

__all__ = ["run"]

SPEED_TARGET_S = 10.0


def _speed_frame(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    race = rng.choice(
        ["White", "Black", "Hispanic", "Asian", "Native American", "Multiracial"],
        size=n_rows,
        p=[0.46, 0.22, 0.19, 0.06, 0.03, 0.04],
    )
    sex = rng.choice(["female", "male"], size=n_rows, p=[0.63, 0.37])
    probability = rng.beta(2, 6, size=n_rows)
    return pd.DataFrame(
        {
            "race_ethnicity": race,
            "sex": sex,
            "crisis_90d": (rng.random(n_rows) < probability).astype(int),
            "score": probability,
        }
    )


def _speed(quick: bool) -> list[Figure]:
    from bias_audits import AuditPolicy, audit_table

    n_rows = 100_000 if quick else 1_000_000
    frame = _speed_frame(n_rows, seed=1)
    policy = AuditPolicy.load()
    started = time.perf_counter()
    result = audit_table(
        frame,
        label="crisis_90d",
        score="score",
        threshold=0.3,
        sensitive=["race_ethnicity", "sex"],
        policy=policy,
        intersections=[["race_ethnicity", "sex"]],
    )
    elapsed = time.perf_counter() - started
    return [
        Figure(
            name=f"audit {n_rows:,} rows, 2 attributes + intersection, "
            f"{policy.n_resamples} resamples",
            value=elapsed,
            unit="s",
            target=f"<= {SPEED_TARGET_S:.0f} s" + (" (at 1M rows)" if quick else ""),
            passed=elapsed <= SPEED_TARGET_S,
            detail=f"{len(result.groups)} groups, {len(result.disparities)} disparities",
        )
    ]


def _synthetic_verdicts(quick: bool) -> list[Figure]:
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from bias_audits import AuditPolicy, audit_table
    from casetriage.synth import GroupRef, UnfairnessSwitches, generate_caseload
    from core.schemas import CASE_CATEGORICAL_FIELDS, CASE_NUMERIC_FIELDS

    # 3-4% groups need ~20,000 cases to clear the calibration error's minimum of 300
    n_cases = 4_000 if quick else 20_000
    policy = AuditPolicy.load()
    sensitive = ["race_ethnicity", "sex", "disability"]

    def verdict_of(cases: pd.DataFrame, score: np.ndarray, *, intersections):
        table = cases[[*sensitive, "crisis_90d"]].assign(score=score)
        return audit_table(
            table,
            label="crisis_90d",
            score="score",
            threshold=0.3,
            sensitive=sensitive,
            policy=policy,
            intersections=intersections,
        )

    def proxy_model_scores(cases: pd.DataFrame) -> np.ndarray:
        """A model that sees only the permitted inputs (no sensitive attribute)."""
        inputs = list(CASE_NUMERIC_FIELDS) + list(CASE_CATEGORICAL_FIELDS)
        model = make_pipeline(
            make_column_transformer(
                (StandardScaler(), list(CASE_NUMERIC_FIELDS)),
                (OneHotEncoder(handle_unknown="ignore"), list(CASE_CATEGORICAL_FIELDS)),
            ),
            LogisticRegression(max_iter=1_000),
        )
        half = len(cases) // 2
        model.fit(cases[inputs].iloc[:half], cases["crisis_90d"].iloc[:half])
        return model.predict_proba(cases[inputs])[:, 1]

    # Intersections are left out of the targets: with ~30 small cells, some point estimates
    # land beyond tolerance by chance and the gate (rightly) asks for review; that figure
    # is reported below without a target.
    scenarios = {
        "unbiased (oracle scores)": (UnfairnessSwitches(), "true", "pass"),
        "label bias 0.3 (oracle scores)": (UnfairnessSwitches(label_bias=0.3), "true", "fail"),
        "proxy 0.6 + label bias 0.3 (model without race)": (
            UnfairnessSwitches(label_bias=0.3, proxy_strength=0.6),
            "model",
            "fail",
        ),
        "Native American at 0.4%": (
            UnfairnessSwitches(
                underrepresent={
                    GroupRef(attribute="race_ethnicity", value="Native American"): 0.004
                }
            ),
            "true",
            "insufficient",
        ),
    }
    figures = []
    for name, (switches, scorer, expected) in scenarios.items():
        # a pass needs every group large enough to judge, even in a quick run
        size = 20_000 if expected == "pass" else n_cases
        cases = generate_caseload(n_cases=size, seed=11, switches=switches).cases
        score = (
            cases["true_probability"].to_numpy() if scorer == "true" else proxy_model_scores(cases)
        )
        if scorer == "model":
            # judge the model on the half it was not fitted on
            half = len(cases) // 2
            cases, score = cases.iloc[half:], score[half:]
        result = verdict_of(cases, score, intersections=[])
        if expected == "insufficient":
            thin = {g.group for g in result.insufficient_groups if g.attribute == "race_ethnicity"}
            got = "insufficient" if "Native American" in thin else result.verdict
        else:
            got = result.verdict
        worst = next((s for s in result.summary()[1:] if "→" in s), "")
        figures.append(
            Figure(
                name=f"gate on synthetic: {name}",
                value=float(got == expected),
                unit=f"verdict {got}",
                target=f"{expected}",
                passed=got == expected,
                detail=worst[:240],
            )
        )
    cases = generate_caseload(n_cases=n_cases, seed=11).cases
    with_cells = verdict_of(cases, cases["true_probability"].to_numpy(), intersections=None)
    flagged = with_cells.disparities_with("review") + with_cells.disparities_with("fail")
    figures.append(
        Figure(
            name="unbiased (oracle scores) with the policy's intersections",
            value=len(flagged),
            unit=f"flagged disparities, verdict {with_cells.verdict}",
            detail=f"{len(with_cells.disparities)} disparities judged; "
            f"{len(with_cells.insufficient_groups)} groups insufficient",
        )
    )
    return figures


def run(*, quick: bool) -> list[Figure]:
    """Time a large audit and check the gate's verdicts on injected bias."""
    return _speed(quick) + _synthetic_verdicts(quick)
