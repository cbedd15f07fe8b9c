"""Per-case reasons: the factors that raised or lowered this case's risk, in plain words.

For linear families the contributions are exact: the fitted logit is a sum over columns,
so each factor's share is ``coef * (x - training mean)``, summed over the factor's columns
and averaged over the calibration folds; they add up to the case's logit minus the
average case's logit (before the monotone calibration map). For other families each
factor is replaced by its training mean and the change in the calibrated log-odds is
reported, which is what the model actually does with that factor, though not additive.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml
from scipy.special import logit
from sklearn.pipeline import Pipeline

from models._featurize import active_needs

__all__ = ["factor_contributions", "reason_wording", "reasons_for_cases"]


@cache
def reason_wording() -> dict:
    """The wording file ``models/reason_wording.yaml`` (read on first use)."""
    text = resources.files("models").joinpath("reason_wording.yaml").read_text()
    return yaml.safe_load(text)


def _factor_matrix(factors: list[str]) -> tuple[list[str], np.ndarray]:
    names = list(dict.fromkeys(factors))
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(factors), len(names)))
    for column, factor in enumerate(factors):
        matrix[column, index[factor]] = 1.0
    return names, matrix


def _linear_coefficients(pipeline: Pipeline) -> np.ndarray | None:
    calibrated = pipeline.named_steps["model"]
    estimators = [c.estimator for c in calibrated.calibrated_classifiers_]
    if not all(hasattr(e, "coef_") for e in estimators):
        return None
    return np.mean([e.coef_[0] for e in estimators], axis=0)


def factor_contributions(pipeline: Pipeline, cases: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Per-case contribution of each factor to the log-odds of crisis, vs an average case.

    Returns the factor names and an array of shape (n_cases, n_factors).
    """
    featurizer = pipeline.named_steps["features"]
    features = featurizer.transform(cases)
    return contributions_from_features(pipeline, features)


def contributions_from_features(
    pipeline: Pipeline, features: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """``factor_contributions`` for already featurised cases (avoids featurising twice)."""
    featurizer = pipeline.named_steps["features"]
    names, matrix = _factor_matrix(list(featurizer.factors_))
    reference = featurizer.mean_
    coef = _linear_coefficients(pipeline)
    if coef is not None:
        return names, ((features - reference) * coef) @ matrix
    calibrated = pipeline.named_steps["model"]
    n, k = len(features), len(names)
    occluded = np.repeat(features[None, :, :], k, axis=0)
    for j in range(k):
        columns = matrix[:, j].astype(bool)
        occluded[j][:, columns] = reference[columns]
    stacked = np.vstack([features, occluded.reshape(n * k, -1)])
    probability = np.clip(calibrated.predict_proba(stacked)[:, 1], 1e-4, 1 - 1e-4)
    log_odds = logit(probability)
    return names, log_odds[:n, None] - log_odds[n:].reshape(k, n).T


def _field_text(factor: str, case: dict, wording: dict) -> str:
    template = wording["fields"][factor]
    value = case.get(factor)
    if isinstance(template, dict):
        template = template["one"] if value == 1 else template["other"]
    return template.format(
        value=value,
        value_label=wording["values"].get(str(value), str(value)),
        n_active_needs=case.get("n_active_needs"),
        prior_crises=case.get("prior_crises"),
    )


def reasons_for_cases(
    cases: list[dict],
    needs: list[list[dict]],
    factors: list[str],
    contributions: np.ndarray,
    *,
    top_k: int = 4,
    min_abs_weight: float = 0.05,
) -> list[list[dict]]:
    """The top factors of each case, worded, with the note's evidence for need factors."""
    wording = reason_wording()
    order = np.argsort(-np.abs(contributions), axis=1)[:, :top_k]
    results = []
    for i, case in enumerate(cases):
        active = active_needs(needs[i])
        case_values = dict(case) | {"n_active_needs": len({n["need"] for n in active})}
        reasons = []
        for j in order[i]:
            weight = float(contributions[i, j])
            if abs(weight) < min_abs_weight:
                break
            factor = factors[j]
            evidence = None
            if factor.startswith("need:"):
                need = factor.removeprefix("need:")
                label = wording["need_labels"][need]
                mention = next((n for n in active if n["need"] == need), None)
                if mention is not None:
                    text = wording["need_present"].format(
                        label=label, evidence=mention.get("evidence", "")
                    )
                    if "start" in mention and "end" in mention:
                        evidence = {
                            "start": int(mention["start"]),
                            "end": int(mention["end"]),
                            "text": mention.get("evidence", ""),
                        }
                else:
                    text = wording["need_absent"].format(label=label)
            else:
                text = _field_text(factor, case_values, wording)
            reasons.append(
                {
                    "factor": factor,
                    "direction": "raises" if weight > 0 else "lowers",
                    "text": text,
                    "weight": round(weight, 4),
                    "evidence": evidence,
                }
            )
        results.append(reasons)
    return results
