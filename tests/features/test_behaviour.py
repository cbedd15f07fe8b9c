"""Behavioural tests (Made-With-ML style): minimum functionality, directional, invariance."""

import pytest

from core.schemas import NEEDS, ExtractedNeed
from tests.features.cases_context import CONTEXT_CASES
from tests.features.cases_mft import MFT_CASES
from tests.features.conftest import by_need


def test_every_need_has_minimum_functionality_cases():
    assert set(MFT_CASES) == set(NEEDS)
    assert all(len(sentences) >= 4 for sentences in MFT_CASES.values())


@pytest.mark.parametrize(
    ("need", "text"), [(need, text) for need, texts in MFT_CASES.items() for text in texts]
)
def test_minimum_functionality(extractor, need, text):
    found = by_need(extractor.extract(text)).get(need)
    assert found is not None, f"{need} not found"
    assert (found["status"], found["experiencer"]) == ("present", "client")
    assert text[found["start"] : found["end"]] == found["evidence"]
    ExtractedNeed.model_validate(found)


@pytest.mark.parametrize(("text", "need", "status", "experiencer"), CONTEXT_CASES)
def test_directional_context(extractor, text, need, status, experiencer):
    found = by_need(extractor.extract(text)).get(need)
    assert found is not None, f"{need} not found"
    assert (found["status"], found["experiencer"]) == (status, experiencer)


@pytest.mark.parametrize(
    ("affirmed", "changed", "need", "status"),
    [
        ("Client is homeless.", "Client denies being homeless.", "homelessness", "negated"),
        ("Reports SI.", "Denies SI.", "suicide_risk", "negated"),
        ("Pt uses heroin.", "Pt has hx of heroin use.", "substance_use", "historical"),
        (
            "She lost her job.",
            "If the store closes she will lose her job.",
            "employment",
            "hypothetical",
        ),
        ("Client is uninsured.", "Client's sister is uninsured.", "health_insurance", "present"),
    ],
)
def test_adding_a_trigger_changes_only_that_label(extractor, affirmed, changed, need, status):
    before = by_need(extractor.extract(affirmed))[need]
    after = by_need(extractor.extract(changed))[need]
    assert (before["status"], before["experiencer"]) == ("present", "client")
    expected_experiencer = "other" if "sister" in changed else "client"
    assert (after["status"], after["experiencer"]) == (status, expected_experiencer)


NOTE_TEMPLATE = (
    "{name} (DOB 04/02/1988) came to the {place} office. {pronoun} was evicted last week and is "
    "staying at the shelter on {street}. Denies SI/HI. {name} has hx of alcohol use, sober since "
    "2016. Her sister in {city} may be able to help with childcare if {name} finds work."
)


@pytest.mark.parametrize(
    ("name", "place", "street", "city", "pronoun"),
    [
        ("Maria Lopez", "Eastside", "Main St", "Phoenix", "She"),
        ("Nguyen Thi Lan", "Riverside", "Pho Hue Ave", "Houston", "She"),
        ("Aaliyah Washington", "Harlem", "Lenox Ave", "Atlanta", "She"),
        ("John Smith", "Northgate", "Elm Street", "Boise", "He"),
        ("Abdi Mohamed", "Cedar-Riverside", "Riverside Ave", "Minneapolis", "He"),
    ],
)
def test_invariance_to_names_and_places(extractor, name, place, street, city, pronoun):
    text = NOTE_TEMPLATE.format(name=name, place=place, street=street, city=city, pronoun=pronoun)
    labels = {(n["need"], n["status"], n["experiencer"]) for n in extractor.extract(text)}
    reference = NOTE_TEMPLATE.format(
        name="Client", place="county", street="First St", city="town", pronoun="She"
    )
    expected = {(n["need"], n["status"], n["experiencer"]) for n in extractor.extract(reference)}
    assert labels == expected
    assert ("homelessness", "present", "client") in labels
    assert ("suicide_risk", "negated", "client") in labels
    assert ("substance_use", "historical", "client") in labels


def test_home_visit_assessment_with_headings(extractor):
    text = (
        "Presenting problem\n"
        "Family referred by school for attendance. Mom reports hours cut at work.\n\n"
        "Household\n"
        "Lives with 3 children; her mother is on dialysis and has no ride to treatment.\n\n"
        "Safety\n"
        "SI/HI: denies. DV: none reported.\n\n"
        "Plan\n"
        "F/u in 2 wks w/ SNAP application. If benefits are delayed, refer to food bank."
    )
    needs = by_need(extractor.extract(text))
    assert (needs["employment"]["status"], needs["employment"]["experiencer"]) == (
        "present",
        "client",
    )
    assert needs["suicide_risk"]["status"] == "negated"
    assert needs["interpersonal_violence"]["status"] == "negated"
    assert needs["transportation"]["experiencer"] == "other"
    assert needs["food_insecurity"]["status"] == "hypothetical"


