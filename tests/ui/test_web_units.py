"""The parts of the web pages that need no server: session cookies, config, highlighting."""

from __future__ import annotations

import time

import pytest

from core.config import ConfigError
from core.scoring import ScoredNeed, ScoreResult, TierSuggestion
from serving.web import SessionCodec, WebConfig, WebSession
from serving.web.note_highlight import note_segments
from serving.web.page_auth import safe_next
from serving.web.review_pages import _decision_from_form, plain_risk_sentence

NOTE = "Cl got an eviction notice, kids skipping meals; denies SI. Mother was homeless in 2019."
NEEDS = [
    {
        "need": "housing_instability",
        "status": "present",
        "experiencer": "client",
        "start": 10,
        "end": 25,
        "evidence": "eviction notice",
    },
    {
        "need": "suicide_risk",
        "status": "negated",
        "experiencer": "client",
        "start": 55,
        "end": 57,
        "evidence": "SI",
    },
    {
        "need": "homelessness",
        "status": "historical",
        "experiencer": "other",
        "start": 70,
        "end": 78,
        "evidence": "homeless",
        "mentions": [
            {
                "start": 70,
                "end": 78,
                "evidence": "homeless",
                "status": "historical",
                "experiencer": "other",
            }
        ],
    },
]


def test_session_round_trip_and_tampering(tmp_path):
    codec = SessionCodec(key_file=tmp_path / "secrets" / "web.key")
    session = WebSession.start(key_id="abc123def456", role="supervisor", max_age_s=60)
    value = codec.encode(session)
    assert codec.decode(value) == session
    assert (tmp_path / "secrets" / "web.key").stat().st_mode & 0o777 == 0o600
    _, signature = value.split(".")
    forged = codec.encode(WebSession(**{**session.__dict__, "role": "admin"})).split(".")[0]
    assert codec.decode(f"{forged}.{signature}") is None
    assert codec.decode(value + "0") is None
    assert codec.decode("not-a-cookie") is None
    assert SessionCodec(secret=b"x" * 64).decode(value) is None  # another server's secret
    assert codec.decode(value, now=time.time() + 61) is None  # expired
    assert SessionCodec(key_file=tmp_path / "secrets" / "web.key").decode(value) == session


def test_csrf_token_compare():
    session = WebSession.start(key_id="k", role="supervisor", max_age_s=60)
    assert session.csrf_matches(session.csrf_token)
    assert not session.csrf_matches(None)
    assert not session.csrf_matches("")
    assert not session.csrf_matches(session.csrf_token[:-1] + "x")


def test_web_config_names_bad_settings(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("secure_cookies: yes please\n")
    with pytest.raises(ConfigError, match=r"web\.yaml: secure_cookies: Input should be a valid"):
        WebConfig.load(path)
    path.write_text("secure_cookies: false\nsession_max_age: 10\n")
    with pytest.raises(ConfigError, match="session_max_age: Extra inputs are not permitted"):
        WebConfig.load(path)
    path.write_text("secure_cookies: true\nqueue_page_size: 0\n")
    with pytest.raises(ConfigError, match="queue_page_size: Input should be greater than"):
        WebConfig.load(path)
    path.write_text("queue_page_size: 10\n")
    with pytest.raises(ConfigError, match="secure_cookies: Field required"):
        WebConfig.load(path)
    with pytest.raises(ConfigError, match="cannot read"):
        WebConfig.load(tmp_path / "missing.yaml")
    path.write_text("secure_cookies: true\n")
    assert WebConfig.load(path).secure_cookies is True
    assert WebConfig.load().secure_cookies is False  # the repo's file: plain http locally


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ui/cases/abc", "/ui/cases/abc"),
        ("https://evil.example/ui/", None),
        ("//evil.example/ui/", None),
        ("/ui/../v1/queue", None),
        ("/v1/queue", None),
        (None, None),
    ],
)
def test_sign_in_redirects_stay_on_the_pages(path, expected):
    assert safe_next(path) == expected


