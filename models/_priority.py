"""Priority tiers from a versioned policy file: safety needs first, then risk thresholds."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from core.schemas import SAFETY_NEEDS
from models._featurize import active_needs

__all__ = ["PriorityPolicy", "PriorityPolicyError", "TierDecision", "default_policy_path"]


class PriorityPolicyError(ValueError):
    """The priority policy file is missing or has an invalid field."""


@dataclass(frozen=True, kw_only=True)
class TierDecision:
    """A suggested tier and the rule that produced it."""

    tier: int
    label: str
    rule: str
    #: the safety needs that forced the tier, and those of them only the safety net saw
    #: (``confidence: possible``): a person must check those first
    safety_needs: tuple[str, ...] = ()
    possible_safety_needs: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "tier": self.tier,
            "label": self.label,
            "rule": self.rule,
            "safety_needs": list(self.safety_needs),
            "possible_safety_needs": list(self.possible_safety_needs),
        }


def default_policy_path() -> Path:
    """The shipped ``core/config/priority_policy.yaml``."""
    from core.config import config_file

    return config_file("priority_policy.yaml")


@dataclass(frozen=True, kw_only=True)
class PriorityPolicy:
    """How a probability and the extracted needs become a tier.

    Tier 1 is reserved for the safety override: any safety need present for the client puts
    the case in tier 1 whatever the model says. Tiers 2 and below are reached by the highest
    ``min_probability`` the case's probability meets.

    Parameters
    ----------
    labels : dict of int to str
        Label of each tier.
    thresholds : dict of int to float
        ``min_probability`` of each risk-based tier (2, 3, …, the last one at 0).
    safety_needs : frozenset of str
        Needs that force the safety tier.
    safety_tier : int
    capacity_window_days, capacity_max_share, capacity_min_recent
        The optional capacity mode (see ``with_capacity_thresholds``).
    sha256 : str
        Hash of the policy file's bytes, reported with every decision.
    threshold_source : str
        ``"policy"`` or a description of the recent scores thresholds came from.
    """

    labels: dict[int, str]
    thresholds: dict[int, float]
    safety_needs: frozenset[str]
    safety_tier: int
    capacity_window_days: int
    capacity_max_share: dict[int, float]
    capacity_min_recent: int
    sha256: str
    threshold_source: str = "policy"

    @classmethod
    def load(cls, path: str | Path | None = None) -> PriorityPolicy:
        path = Path(path) if path is not None else default_policy_path()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PriorityPolicyError(
                f"cannot read priority policy {path}: {error.strerror}"
            ) from None
        return cls.from_yaml_bytes(data, source=str(path))

    @classmethod
    def from_yaml_bytes(cls, data: bytes, *, source: str = "<policy>") -> PriorityPolicy:
        try:
            raw = yaml.safe_load(data)
            safety = raw["safety_override"]
            labels = {int(t["tier"]): str(t["label"]) for t in raw["tiers"]}
            thresholds = {
                int(t["tier"]): float(t["min_probability"])
                for t in raw["tiers"]
                if "min_probability" in t
            }
            capacity = raw.get("capacity") or {}
            policy = cls(
                labels=labels,
                thresholds=thresholds,
                safety_needs=frozenset(safety["needs"]),
                safety_tier=int(safety["tier"]),
                capacity_window_days=int(capacity.get("window_days", 30)),
                capacity_max_share={
                    int(k): float(v) for k, v in capacity.get("max_share", {}).items()
                },
                capacity_min_recent=int(capacity.get("min_recent_scores", 100)),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise PriorityPolicyError(f"{source}: invalid priority policy ({error!r})") from None
        policy._validate(source)
        return policy

    def _validate(self, source: str) -> None:
        unknown = self.safety_needs - SAFETY_NEEDS
        if not self.safety_needs or unknown:
            raise PriorityPolicyError(
                f"{source}: safety_override.needs must be safety needs, got {sorted(unknown)}"
            )
        if self.safety_tier not in self.labels:
            raise PriorityPolicyError(f"{source}: safety_override.tier has no label in tiers")
        if self.safety_tier in self.thresholds:
            raise PriorityPolicyError(
                f"{source}: tier {self.safety_tier} is the safety tier and takes no min_probability"
            )
        if not self.thresholds or min(self.thresholds.values()) != 0.0:
            raise PriorityPolicyError(f"{source}: the last tier needs min_probability: 0.0")
        ordered = [self.thresholds[t] for t in sorted(self.thresholds)]
        if any(a <= b for a, b in itertools.pairwise(ordered)):
            raise PriorityPolicyError(
                f"{source}: min_probability must fall as the tier number rises"
            )
        if any(not 0 <= p <= 1 for p in ordered):
            raise PriorityPolicyError(f"{source}: min_probability must lie in [0, 1]")
        for tier, share in self.capacity_max_share.items():
            if tier not in self.thresholds or not 0 < share < 1:
                raise PriorityPolicyError(
                    f"{source}: capacity.max_share.{tier} must be a risk tier with 0 < share < 1"
                )

    def decide(
        self, probabilities: Sequence[float], needs: Sequence[Sequence[dict]]
    ) -> list[TierDecision]:
        """Tier of each case from its calibrated probability and its extracted needs."""
        probabilities = np.asarray(probabilities, dtype=np.float64)
        if len(probabilities) != len(needs):
            raise ValueError("probabilities and needs must describe the same cases")
        ordered = sorted(self.thresholds.items(), key=lambda item: -item[1])
        decisions = []
        for probability, case_needs in zip(probabilities, needs, strict=True):
            active = [n for n in active_needs(case_needs) if n["need"] in self.safety_needs]
            safety = sorted({n["need"] for n in active})
            if safety:
                possible = sorted(
                    {n["need"] for n in active if n.get("confidence") == "possible"}
                    - {n["need"] for n in active if n.get("confidence") != "possible"}
                )
                rule = f"safety_override: {', '.join(safety)} present for the client"
                if possible:
                    rule += f" ({', '.join(possible)} possible: warning signs to check)"
                decisions.append(
                    TierDecision(
                        tier=self.safety_tier,
                        label=self.labels[self.safety_tier],
                        rule=rule,
                        safety_needs=tuple(safety),
                        possible_safety_needs=tuple(possible),
                    )
                )
                continue
            for tier, minimum in ordered:
                if probability >= minimum:
                    decisions.append(
                        TierDecision(
                            tier=tier,
                            label=self.labels[tier],
                            rule=f"probability {probability:.3f} >= {minimum:.3f} "
                            f"({self.threshold_source})",
                        )
                    )
                    break
        return decisions

    def with_capacity_thresholds(
        self, recent_scores: pd.DataFrame, *, now: datetime | None = None
    ) -> PriorityPolicy:
        """Thresholds such that each tier holds at most its share of recent cases.

        ``recent_scores`` has columns ``scored_at`` (datetime) and ``probability``. For a
        tier with ``max_share`` s, its threshold becomes the (1 - cumulative share) quantile
        of the probabilities of the last ``window_days``, and never lower than the policy's
        fixed threshold, so capacity can only make a tier stricter. With fewer recent
        scores than ``min_recent_scores`` the fixed thresholds stay.
        """
        missing = {"scored_at", "probability"} - set(recent_scores.columns)
        if missing:
            raise ValueError(f"recent_scores: missing column(s) {', '.join(sorted(missing))}")
        scored_at = pd.to_datetime(recent_scores["scored_at"], utc=True)
        now_ts = pd.Timestamp(now or datetime.now().astimezone()).tz_convert("UTC")
        window = scored_at >= now_ts - timedelta(days=self.capacity_window_days)
        recent = recent_scores.loc[window.to_numpy(), "probability"].astype(float).to_numpy()
        if len(recent) < self.capacity_min_recent:
            return self
        thresholds = dict(self.thresholds)
        cumulative = 0.0
        for tier in sorted(self.capacity_max_share):
            cumulative += self.capacity_max_share[tier]
            quantile = float(np.quantile(recent, 1.0 - min(cumulative, 1.0)))
            thresholds[tier] = max(thresholds[tier], quantile)
        ordered = sorted(thresholds)
        for previous, tier in itertools.pairwise(ordered):
            if thresholds[tier] > thresholds[previous]:
                thresholds[tier] = thresholds[previous]
        return replace(
            self,
            thresholds=thresholds,
            threshold_source=f"capacity: {len(recent)} scores of the last "
            f"{self.capacity_window_days} days",
        )
