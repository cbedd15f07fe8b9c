"""Caseworker suggestions for one case, and a day's queue assigned at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from core.schemas import LANGUAGES, NEEDS
from models._config import AssignmentConfig
from models._featurize import active_needs
from models._reasons import reason_wording

__all__ = ["BatchAssignment", "CaseworkerMatcher", "load_roster"]

ROSTER_COLUMNS = ("worker_id", "name", "skills", "languages", "capacity", "current_load", "region")
_NEED_INDEX = {need: i for i, need in enumerate(NEEDS)}
_INFEASIBLE = 1e6


def _split_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


def load_roster(roster: pd.DataFrame) -> pd.DataFrame:
    """Validate a roster (as ``workers.csv`` has it) and parse its list columns."""
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise ValueError(f"roster: missing column(s) {', '.join(missing)}")
    if roster.empty:
        raise ValueError("roster: no workers")
    roster = roster.reset_index(drop=True).copy()
    if roster["worker_id"].duplicated().any():
        raise ValueError("roster: column 'worker_id' has duplicates")
    for column in ("capacity", "current_load"):
        values = pd.to_numeric(roster[column], errors="coerce")
        if values.isna().any() or (values < 0).any():
            row = int(np.flatnonzero(values.isna() | (values < 0))[0])
            raise ValueError(f"roster: {column} (row {row}) must be a non-negative integer")
        roster[column] = values.astype(int)
    roster["worker_id"] = roster["worker_id"].astype(str)
    roster["skills"] = roster["skills"].map(_split_list)
    roster["languages"] = roster["languages"].map(_split_list)
    for row, skills in roster["skills"].items():
        unknown = [s for s in skills if s not in _NEED_INDEX]
        if unknown:
            raise ValueError(f"roster: skills (row {row}) has unknown need(s) {unknown}")
    return roster


@dataclass(frozen=True, kw_only=True)
class BatchAssignment:
    """A day's queue assigned at once, with the greedy baseline it is compared against."""

    worker_ids: list[str | None]
    scores: list[float | None]
    total_quality: float
    utilisation_std: float
    max_utilisation: float
    greedy_total_quality: float
    greedy_utilisation_std: float
    greedy_max_utilisation: float
    n_unassigned: int
    greedy_n_unassigned: int


