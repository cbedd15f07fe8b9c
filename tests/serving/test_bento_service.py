"""The BentoML service classes in-process, as BentoML's testing guide does it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import in_process_client_class, make_case

# Importing bentoml's build config triggers a pathspec deprecation we cannot fix here.
pytestmark = pytest.mark.filterwarnings("ignore:GitWildMatchPattern:DeprecationWarning")


@pytest.fixture
def service_env(champion_env, tmp_path, monkeypatch):
    for key, value in champion_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CASETRIAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'svc.db'}")
    monkeypatch.setenv("CASETRIAGE_NOTE_KEY_FILE", str(tmp_path / "note.key"))


def test_scorer_scores_a_batch_with_the_champion(service_env, champion_env):
    from serving.service import TriageScorer

    scorer = TriageScorer()
    results = scorer.score([make_case("a"), make_case("b", prior_crises=4)])
    assert [r["case_id"] for r in results] == ["a", "b"]
    assert {r["model_version"] for r in results} == {
        champion_env["CASETRIAGE_TEST_CHAMPION_VERSION"]
    }
    assert scorer.model_version() == champion_env["CASETRIAGE_TEST_CHAMPION_VERSION"]


def test_api_service_wires_the_app_to_storage_and_scorer(service_env):
    from serving.api_keys import create_key
    from serving.audit_log import CLI_ACTOR
    from serving.service import TriageAPI, api_app

    service = TriageAPI()
    assert service.__is_ready__()
    store = api_app.state.runtime.store
    with store.sessions.begin() as session:
        key = create_key(session, role="case_system", name="svc", actor=CLI_ACTOR).key
    # in a thread of its own: Playwright's sync API may leave a loop running in this one
    with ThreadPoolExecutor(1) as thread:
        scored = thread.submit(asyncio.run, service._score_cases([make_case("c")])).result()
    assert scored[0].case_id == "c"
    with in_process_client_class()(api_app, raise_server_exceptions=False) as client:
        response = client.post("/v1/score", json=make_case("d"), headers={"X-API-Key": key})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending_review"
    api_app.state.runtime = None
