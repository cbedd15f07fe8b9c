"""The real service over HTTP: ``bentoml serve`` with the champion, scoring to decision."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from serving.audit_log import verify_chain
from serving.runtime import open_store

from .conftest import start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

NOTE = "Cl Dana Example got an eviction notice, kids skipping meals; denies SI."


def case(case_id: str, **changes) -> dict:
    body = {
        "case_id": case_id,
        "note": NOTE,
        "age": 34,
        "household_size": 4,
        "n_children": 2,
        "prior_referrals": 1,
        "prior_crises": 2,
        "income_band": "under_15k",
        "housing_type": "renting",
        "referral_source": "self",
        "region": "north",
        "audit_attributes": {"race_ethnicity": "group_b", "sex": "female"},
    }
    return body | changes


def test_score_review_and_decide_over_http(live_server):
    url, keys = live_server.url, live_server.keys
    system = {"X-API-Key": keys["case_system"]}
    supervisor = {"X-API-Key": keys["supervisor"]}
    with httpx.Client(base_url=url, timeout=60) as client:
        first = client.post(
            "/v1/score", json=case("e2e-1"), headers=system | {"Idempotency-Key": "k1"}
        )
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["status"] == "pending_review"
        assert any(
            n["need"] == "housing_instability" and n["status"] == "present" for n in body["needs"]
        )
        assert any(n["need"] == "suicide_risk" and n["status"] == "negated" for n in body["needs"])
        assert 0.0 <= body["risk"]["probability"] <= 1.0
        assert body["workers"]
        retry = client.post(
            "/v1/score", json=case("e2e-1"), headers=system | {"Idempotency-Key": "k1"}
        )
        assert (retry.status_code, retry.json()["score_id"]) == (200, body["score_id"])

        queue = client.get("/v1/queue", headers=supervisor).json()["items"]
        assert [item["score_id"] for item in queue] == [body["score_id"]]
        decision = client.post(
            f"/v1/scores/{body['score_id']}/decision",
            json={"action": "override", "tier": 1, "reason": "caller reported a threat"},
            headers=supervisor,
        )
        assert decision.status_code == 201, decision.text
        view = client.get(f"/v1/scores/{body['score_id']}", headers=system).json()
        assert view["status"] == "overridden"
        assert view["decisions"][0]["tier"] == 1

        assert client.get("/v1/queue", headers=system).status_code == 403
        assert client.get("/v1/queue").status_code == 401
        assert client.get("/v1/openapi.json").json()["info"]["title"] == "casetriage"
        assert client.get("/metrics").status_code == 200
        bad = client.post("/v1/score", json=case("e2e-2", age="old"), headers=system)
        assert (bad.status_code, bad.json()["field"]) == (422, "age")

    store = open_store(database_url=live_server.database_url)
    with store.sessions() as session:
        report = verify_chain(session)
    assert report.ok
    assert report.entries >= 4 + 2  # 4 keys, 1 score, 1 decision
    log = live_server.read_log()
    assert "Dana Example" not in log
    assert "eviction notice" not in log
    for key in keys.values():
        assert key not in log


def _score_concurrently(live_server, bodies: list[dict], *, clients: int) -> list:
    """POST each body to ``/v1/score`` from ``clients`` threads, keyed by its case id."""
    system = {"X-API-Key": live_server.keys["case_system"]}

    def post(body: dict) -> httpx.Response:
        return httpx.post(
            f"{live_server.url}/v1/score",
            json=body,
            headers=system | {"Idempotency-Key": body["case_id"]},
            timeout=120,
        )

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(post, bodies))


def test_concurrent_scores_are_batched_and_each_stored_once(live_server):
    bodies = [case(f"conc-{i}", prior_crises=i % 4) for i in range(32)]
    responses = _score_concurrently(live_server, bodies, clients=16)
    assert [r.status_code for r in responses] == [201] * 32
    ids = {r.json()["score_id"] for r in responses}
    assert len(ids) == 32
    assert {r.json()["case_id"] for r in responses} == {f"conc-{i}" for i in range(32)}


def _scorer_retries(url: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith("casetriage_scorer_retries_total "):
            return float(line.split()[1])
    return 0.0


def test_over_a_hundred_concurrent_scores_need_no_scorer_retry(live_server):
    """BentoML's client replaced its pool to the scorer every 100 calls and failed the calls
    still waiting on the old one; each was retried, and scored twice."""
    before = _scorer_retries(live_server.url)
    bodies = [case(f"pool-{i}", prior_referrals=i % 5) for i in range(160)]
    responses = _score_concurrently(live_server, bodies, clients=32)
    assert [r.status_code for r in responses] == [201] * 160
    assert _scorer_retries(live_server.url) == before == 0.0


def test_the_service_refuses_to_start_on_an_unapproved_champion(champion_env):
    from mlflow.tracking import MlflowClient

    root = Path(tempfile.mkdtemp(prefix="casetriage-e2e-unapproved-"))
    source = MlflowClient(tracking_uri=champion_env["MLFLOW_TRACKING_URI"])
    name, version = (
        champion_env["CASETRIAGE_MODEL_NAME"],
        champion_env["CASETRIAGE_TEST_CHAMPION_VERSION"],
    )
    tags = source.get_model_version(name, version).tags
    for tag in [t for t in tags if t.startswith(("audit_", "signoff_"))]:
        source.delete_model_version_tag(name, version, tag)
    try:
        env = champion_env | {
            "CASETRIAGE_DATABASE_URL": f"sqlite:///{root / 'service.db'}",
            "CASETRIAGE_NOTE_KEY_FILE": str(root / "note.key"),
        }
        process, url, log = start_server(env, root=root, ready_timeout=60)
        try:
            assert url is None, "the service became ready with an unapproved champion"
        finally:
            stop_server(process)
        assert "not approved" in log.read_text()
    finally:
        for tag, value in tags.items():
            source.set_model_version_tag(name, version, tag, value)
    assert source.get_model_version(name, version).tags == tags  # restored, in any order
