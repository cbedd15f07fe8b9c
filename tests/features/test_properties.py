"""Property: on any text, every evidence is the text between its offsets."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.schemas import NEEDS, ExtractedNeed

WORDS = st.sampled_from(
    [
        "homeless",
        "denies",
        "SI/HI",
        "no",
        "hx",
        "of",
        "DV",
        "if",
        "her",
        "mother",
        "is",
        "behind",
        "on",
        "rent",
        "food",
        "would",
        "run",
        "out",
        ":",
        "often",
        "true",
        "\n",
        "Pt",
        "cl",
        "w/",
        "f/u",
        ",",
        ".",
        ";",
        "?",
        "é",
        "🙂",
        "\u00a0",
        "  ",
        "sober",
        "since",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=60).map(" ".join),
    st.lists(WORDS, max_size=60).map("".join),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXTS)
def test_evidence_matches_offsets_on_arbitrary_text(extractor, text):
    needs = extractor.extract(text, mentions=True)
    assert len({n["need"] for n in needs}) == len(needs)
    for need in needs:
        assert need["need"] in NEEDS
        assert 0 <= need["start"] < need["end"] <= len(text)
        assert text[need["start"] : need["end"]] == need["evidence"]
        for mention in need["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["evidence"]
        ExtractedNeed.model_validate({k: v for k, v in need.items() if k != "mentions"})


def test_chunked_long_text_keeps_offsets(extractor):

    filler = "Client attended appointment and discussed goals. " * 50
    text = filler + "Pt is homeless.\n" + filler + "Denies SI."
    small = extractor.resized(chunk_chars=500)
    needs = {n["need"]: n for n in small.extract(text)}
    assert needs == {n["need"]: n for n in extractor.extract(text)}
    assert text[needs["homelessness"]["start"] : needs["homelessness"]["end"]] == "homeless"
