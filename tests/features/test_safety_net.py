"""The safety net: warning signs of suicide, violence and child maltreatment said without
the keyword still reach the supervisor as safety needs, and tier 1."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.schemas import SAFETY_NEEDS
from features._resources import ResourceError
from features._safety_signs import load_safety_signs
from models import PriorityPolicy
from tests.features.conftest import by_need

SIGNS_SOURCE = Path(__file__).resolve().parents[2] / "features" / "data" / "safety_signs_src"

# Test sentences written for these tests from the published warning-sign lists (never from
# the corpus): each states a safety need by describing it, without its usual keyword.
DESCRIBED_SIGNS = [
    ("suicide_risk", "Pt took a handful of her pills after the fight with her mother."),
    ("suicide_risk", "Teen texter says she has been cutting her wrists again."),
    ("suicide_risk", "He has been giving away his guns and said goodbye to his kids."),
    ("interpersonal_violence", "He put his hands around her neck on Saturday."),
    ("interpersonal_violence", "Boyfriend tracks her phone and takes her whole paycheck."),
    ("child_safety", "Teacher saw loop-shaped marks on the 6 yo's back."),
    ("child_safety", "Neighbor says the toddler is left home alone overnight."),
]


@pytest.mark.parametrize(("need", "text"), DESCRIBED_SIGNS)
def test_described_warning_sign_is_an_active_safety_need(extractor, need, text):
    found = by_need(extractor.extract(text)).get(need)
    assert found is not None, f"{need} missed"
    assert (found["status"], found["experiencer"]) == ("present", "client")
    assert found["safety"] is True
    assert text[found["start"] : found["end"]] == found["evidence"]
    if found["confidence"] == "possible":
        assert found["basis"].startswith("warning sign:")


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("Denies wanting to die, denies any plan.", "suicide_risk"),
        ("Took a handful of pills in 2015, no attempts since.", "suicide_risk"),
        ("Client's sister was choked by her boyfriend last night.", "interpersonal_violence"),
    ],
)
def test_context_still_reads_the_signs(extractor, text, need):
    found = by_need(extractor.extract(text)).get(need)
    assert found is None or (found["status"], found["experiencer"]) != ("present", "client")


def test_lookalikes_do_not_fire(extractor):
    needs = by_need(extractor.extract("She is killing it at work and her kids are dying to visit."))
    assert not set(needs) & SAFETY_NEEDS


def test_a_possible_safety_need_puts_the_case_in_tier_1_and_says_so():
    needs = [
        {
            "need": "suicide_risk",
            "status": "present",
            "experiencer": "client",
            "confidence": "possible",
        }
    ]
    (decision,) = PriorityPolicy.load().decide([0.01], [needs])
    assert decision.tier == 1
    assert decision.possible_safety_needs == ("suicide_risk",)
    assert "possible" in decision.rule


def test_every_sign_cites_a_published_source_and_the_three_needs_are_covered():
    signs = load_safety_signs()
    assert {sign.need for sign in signs.signs} == SAFETY_NEEDS
    for sign in signs.signs:
        assert sign.sources
        assert all(s in signs.sources for s in sign.sources)
        assert sign.phrases or sign.groups


def test_the_signs_file_is_what_its_templates_generate(tmp_path):
    target = tmp_path / "safety_signs.yaml"
    subprocess.run(
        [sys.executable, "build.py", str(target)], cwd=SIGNS_SOURCE, check=True, timeout=120
    )
    assert target.read_text() == (SIGNS_SOURCE.parent / "safety_signs.yaml").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"sources": [{"id": "a", "title": "A"}]}, "missing 'signs'"),
        (
            {"sources": [], "signs": [{"need": "food_insecurity", "category": "x"}]},
            r"signs\[0\]\.need",
        ),
        (
            {
                "sources": [{"id": "a", "title": "A"}],
                "signs": [{"need": "suicide_risk", "category": "x", "source": ["b"]}],
            },
            r"signs\[0\]\.source",
        ),
        (
            {
                "sources": [{"id": "a", "title": "A"}],
                "signs": [
                    {
                        "need": "suicide_risk",
                        "category": "x",
                        "source": ["a"],
                        "near": {"window": 3, "groups": [["took pills"], ["x"]]},
                    }
                ],
            },
            r"near\.groups\[0\]",
        ),
    ],
)
def test_a_broken_signs_file_names_the_entry(tmp_path, content, message):
    path = tmp_path / "signs.yaml"
    path.write_text(yaml.safe_dump(content))
    with pytest.raises(ResourceError, match=message):
        load_safety_signs(path)


@pytest.mark.parametrize(
    "text",
    [
        "Adm after taking 40 paracetamol at home.",
        "Brought in after ingesting approx 30 sertraline 50 mg tabs.",
        '"burned my arm with a lighter again"',
        "Went onto the balcony and said he'd jump.",
    ],
)
def test_overdose_self_injury_and_jumping_told_as_acts_are_warning_signs(extractor, text):
    needs = {n["need"]: n for n in extractor.extract(text)}
    assert needs["suicide_risk"]["status"] == "present"


def test_child_maltreatment_signs_count_only_in_a_note_that_names_a_child(extractor):
    """An adult's injury is no child-maltreatment indicator; packed with a note about a
    child, each note keeps its own reading."""
    adult = "ED SW consult. 29F, orbital fx. Boyfriend hit her w/ closed fist."
    child = "Teacher reports the student came in with a black eye; dad hit him w/ closed fist."

    def child_signs(needs):
        return [
            m
            for n in needs
            if n["need"] == "child_safety"
            for m in n["mentions"]
            if m["source"] == "safety_net"
        ]

    alone = [extractor.extract(t, mentions=True) for t in (adult, child)]
    packed = list(extractor.extract_many([adult, child], mentions=True))
    assert packed == alone
    assert not child_signs(alone[0])
    assert child_signs(alone[1])
