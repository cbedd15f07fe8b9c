"""The unfairness switches: biases injected on purpose so that a fairness gate can be tested."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.schemas import (
    REFERRAL_SOURCES,
    REGIONS,
    SENSITIVE_ATTRIBUTES,
)

__all__ = [
    "PROXY_FIELDS",
    "GroupRef",
    "UnfairnessSwitches",
    "parse_group",
    "parse_proxy",
    "parse_underrepresent",
]

# Only fields with no causal effect on the true risk may carry a proxy, so that setting them
# changes what is recorded about a case, never how likely its crisis truly is.
PROXY_FIELDS: dict[str, tuple[str, ...]] = {
    "referral_source": REFERRAL_SOURCES,
    "region": REGIONS,
}


@dataclass(frozen=True, kw_only=True)
class GroupRef:
    """A group of people: one value of one sensitive attribute, e.g. race_ethnicity=Black."""

    attribute: str
    value: str

    def __str__(self) -> str:
        return f"{self.attribute}:{self.value}"


@dataclass(frozen=True, kw_only=True)
class UnfairnessSwitches:
    """Biases to inject. The defaults inject none.

    Parameters
    ----------
    target_group : GroupRef
        The group the label bias and the proxy act on (default race_ethnicity Black).
    label_bias : float
        Surveillance bias: the probability that a target-group case with no true crisis is
        nevertheless recorded as a crisis (``crisis_90d = 1``). 0 disables it.
    proxy_strength : float
        Probability that a target-group case gets ``proxy_field = proxy_value`` (by default
        ``referral_source = police``) whatever its needs. The label bias then concentrates on
        those cases (surveillance through police contact), so a model that never sees the
        group still learns to score it higher through the proxy. 0 disables it.
    proxy_field, proxy_value : str
        The structured field and value that carry the proxy.
    underrepresent : dict[GroupRef, float]
        Groups kept at a tiny share of the caseload, e.g. {race_ethnicity Native American: 0.004},
        so that an audit must answer "insufficient evidence" for them.
    """

    target_group: GroupRef = field(
        default_factory=lambda: GroupRef(attribute="race_ethnicity", value="Black")
    )
    label_bias: float = 0.0
    proxy_strength: float = 0.0
    proxy_field: str = "referral_source"
    proxy_value: str = "police"
    underrepresent: dict[GroupRef, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("label_bias", "proxy_strength"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {value}")
        if self.proxy_field not in PROXY_FIELDS:
            raise ValueError(
                f"proxy field must be one of {', '.join(PROXY_FIELDS)}, got {self.proxy_field!r}"
            )
        if self.proxy_value not in PROXY_FIELDS[self.proxy_field]:
            raise ValueError(
                f"proxy value {self.proxy_value!r} is not a value of {self.proxy_field} "
                f"({', '.join(PROXY_FIELDS[self.proxy_field])})"
            )
        for group, fraction in self.underrepresent.items():
            if not 0.0 <= fraction < 1.0:
                raise ValueError(f"under-represented fraction for {group} must lie in [0, 1)")

    @property
    def any_active(self) -> bool:
        return bool(self.label_bias or self.proxy_strength or self.underrepresent)

    def to_dict(self) -> dict:
        """A JSON-ready description, as written to the manifest."""
        data = {
            "target_group": asdict(self.target_group),
            "label_bias": self.label_bias,
            "proxy_strength": self.proxy_strength,
            "proxy_field": self.proxy_field,
            "proxy_value": self.proxy_value,
        }
        data["underrepresent"] = [
            {**asdict(group), "fraction": fraction}
            for group, fraction in sorted(self.underrepresent.items(), key=lambda kv: str(kv[0]))
        ]
        return data


def parse_group(text: str) -> GroupRef:
    """Parse ``VALUE`` (a race/ethnicity) or ``ATTRIBUTE:VALUE``, e.g. ``disability:yes``."""
    text = text.strip()
    if ":" in text:
        attribute, value = (part.strip() for part in text.split(":", 1))
    else:
        attribute, value = "race_ethnicity", text
    if attribute not in SENSITIVE_ATTRIBUTES:
        raise ValueError(
            f"unknown attribute {attribute!r} in group {text!r}; "
            f"use one of {', '.join(SENSITIVE_ATTRIBUTES)}"
        )
    if not value:
        raise ValueError(f"group {text!r} has an empty value")
    return GroupRef(attribute=attribute, value=value)


def parse_underrepresent(text: str) -> tuple[GroupRef, float]:
    """Parse ``GROUP=FRACTION``, e.g. ``Native American=0.004`` or ``disability:yes=0.01``."""
    group_text, sep, fraction_text = text.rpartition("=")
    if not sep or not group_text.strip():
        raise ValueError(f"expected GROUP=FRACTION, got {text!r}")
    try:
        fraction = float(fraction_text)
    except ValueError:
        raise ValueError(f"fraction in {text!r} is not a number") from None
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction in {text!r} must lie in [0, 1)")
    return parse_group(group_text), fraction


def parse_proxy(text: str) -> tuple[str, str]:
    """Parse ``FIELD=VALUE``, e.g. ``referral_source=police`` or ``region=south``."""
    field_name, sep, value = (part.strip() for part in text.partition("="))
    if not sep or field_name not in PROXY_FIELDS or value not in PROXY_FIELDS[field_name]:
        choices = "; ".join(f"{f}: {', '.join(v)}" for f, v in PROXY_FIELDS.items())
        raise ValueError(f"expected FIELD=VALUE with one of [{choices}], got {text!r}")
    return field_name, value