def test_segments_cover_the_note_and_mark_every_mention():
    segments = note_segments(NOTE, _typed(NEEDS))
    assert "".join(s.text for s in segments) == NOTE
    marked = [(s.text, s.mention.active, s.mention.description) for s in segments if s.mention]
    assert marked == [
        ("eviction notice", True, "housing instability: present for the client"),
        ("SI", False, "suicide risk: ruled out (not counted)"),
        ("homeless", False, "homelessness: in the past, about another person (not counted)"),
    ]


def test_overlaps_keep_the_evidence_that_counts_and_bad_offsets_are_dropped():
    text = "at risk of eviction"
    needs = [
        {"need": "homelessness", "status": "hypothetical", "experiencer": "client",
         "start": 0, "end": 19, "evidence": text},
        {"need": "housing_instability", "status": "present", "experiencer": "client",
         "start": 11, "end": 19, "evidence": "eviction"},
        {"need": "legal", "status": "present", "experiencer": "client",
         "start": 3, "end": 7, "evidence": "WRONG"},
    ]  # fmt: skip
    segments = note_segments(text, _typed(needs))
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.mention.need) for s in segments if s.mention] == [
        ("eviction", "housing_instability")
    ]


RESULT = ScoreResult.model_validate(
    {
        "needs": [],
        "risk": {"probability": 0.31, "reasons": []},
        "tier": {"tier": 3, "label": "within 2 weeks", "rule": "probability 0.310 >= 0.200"},
        "workers": [{"worker_id": "w1", "name": "A", "score": 1.0, "reasons": []}],
    }
)


def _typed(needs: list[dict]) -> list[ScoredNeed]:
    return [ScoredNeed.model_validate(need) for need in needs]


def _with_tier(**tier) -> ScoreResult:
    return RESULT.model_copy(update={"tier": TierSuggestion(**tier)})


def test_plain_sentence_says_estimate_tier_and_safety_rule():
    assert plain_risk_sentence(RESULT) == (
        "The model estimates a 31% chance of a crisis within 90 days, so it suggests "
        "tier 3 (within 2 weeks)."
    )
    safety = _with_tier(
        tier=1,
        label="same day",
        rule="safety_override: interpersonal_violence present for the client",
        safety_needs=["interpersonal_violence"],
    )
    assert plain_risk_sentence(safety).endswith(
        "because the note mentions interpersonal violence for the client, whatever the estimate."
    )
    possible = _with_tier(
        tier=1,
        label="same day",
        rule="safety_override: suicide_risk present for the client (suicide_risk possible)",
        safety_needs=["suicide_risk"],
        possible_safety_needs=["suicide_risk"],
    )
    assert plain_risk_sentence(possible).endswith(
        "suicide risk rests on evidence the extractor is unsure of (a warning sign or a weak "
        "score): check it in the note."
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "override", "tier": "1", "worker_id": "w1", "reason": " "}, "reason: "),
        ({"action": "override", "tier": "3", "worker_id": "w1", "reason": "why"}, "tier: an "),
        ({"action": "override", "tier": "9", "worker_id": "w1", "reason": "why"}, "tier: choose"),
        ({"action": "delete"}, "action: choose"),
    ],
)
def test_bad_decisions_are_refused_with_the_field(fields, message):
    with pytest.raises(ValueError, match=message):
        _decision_from_form(fields, RESULT, tiers=(1, 2, 3, 4))


def test_override_sends_only_what_changed():
    decision = _decision_from_form(
        {"action": "override", "tier": "1", "worker_id": "w1", "reason": "threat"},
        RESULT,
        tiers=(1, 2, 3, 4),
    )
    assert (decision.tier, decision.worker_id, decision.reason) == (1, None, "threat")
    worker_only = _decision_from_form(
        {"action": "override", "tier": "3", "worker_id": "w2", "reason": "continuity"},
        RESULT,
        tiers=(1, 2, 3, 4),
    )
    assert (worker_only.tier, worker_only.worker_id) == (None, "w2")
