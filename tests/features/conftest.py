import pytest

from features import get_extractor


@pytest.fixture(scope="session")
def extractor():
    """The real, process-wide extractor (built once per test session)."""
    return get_extractor()


def by_need(needs: list[dict]) -> dict[str, dict]:
    return {n["need"]: n for n in needs}
