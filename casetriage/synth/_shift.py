"""A population shift: the caseload after a release changing in ways the model never saw.

Monitoring is tested against it: the same seed with and without a shift gives the same
people drawn from shifted distributions, so a drift report must see a shifted caseload
and stay quiet on an unchanged one. All shifts are in the generator's own units.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["SHIFT_KEYS", "PopulationShift", "parse_shift"]

#: What can shift, and in which units.
SHIFT_KEYS = {
    "adversity": "mean of the latent adversity (SD units): needs, income, housing, contacts",
    "income": "the income score (SD units; negative is poorer)",
    "housing": "log-odds of shelter and of being unhoused",
    "age": "years added to every client's age (capped at 120)",
}


@dataclass(frozen=True, kw_only=True)
class PopulationShift:
    """Shifts of the population's distributions; zero shifts change nothing."""

    adversity: float = 0.0
    income: float = 0.0
    housing: float = 0.0
    age: float = 0.0

    @property
    def any_active(self) -> bool:
        return any(asdict(self).values())

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def parse_shift(text: str) -> PopulationShift:
    """Parse ``KEY=NUMBER[,KEY=NUMBER...]``, e.g. ``income=-0.8,housing=1.5``."""
    values: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, number = (part.strip() for part in item.partition("="))
        if not sep or key not in SHIFT_KEYS:
            raise ValueError(
                f"expected KEY=NUMBER with KEY one of {', '.join(SHIFT_KEYS)}, got {item!r}"
            )
        try:
            values[key] = float(number)
        except ValueError:
            raise ValueError(f"shift {key}: {number!r} is not a number") from None
    return PopulationShift(**values)
