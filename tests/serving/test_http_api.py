"""The /v1 API in-process: scoring, idempotency, queue, decisions, erasure, errors."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from serving.audit_log import verify_chain
from serving.tables import AuditEntry, SensitiveAttributes

from .conftest import make_case


def _h(keys, role):
    return {"X-API-Key": keys[role]}


def _score(client, keys, case=None, **headers):
    return client.post(
        "/v1/score", json=case or make_case(), headers=_h(keys, "case_system") | headers
    )


def test_a_score_is_a_pending_suggestion_with_evidence(client, keys, store):
    response = _score(client, keys)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending_review"
    assert body["case_id"] == "c1"
    assert len(body["score_id"]) == 32
    need = body["needs"][0]
    assert need["evidence"] == make_case()["note"][need["start"] : need["end"]]
    assert body["tier"]["tier"] in (1, 2, 3, 4)
    assert body["model_version"]
    with store.sessions() as session:
        entries = session.execute(select(AuditEntry)).scalars().all()
        assert [e.action for e in entries if e.action == "score"] == ["score"]
        assert verify_chain(session).ok


def test_audit_attributes_are_stored_apart_and_never_reach_the_model(
    client, keys, store, scored_inputs
):
    attributes = {"race_ethnicity": "group_a", "sex": "female", "age_band": "25-34"}
    response = _score(client, keys, make_case(audit_attributes=attributes))
    assert response.status_code == 201
    sent = scored_inputs[-1][0]
    for attribute in ("audit_attributes", "race_ethnicity", "sex", "age_band", "disability"):
        assert attribute not in sent
    with store.sessions() as session:
        stored = session.get(SensitiveAttributes, "c1")
        assert (stored.race_ethnicity, stored.sex, stored.age_band) == (
            "group_a",
            "female",
            "25-34",
        )


def test_idempotent_retries_return_the_same_score(client, keys, store):
    first = _score(client, keys, **{"Idempotency-Key": "req-1"})
    again = _score(client, keys, **{"Idempotency-Key": "req-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["score_id"] == first.json()["score_id"]
    changed = _score(client, keys, make_case(prior_crises=3), **{"Idempotency-Key": "req-1"})
    assert changed.status_code == 409
    assert changed.json()["field"] == "Idempotency-Key"
    with store.sessions() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("score") == 1


def test_batch_scores_are_stored_together(client, keys):
    cases = [make_case(f"b{i}", prior_crises=i) for i in range(5)]
    response = client.post(
        "/v1/score/batch",
        json={"cases": cases},
        headers=_h(keys, "case_system") | {"Idempotency-Key": "batch-1"},
    )
    assert response.status_code == 201, response.text
    scores = response.json()["scores"]
    assert [s["case_id"] for s in scores] == [c["case_id"] for c in cases]
    replay = client.post(
        "/v1/score/batch",
        json={"cases": cases},
        headers=_h(keys, "case_system") | {"Idempotency-Key": "batch-1"},
    )
    assert [s["score_id"] for s in replay.json()["scores"]] == [s["score_id"] for s in scores]
    duplicate = client.post(
        "/v1/score/batch", json={"cases": [cases[0], cases[0]]}, headers=_h(keys, "case_system")
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["field"] == "cases"


def test_the_queue_puts_the_most_urgent_first_and_filters(client, keys):
    for i, crises in enumerate([0, 5, 2, 9]):
        region = "south" if i % 2 else "north"
        note = "Cl has an eviction hearing." if i == 2 else "Cl is lonely."
        _score(client, keys, make_case(f"q{i}", prior_crises=crises, region=region, note=note))
    supervisor = _h(keys, "supervisor")
    items = client.get("/v1/queue", headers=supervisor).json()["items"]
    order = [(item["tier"], -item["probability"], item["created_at"]) for item in items]
    assert order == sorted(order)
    assert len({item["case_id"] for item in items}) == 4
    south = client.get("/v1/queue", params={"region": "south"}, headers=supervisor).json()
    assert {item["case_id"] for item in south["items"]} == {"q1", "q3"}
    housing = client.get(
        "/v1/queue", params={"need": "housing_instability"}, headers=supervisor
    ).json()
    assert [item["case_id"] for item in housing["items"]] == ["q2"]
    page = client.get("/v1/queue", params={"limit": 3}, headers=supervisor).json()
    assert page["next_offset"] == 3
    rest = client.get("/v1/queue", params={"limit": 3, "offset": 3}, headers=supervisor).json()
    assert rest["next_offset"] is None
    assert len(page["items"]) + len(rest["items"]) == 4
    bad = client.get("/v1/queue", params={"tier": 9}, headers=supervisor)
    assert (bad.status_code, bad.json()["field"]) == (422, "tier")


def test_decisions_confirm_override_and_amend(client, keys, store):
    score_id = _score(client, keys).json()["score_id"]
    url = f"/v1/scores/{score_id}/decision"
    supervisor = _h(keys, "supervisor")
    no_reason = client.post(url, json={"action": "override", "tier": 1}, headers=supervisor)
    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    unknown_worker = client.post(
        url,
        json={"action": "override", "worker_id": "w999", "reason": "x"},
        headers=supervisor,
    )
    assert (unknown_worker.status_code, unknown_worker.json()["field"]) == (422, "worker_id")
    confirmed = client.post(url, json={"action": "confirm"}, headers=supervisor)
    assert confirmed.status_code == 201, confirmed.text
    again = client.post(url, json={"action": "confirm"}, headers=supervisor)
    assert again.status_code == 409
    amended = client.post(
        url,
        json={"action": "override", "tier": 1, "reason": "new safety info", "amend": True},
        headers=supervisor,
    )
    assert amended.status_code == 201, amended.text
    assert amended.json()["amends_decision_id"] == confirmed.json()["decision_id"]
    view = client.get(f"/v1/scores/{score_id}", headers=_h(keys, "case_system")).json()
    assert view["status"] == "overridden"
    assert [d["action"] for d in view["decisions"]] == ["confirm", "override"]
    assert view["decisions"][1]["tier"] == 1
    assert client.get("/v1/queue", headers=supervisor).json()["items"] == []
    with store.sessions() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
        details = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "decision_amended")
        ).scalar_one()
    assert "new safety info" not in details
    assert json.loads(details)["reason_sha256"]
    assert actions.count("decision") == 1
    assert actions.count("decision_amended") == 1


def test_erasure_removes_personal_data_but_keeps_the_chain(client, keys, store):
    score_id = _score(client, keys, make_case(audit_attributes={"sex": "male"})).json()["score_id"]
    client.post(
        f"/v1/scores/{score_id}/decision",
        json={"action": "override", "tier": 2, "reason": "neighbour reports"},
        headers=_h(keys, "supervisor"),
    )
    assert client.delete("/v1/cases/c1", headers=_h(keys, "supervisor")).status_code == 403
    erased = client.delete("/v1/cases/c1", headers=_h(keys, "admin"))
    assert erased.json() == {"case_id": "c1", "scores_scrubbed": 1, "decisions_scrubbed": 1}
    assert store.note_of("c1") is None
    view = client.get(f"/v1/scores/{score_id}", headers=_h(keys, "case_system")).json()
    assert view["erased"] is True
    assert view["result"] is None
    assert view["decisions"][0]["reason"] is None
    assert view["decisions"][0]["tier"] == 2
    with store.sessions() as session:
        assert session.get(SensitiveAttributes, "c1") is None
        assert verify_chain(session).ok
        assert "erasure" in session.execute(select(AuditEntry.action)).scalars().all()
    assert client.delete("/v1/cases/nope", headers=_h(keys, "admin")).status_code == 404


ENDPOINTS = [
    ("post", "/v1/score", {"json": make_case()}, {"case_system"}),
    ("post", "/v1/score/batch", {"json": {"cases": [make_case()]}}, {"case_system"}),
    ("get", "/v1/queue", {}, {"supervisor"}),
    (
        "post",
        "/v1/scores/" + "0" * 32 + "/decision",
        {"json": {"action": "confirm"}},
        {"supervisor"},
    ),
    ("get", "/v1/scores/" + "0" * 32, {}, {"case_system", "supervisor"}),
    ("get", "/v1/releases", {}, {"ethics_reviewer", "admin"}),
    ("get", "/v1/releases/1/report", {}, {"ethics_reviewer", "admin"}),
    ("delete", "/v1/cases/c1", {}, {"admin"}),
    ("post", "/v1/cases/c1/outcome", {"json": {"crisis": False}}, {"case_system"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "allowed"), ENDPOINTS)
def test_every_endpoint_checks_the_role(client, keys, method, path, kwargs, allowed):
    call = getattr(client, method)
    assert call(path, **kwargs).status_code == 401
    bad_key = {"X-API-Key": "ct_000000000000_" + "x" * 43}
    assert call(path, headers=bad_key, **kwargs).status_code == 401
    for role, key in keys.items():
        status = call(path, headers={"X-API-Key": key}, **kwargs).status_code
        if role in allowed:
            assert status not in (401, 403), (role, path)
        else:
            assert status == 403, (role, path)


def test_bad_input_names_the_field(client, keys):
    headers = _h(keys, "case_system")
    missing = client.post(
        "/v1/score", json={k: v for k, v in make_case().items() if k != "note"}, headers=headers
    )
    assert missing.status_code == 422
    assert missing.json()["field"] == "note"
    assert "note" in missing.json()["error"]
    extra = client.post("/v1/score", json=make_case(ssn="123"), headers=headers)
    assert (extra.status_code, extra.json()["field"]) == (422, "ssn")
    blank = client.post("/v1/score", json=make_case(note="   "), headers=headers)
    assert (blank.status_code, blank.json()["field"]) == (422, "note")
    wrong = client.post("/v1/score", json=make_case(age="old"), headers=headers)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "age")
    garbage = client.post(
        "/v1/score", content=b"{not json", headers=headers | {"content-type": "application/json"}
    )
    assert (garbage.status_code, garbage.json()["field"]) == (422, "body")
    huge = client.post("/v1/score", json=make_case(note="x" * 70_000), headers=headers)
    assert huge.status_code == 413
    assert huge.json()["field"] == "body"
    assert client.get("/v1/nothing-here").json()["error"]


def test_database_down_is_a_503_not_a_hang(client, keys, store):
    store.close()
    store.sessions.configure(
        bind=__import__("serving.database", fromlist=["x"]).make_engine(
            "postgresql://nobody@127.0.0.1:1/none"
        )
    )
    response = _score(client, keys)
    assert response.status_code == 503
    assert "database" in response.json()["error"]


def test_logs_hold_no_note_text_no_names_and_no_keys(client, keys, capsys):
    from serving.json_logging import configure_json_logging

    configure_json_logging(level=logging.INFO)
    note = "Cl Jane Roe received an eviction notice"
    response = _score(client, keys, make_case(note=note))
    assert response.status_code == 201
    client.post("/v1/score", json=make_case(note=""), headers=_h(keys, "case_system"))
    logged = capsys.readouterr().err
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["event"] == "request"]
    scored = next(
        line for line in requests if line["request_id"] == response.headers["X-Request-ID"]
    )
    assert (scored["route"], scored["method"], scored["status"]) == ("/v1/score", "POST", 201)
    assert scored["key_id"] is not None
    assert "Jane Roe" not in logged
    for worker in response.json()["workers"]:
        assert worker["name"] not in logged
    for key in keys.values():
        assert key not in logged


def test_unknown_query_parameters_are_refused(client, keys):
    response = client.get("/v1/queue", params={"regoin": "north"}, headers=_h(keys, "supervisor"))
    assert (response.status_code, response.json()["field"]) == (422, "regoin")


def test_ethics_reviewers_read_releases_and_their_reports(client, keys, champion_env):
    reviewer = _h(keys, "ethics_reviewer")
    releases = client.get("/v1/releases", headers=reviewer)
    assert releases.status_code == 200, releases.text
    champion = next(r for r in releases.json() if "champion" in r["aliases"])
    assert champion["version"] == champion_env["CASETRIAGE_TEST_CHAMPION_VERSION"]
    assert champion["audit_verdict"] in ("pass", "review")
    assert champion["audit_policy_hash"]
    if champion["audit_verdict"] == "review":
        assert champion["signoff"]["signoff_reviewer"]
    report = client.get(f"/v1/releases/{champion['version']}/report", headers=reviewer)
    assert report.status_code == 200, report.text
    assert report.json()["verdict"] == champion["audit_verdict"]
    missing = client.get("/v1/releases/999/report", headers=reviewer)
    assert (missing.status_code, missing.json()["field"]) == (404, "version")


def test_metrics_count_scores_and_decisions(client, keys):
    def counted(name: str) -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = counted('casetriage_scores_total{outcome="new"}')
    score_id = _score(client, keys, make_case("m1")).json()["score_id"]
    client.post(
        f"/v1/scores/{score_id}/decision",
        json={"action": "confirm"},
        headers=_h(keys, "supervisor"),
    )
    assert counted('casetriage_scores_total{outcome="new"}') == before + 1
    assert counted('casetriage_decisions_total{action="confirm",amend="false"}') >= 1
