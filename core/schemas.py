"""Data contracts shared by every package: needs, case fields, sensitive attributes.

These names are the vocabulary of the whole system. The needs and their labels follow
``shared/intake_notes/README.md``; the case columns are what the synthetic generator
writes, what the risk model reads and what the API accepts.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CASE_CATEGORICAL_FIELDS",
    "CASE_NUMERIC_FIELDS",
    "CONFIDENCES",
    "EXPERIENCERS",
    "MODEL_INPUT_FIELDS",
    "NEEDS",
    "SAFETY_NEEDS",
    "SENSITIVE_ATTRIBUTES",
    "STATUSES",
    "CaseFields",
    "ExtractedNeed",
    "is_active",
]


NeedName = Literal[
    "housing_instability",
    "homelessness",
    "food_insecurity",
    "financial_strain",
    "utilities",
    "employment",
    "transportation",
    "health_insurance",
    "medical_care",
    "mental_health",
    "substance_use",
    "suicide_risk",
    "interpersonal_violence",
    "child_safety",
    "social_isolation",
    "legal",
    "childcare",
]
Status = Literal["present", "negated", "historical", "hypothetical"]
Experiencer = Literal["client", "other"]
#: ``possible``: only the safety net saw it (a warning sign the main extractor did not
#: confirm); it still counts as present, so the case reaches tier 1 and a person looks.
Confidence = Literal["confident", "possible"]
#: What found the evidence: a lexicon phrase, the trained sentence classifier, or the
#: safety net's warning signs.
NeedSource = Literal["lexicon", "model", "safety_net"]

NEEDS: tuple[str, ...] = get_args(NeedName)
STATUSES: tuple[str, ...] = get_args(Status)
EXPERIENCERS: tuple[str, ...] = get_args(Experiencer)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)
SAFETY_NEEDS: frozenset[str] = frozenset({"suicide_risk", "interpersonal_violence", "child_safety"})

# Structured case fields. The risk model may read MODEL_INPUT_FIELDS only; the
# preferred language is used to match caseworkers, never to score risk.
CASE_NUMERIC_FIELDS: tuple[str, ...] = (
    "age",
    "household_size",
    "n_children",
    "prior_referrals",
    "prior_crises",
)
CASE_CATEGORICAL_FIELDS: tuple[str, ...] = (
    "income_band",
    "housing_type",
    "referral_source",
    "region",
)
MODEL_INPUT_FIELDS: tuple[str, ...] = CASE_NUMERIC_FIELDS + CASE_CATEGORICAL_FIELDS
SENSITIVE_ATTRIBUTES: tuple[str, ...] = ("race_ethnicity", "sex", "age_band", "disability")

IncomeBand = Literal["none", "under_15k", "15k_30k", "30k_50k", "over_50k"]
HousingType = Literal["renting", "owner", "public_housing", "with_family", "shelter", "unhoused"]
ReferralSource = Literal[
    "self", "hospital", "school", "police", "hotline", "court", "community_org"
]
Region = Literal["north", "south", "east", "west", "central"]
Language = Literal["en", "es", "vi", "zh", "ar", "so"]

INCOME_BANDS: tuple[str, ...] = get_args(IncomeBand)
HOUSING_TYPES: tuple[str, ...] = get_args(HousingType)
REFERRAL_SOURCES: tuple[str, ...] = get_args(ReferralSource)
REGIONS: tuple[str, ...] = get_args(Region)
LANGUAGES: tuple[str, ...] = get_args(Language)


class ExtractedNeed(BaseModel):
    """One mention of a need in a note, as ``casetriage extract`` writes it."""

    model_config = ConfigDict(extra="forbid")

    need: NeedName
    status: Status
    experiencer: Experiencer
    start: int = Field(ge=0, description="character offset of the evidence in the note")
    end: int = Field(ge=0, description="end offset (exclusive) of the evidence")
    evidence: str = Field(description="text[start:end]")
    code: str | None = Field(default=None, description="ICD-10-CM code, e.g. Z59.0")
    safety: bool = Field(default=False, description="suicide risk, violence or child safety")
    confidence: Confidence = Field(
        default="confident",
        description="'possible' when only the safety net's warning signs found it",
    )
    source: NeedSource = Field(default="lexicon", description="what found the evidence")
    basis: str = Field(default="", description="why it was found, in plain words")


def is_active(need: ExtractedNeed | dict) -> bool:
    """A need is active when it is present now for the client."""
    if isinstance(need, dict):
        return need["status"] == "present" and need["experiencer"] == "client"
    return need.status == "present" and need.experiencer == "client"


class CaseFields(BaseModel):
    """The structured fields of a case, as the API and the risk model receive them."""

    model_config = ConfigDict(extra="forbid")

    age: int = Field(ge=0, le=120)
    household_size: int = Field(ge=1, le=30)
    n_children: int = Field(ge=0, le=25)
    prior_referrals: int = Field(ge=0, le=1000, description="referrals in the last 12 months")
    prior_crises: int = Field(ge=0, le=1000, description="crises in the last 12 months")
    income_band: IncomeBand
    housing_type: HousingType
    referral_source: ReferralSource
    region: Region
    preferred_language: Language = "en"