def test_telegraphic_hotline_summary(extractor):
    text = (
        "29F, DV hx w/ ex, now w/ new bf who choked her last night. No SI. 2 kids. "
        "Needs shelter tonight."
    )
    needs = by_need(extractor.extract(text))
    assert needs["interpersonal_violence"]["status"] == "present"
    assert needs["interpersonal_violence"]["experiencer"] == "client"
    assert needs["suicide_risk"]["status"] == "negated"
    assert needs["homelessness"]["status"] == "present"


def test_screening_questionnaire_answers(extractor):
    text = (
        "Hunger Vital Sign\n"
        "Worried food would run out before we got money to buy more: often true\n"
        "In the past 12 months has the electric, gas, oil or water company threatened to shut off "
        "services in your home? No\n"
        "Do you have trouble getting transportation to medical appointments? Yes\n"
    )
    needs = by_need(extractor.extract(text))
    assert needs["food_insecurity"]["status"] == "present"
    assert needs["utilities"]["status"] == "negated"
    assert needs["transportation"]["status"] == "present"


def test_one_entry_per_need_present_for_client_wins(extractor):
    text = (
        "Denies homelessness in the past. Currently homeless, sleeping in car. "
        "May stay in a shelter."
    )
    needs = extractor.extract(text, mentions=True)
    homeless = [n for n in needs if n["need"] == "homelessness"]
    assert len(homeless) == 1
    assert (homeless[0]["status"], homeless[0]["experiencer"]) == ("present", "client")
    statuses = {m["status"] for m in homeless[0]["mentions"]}
    assert {"present", "negated"} <= statuses


@pytest.mark.parametrize(
    ("text", "need", "status", "experiencer"),
    [
        # dependent children's needs are the client's; an adult child's are not
        (
            "Her kids have been skipping meals since her SNAP was cut.",
            "food_insecurity",
            "present",
            "client",
        ),
        ("Daughter (6) has an abscessed tooth, no dentist.", "medical_care", "present", "client"),
        ("Her adult son (34) was evicted last month.", "housing_instability", "present", "other"),
        # the past: attempts, sobriety, a home found again
        (
            "Pt attempted suicide by overdose in 2018; no attempts since.",
            "suicide_risk",
            "historical",
            "client",
        ),
        ("Sober since 2015, attends AA weekly.", "substance_use", "historical", "client"),
        ("Was homeless in 2019, housed since.", "homelessness", "historical", "client"),
        # screener answers decide the status
        (
            "Within the past 12 months we worried whether our food would run out before we got "
            "money to buy more: often true",
            "food_insecurity",
            "present",
            "client",
        ),
        (
            "Within the past 12 months we worried whether our food would run out before we got "
            "money to buy more: never true",
            "food_insecurity",
            "negated",
            "client",
        ),
        ("EPDS item 10 (thought of harming myself): never.", "suicide_risk", "negated", "client"),
        ("Utilities - threatened to shut off: No", "utilities", "negated", "client"),
    ],
)
def test_status_and_experiencer_follow_the_label_guide(extractor, text, need, status, experiencer):
    found = by_need(extractor.extract(text)).get(need)
    assert found is not None, f"{need} not found"
    assert (found["status"], found["experiencer"]) == (status, experiencer)


def test_a_heading_names_a_topic_not_a_finding(extractor):
    text = "HOME VISIT\nSubstance use\nDenies alcohol or drugs.\nUtilities\nAll current.\n"
    needs = by_need(extractor.extract(text))
    assert ("substance_use" not in needs) or needs["substance_use"]["status"] == "negated"
    assert "utilities" not in needs or needs["utilities"]["status"] != "present"


@pytest.mark.parametrize(
    "heading", ["Housing / Utilities", "Mental health / Substance use", "Utilities"]
)
def test_a_heading_split_by_a_separator_or_followed_by_a_quote_is_still_a_heading(
    extractor, heading
):
    text = f'Home visit 3/2.\n\n{heading}\n"We are fine." Rent paid, lights on.\n'
    needs = by_need(extractor.extract(text))
    for need in ("utilities", "mental_health", "substance_use"):
        assert need not in needs or needs[need]["status"] != "present", (need, needs[need])


def test_a_notes_title_line_names_why_it_was_written(extractor):
    """The first line of a note is its title, not a section heading: "DV / Protection
    Order Intake" states the reason for the referral."""
    text = "DV / Protection Order Intake\nClient: 33F. Respondent: ex-partner.\n"
    assert by_need(extractor.extract(text))["interpersonal_violence"]["status"] == "present"
