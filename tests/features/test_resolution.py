"""How one mention is chosen to stand for a safety need (features._resolution.choose)."""

from features._resolution import Bars, Candidate, Reading, choose

BARS = Bars(threshold=0.4, possible_threshold=0.3, active=0.45, active_possible=0.1)


def _model(p_active: float) -> Candidate:
    reading = Reading(p_need=0.6, p_active=p_active, status="present", experiencer="client")
    return Candidate(
        "suicide_risk",
        "present",
        "client",
        40,
        60,
        "everything is too much",
        source="model",
        probability=0.35,
        reading=reading,
    )


DENIAL = Candidate(
    "suicide_risk", "negated", "client", 0, 5, "Denies SI", rule_reading=("negated", "client")
)
SIGN = Candidate(
    "suicide_risk",
    "present",
    "client",
    70,
    90,
    "better off without me",
    source="safety_net",
    rule_reading=("present", "client"),
)


def test_a_sentence_that_sounds_like_the_need_is_a_possible_one():
    choice = choose([_model(0.2)], bars=BARS, safety=True)
    assert choice is not None
    assert choice.confidence == "possible"


def test_a_plain_denial_raises_the_classifiers_bar_for_a_possible():
    choice = choose([DENIAL, _model(0.2)], bars=BARS, safety=True)
    assert choice is not None
    assert choice.chosen.status == "negated"
    # ... to the confident bar, not beyond it
    choice = choose([DENIAL, _model(0.5)], bars=BARS, safety=True)
    assert choice is not None
    assert choice.chosen.status == "present"


def test_a_warning_sign_outweighs_a_denial():
    choice = choose([DENIAL, SIGN, _model(0.2)], bars=BARS, safety=True)
    assert choice is not None
    assert choice.confidence == "possible"
    assert choice.chosen.source == "safety_net"