class CaseworkerMatcher:
    """Scores every (case, worker) pair and suggests or assigns caseworkers.

    The score is a weighted mean, in [0, 1], of: the share of the case's active needs the
    worker is skilled in, shared preferred language, share of capacity still free, same
    region, and continuity with the client's previous worker. Hard constraints: capacity
    left > 0, and when a worker with capacity speaks the client's preferred language, only
    such workers are eligible.

    Parameters
    ----------
    roster : DataFrame
        ``worker_id, name, skills, languages, capacity, current_load, region``.
    config : AssignmentConfig
        Weights, how many suggestions, and the batch mode's balance penalty.
    """

    def __init__(self, *, roster: pd.DataFrame, config: AssignmentConfig):
        self.roster = load_roster(roster)
        self.config = config
        self._skills = np.zeros((len(self.roster), len(NEEDS)))
        for i, skills in enumerate(self.roster["skills"]):
            self._skills[i, [_NEED_INDEX[s] for s in skills]] = 1.0
        self._languages = np.array(
            [[lang in langs for lang in LANGUAGES] for langs in self.roster["languages"]]
        )
        self._capacity = self.roster["capacity"].to_numpy(dtype=float)
        self._load = self.roster["current_load"].to_numpy(dtype=float)
        self._regions = self.roster["region"].astype(str).to_numpy()
        self._ids = self.roster["worker_id"].to_numpy()
        self._names = self.roster["name"].astype(str).tolist()

    def _components(
        self, cases: Sequence[dict], needs: Sequence[Sequence[dict]], load: np.ndarray
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        n = len(cases)
        active = np.zeros((n, len(NEEDS)))
        for i, case_needs in enumerate(needs):
            for need in active_needs(case_needs):
                active[i, _NEED_INDEX[need["need"]]] = 1.0
        n_active = active.sum(axis=1, keepdims=True)
        skills = np.divide(
            active @ self._skills.T, n_active, where=n_active > 0, out=np.zeros((n, len(self._ids)))
        )
        language_index = np.array(
            [LANGUAGES.index(c.get("preferred_language") or "en") for c in cases]
        )
        speaks = self._languages[:, language_index].T.astype(float)
        free = np.maximum(self._capacity - load, 0)
        capacity_share = np.divide(
            free, self._capacity, where=self._capacity > 0, out=np.zeros_like(free)
        )
        regions = np.array([str(c.get("region", "")) for c in cases])
        same_region = (regions[:, None] == self._regions[None, :]).astype(float)
        previous = np.array([str(c.get("previous_worker_id") or "") for c in cases])
        continuity = (previous[:, None] == self._ids[None, :]).astype(float)
        components = {
            "skills": skills,
            "language": speaks,
            "capacity": np.broadcast_to(capacity_share, (n, len(self._ids))),
            "region": same_region,
            "continuity": continuity,
        }
        has_room = free > 0
        someone_speaks = (speaks.astype(bool) & has_room[None, :]).any(axis=1)
        eligible = has_room[None, :] & (speaks.astype(bool) | ~someone_speaks[:, None])
        return components, eligible, active

    def score_matrix(
        self, cases: Sequence[dict], needs: Sequence[Sequence[dict]]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """Scores (n_cases, n_workers) in [0, 1], eligibility mask, components, active needs."""
        weights = self.config.weights.model_dump()
        components, eligible, active = self._components(cases, needs, self._load)
        total = sum(weights.values()) or 1.0
        score = sum(weights[name] * value for name, value in components.items()) / total
        return score, eligible, components, active

    def suggest(self, cases: Sequence[dict], needs: Sequence[Sequence[dict]]) -> list[list[dict]]:
        """Top-k eligible workers of each case, with score and reasons."""
        score, eligible, components, active = self.score_matrix(cases, needs)
        ranked = np.where(eligible, score, -np.inf)
        k = min(self.config.top_k, ranked.shape[1])
        top = np.argsort(-ranked, axis=1, kind="stable")[:, :k]
        labels = reason_wording()["need_labels"]
        results = []
        for i, case in enumerate(cases):
            suggestions = []
            for j in top[i]:
                if not eligible[i, j]:
                    break
                matched = [NEEDS[x] for x in np.flatnonzero(active[i] * self._skills[j])]
                reasons = []
                if matched:
                    reasons.append("skilled in " + ", ".join(labels[m] for m in matched))
                language = case.get("preferred_language") or "en"
                if components["language"][i, j]:
                    reasons.append(f"speaks the client's language ({language})")
                else:
                    reasons.append(f"no worker with capacity speaks {language}")
                free = int(self._capacity[j] - self._load[j])
                reasons.append(f"{free} of {int(self._capacity[j])} case slots free")
                if components["region"][i, j]:
                    reasons.append(f"works in the client's region ({self._regions[j]})")
                if components["continuity"][i, j]:
                    reasons.append("has worked with this client before")
                suggestions.append(
                    {
                        "worker_id": str(self._ids[j]),
                        "name": self._names[j],
                        "score": round(float(score[i, j]), 4),
                        "reasons": reasons,
                    }
                )
            results.append(suggestions)
        return results

    def assign_batch(
        self,
        cases: Sequence[dict],
        needs: Sequence[Sequence[dict]],
        *,
        urgency: Sequence[float] | None = None,
    ) -> BatchAssignment:
        """Assign a queue at once by a min-cost matching over free capacity slots.

        Each worker contributes one column per free slot; filling a worker's k-th slot costs
        ``balance_penalty * (load + k) / capacity`` on top of ``-score``, so the optimum
        spreads work. ``urgency`` (higher = more urgent, e.g. ``5 - tier``) is a bonus for
        being assigned at all, so urgent cases win when slots run short.
        """
        n = len(cases)
        score, eligible, _, _ = self.score_matrix(cases, needs)
        urgency = np.zeros(n) if urgency is None else np.asarray(urgency, dtype=float)
        free = np.maximum(self._capacity - self._load, 0).astype(int)
        free = np.minimum(free, n)
        slot_worker = np.repeat(np.arange(len(free)), free)
        slot_rank = np.concatenate([np.arange(f) for f in free]) if free.sum() else np.array([])
        assigned: list[str | None] = [None] * n
        scores: list[float | None] = [None] * n
        if len(slot_worker):
            fill = (self._load[slot_worker] + slot_rank + 1) / np.maximum(
                self._capacity[slot_worker], 1
            )
            cost = -score[:, slot_worker] + self.config.balance_penalty * fill[None, :]
            cost -= urgency[:, None]
            cost = np.where(eligible[:, slot_worker], cost, _INFEASIBLE)
            rows, cols = linear_sum_assignment(cost)
            for i, c in zip(rows, cols, strict=True):
                if cost[i, c] < _INFEASIBLE / 2:
                    j = slot_worker[c]
                    assigned[i] = str(self._ids[j])
                    scores[i] = float(score[i, j])
        greedy_ids, greedy_scores = self._greedy(score, eligible, urgency)
        quality, spread, peak = self._summary(assigned, scores)
        g_quality, g_spread, g_peak = self._summary(greedy_ids, greedy_scores)
        return BatchAssignment(
            worker_ids=assigned,
            scores=scores,
            total_quality=quality,
            utilisation_std=spread,
            max_utilisation=peak,
            greedy_total_quality=g_quality,
            greedy_utilisation_std=g_spread,
            greedy_max_utilisation=g_peak,
            n_unassigned=sum(a is None for a in assigned),
            greedy_n_unassigned=sum(a is None for a in greedy_ids),
        )

    def _greedy(
        self, score: np.ndarray, eligible: np.ndarray, urgency: np.ndarray
    ) -> tuple[list[str | None], list[float | None]]:
        """Baseline: most urgent case first, each takes its best eligible worker with room."""
        load = self._load.copy()
        assigned: list[str | None] = [None] * len(score)
        scores: list[float | None] = [None] * len(score)
        for i in np.argsort(-urgency, kind="stable"):
            room = eligible[i] & (load < self._capacity)
            if not room.any():
                continue
            j = int(np.argmax(np.where(room, score[i], -np.inf)))
            load[j] += 1
            assigned[i] = str(self._ids[j])
            scores[i] = float(score[i, j])
        return assigned, scores

    def _summary(
        self, assigned: list[str | None], scores: list[float | None]
    ) -> tuple[float, float, float]:
        index = {worker: j for j, worker in enumerate(self._ids)}
        load = self._load.copy()
        for worker in assigned:
            if worker is not None:
                load[index[worker]] += 1
        utilisation = load / np.maximum(self._capacity, 1)
        quality = float(sum(s for s in scores if s is not None))
        return quality, float(utilisation.std()), float(utilisation.max())
