"""Decision events: written with the decision or not at all, signed, retried, at least once.

Real SQLite store, real HTTP receiver on 127.0.0.1 (``casetriage.benchmarks._webhook_receiver``),
real ``casetriage deliver-events`` process for the kill-and-restart test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casetriage.benchmarks._webhook_receiver import WebhookReceiver
from core.config import ConfigError
from core.errors import ConflictError, NotFoundError
from serving.api_keys import create_key, revoke_key
from serving.audit_log import CLI_ACTOR, Actor, verify_chain
from serving.case_store import erase_locked_case, lock_case
from serving.event_delivery import claim_due, drain, pending_deliveries
from serving.event_delivery_config import EventDeliveryConfig
from serving.tables import AuditEntry, EventDelivery, Outbox, Webhook
from serving.webhooks import register_webhook, remove_webhook

from .conftest import sqlite_url
from .stored_cases import SUPERVISOR, decide, save

REPO = Path(__file__).resolve().parents[2]
REASON = "Spoke with Maria Lopez's sister; housing first"

FAST = {
    "version": 1,
    "base_delay_s": 0.2,
    "max_delay_s": 1.0,
    "jitter": 0.2,
    "timeout_s": 2.0,
    "batch_size": 4,
    "concurrency": 2,
    "lease_s": 5.0,
    "interval_s": 0.2,
}


def fast_config(**changes) -> EventDeliveryConfig:
    return EventDeliveryConfig.model_validate(FAST | changes)


def case_system(store, name: str = "cms") -> Actor:
    with store.sessions.begin() as session:
        issued = create_key(session, role="case_system", name=name, actor=CLI_ACTOR)
    return Actor(key_id=issued.key_id, role="case_system")


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def subscribed(store, receiver):
    """A case system's webhook on the receiver, which knows its secret."""
    owner = case_system(store)
    webhook, secret = register_webhook(store, actor=owner, url=receiver.url)
    receiver.secret = secret
    return webhook


def outbox_count(store) -> int:
    with store.read_sessions() as session:
        return session.execute(select(func.count()).select_from(Outbox)).scalar_one()


def delivery(store, event_id: str) -> EventDelivery:
    with store.read_sessions() as session:
        return session.execute(
            select(EventDelivery).where(EventDelivery.event_id == event_id)
        ).scalar_one()


def test_events_are_signed_with_the_secret_and_carry_no_text(store, receiver, subscribed):
    score_id = save(store, "c1", tier=2)
    decide(store, score_id, action="override", tier=1, reason=REASON)
    decide(store, score_id, action="confirm", amend=True, reason=REASON)
    store.erase_case(actor=CLI_ACTOR, case_id="c1")

    totals = drain(store, fast_config())

    assert (totals.claimed, totals.delivered, totals.failed) == (3, 3, 0)
    got = receiver.accepted()
    assert sorted(json.loads(r.body)["type"] for r in got) == [
        "decision",
        "decision_amended",
        "erasure",
    ]
    for request in got:
        expected = hmac.new(receiver.secret.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.headers["X-Casetriage-Signature"] == f"sha256={expected}"
        event = json.loads(request.body)
        assert request.headers["X-Casetriage-Event-Id"] == event["event_id"]
        assert abs(int(request.headers["X-Casetriage-Timestamp"]) - time.time()) < 60
        assert event["case_id"] == "c1"
        assert "Maria" not in request.body.decode()
        assert "housing" not in request.body.decode()
    by_type = {json.loads(r.body)["type"]: json.loads(r.body) for r in got}
    assert by_type["decision"]["data"] | {"decided_at": None} == {
        "decision_id": 1,
        "amends_decision_id": None,
        "action": "override",
        "suggested_tier": 2,
        "tier": 1,
        "suggested_worker_id": "W001",
        "worker_id": "W001",
        "model_version": "7",
        "decided_by_key_id": SUPERVISOR.key_id,
        "decided_at": None,
    }
    assert by_type["decision_amended"]["data"]["amends_decision_id"] == 1
    assert by_type["erasure"]["data"] | {"erased_at": None} == {
        "reason": "request",
        "erased_at": None,
        "scores_scrubbed": 1,
        "decisions_scrubbed": 2,
    }
    # a wrong secret does not verify: the signature is over these exact bytes
    forged = hmac.new(b"whsec_other", got[0].body, hashlib.sha256).hexdigest()
    assert got[0].headers["X-Casetriage-Signature"] != f"sha256={forged}"
    assert pending_deliveries(store) == 0


def test_a_decision_that_fails_writes_no_event(store, subscribed):
    score_id = save(store, "c1")
    decide(store, score_id)
    assert outbox_count(store) == 1
    with pytest.raises(ConflictError):
        decide(store, score_id)  # a second decision without "amend"
    with pytest.raises(NotFoundError):
        decide(store, "f" * 32)
    assert outbox_count(store) == 1


def _erase_then_fail(store, case_id: str) -> None:
    with store.sessions.begin() as session:
        case = lock_case(session, case_id)
        erase_locked_case(session, actor=CLI_ACTOR, case=case, reason="request")
        assert session.execute(select(func.count()).select_from(Outbox)).scalar_one() == 1
        raise RuntimeError("fails after the event was queued")


def test_a_rolled_back_erasure_leaves_no_event(store, subscribed):
    save(store, "c1")
    with pytest.raises(RuntimeError, match="after the event"):
        _erase_then_fail(store, "c1")
    assert outbox_count(store) == 0
    with store.read_sessions() as session:
        assert verify_chain(session).ok
        erasures = session.execute(select(AuditEntry).where(AuditEntry.action == "erasure"))
        assert erasures.first() is None


def test_no_event_is_kept_without_an_active_webhook(store, receiver):
    owner = case_system(store)
    score_id = save(store, "c1")
    decide(store, score_id)
    assert outbox_count(store) == 0  # nobody subscribed: nothing is kept
    webhook, _ = register_webhook(store, actor=owner, url=receiver.url)
    receiver.fail_next(5, 503)
    decide(store, save(store, "c2"))
    assert drain(store, fast_config()).failed == 1
    assert pending_deliveries(store) == 1
    remove_webhook(store, actor=owner, webhook_id=webhook.webhook_id)
    assert pending_deliveries(store) == 0
    with store.read_sessions() as session:
        given_up = session.execute(select(EventDelivery)).scalar_one()
    assert (given_up.delivered_at, given_up.last_status) == (None, "webhook_removed")
    decide(store, save(store, "c3"))
    assert outbox_count(store) == 1  # the removed webhook gets nothing new


def test_a_revoked_keys_webhook_receives_nothing(store, receiver, subscribed):
    with store.sessions.begin() as session:
        revoke_key(session, key_id=subscribed.owner_key_id, actor=CLI_ACTOR)
    decide(store, save(store, "c1"))
    assert drain(store, fast_config()).claimed == 0
    assert receiver.requests == []


def test_a_failed_delivery_is_retried_with_backoff_until_the_receiver_recovers(
    store, receiver, subscribed
):
    config = fast_config(base_delay_s=0.5, max_delay_s=2.0)
    decide(store, save(store, "c1"))
    (event_id,) = [row.event_id for row in _outbox(store)]
    receiver.fail_next(2, 500)

    first = drain(store, config)
    assert (first.failed, first.failures) == (1, {"500": 1})
    row = delivery(store, event_id)
    assert (row.attempts, row.last_status, row.delivered_at, row.lease_until) == (
        1,
        "500",
        None,
        None,
    )
    first_delay = (_utc(row.next_attempt_at) - datetime.now(UTC)).total_seconds()
    assert 0 < first_delay <= config.base_delay_s
    assert drain(store, config).claimed == 0  # not due yet

    time.sleep(config.base_delay_s)
    assert drain(store, config).failures == {"500": 1}
    row = delivery(store, event_id)
    second_delay = (_utc(row.next_attempt_at) - datetime.now(UTC)).total_seconds()
    assert second_delay > config.base_delay_s * 2 * (1 - config.jitter) - 0.2  # it doubled

    time.sleep(config.base_delay_s * 2)
    assert drain(store, config).delivered == 1
    row = delivery(store, event_id)
    assert (row.attempts, row.last_status, row.next_attempt_at) == (3, "204", None)
    attempts = receiver.requests
    assert [r.accepted for r in attempts] == [False, False, True]
    assert {r.event_id for r in attempts} == {event_id}
    assert len({r.body for r in attempts}) == 1  # every retry sends the same signed bytes
    assert [r.headers["X-Casetriage-Attempt"] for r in attempts] == ["1", "2", "3"]
    assert all(r.signature_ok for r in attempts)


def test_a_receiver_that_is_down_is_retried(store, receiver, subscribed):
    receiver.stop()
    decide(store, save(store, "c1"))
    assert drain(store, fast_config()).failures == {"ConnectError": 1}
    receiver.start()
    time.sleep(FAST["base_delay_s"])
    assert drain(store, fast_config()).delivered == 1
    assert len(receiver.accepted()) == 1


def test_a_claimed_delivery_is_leased_to_one_worker(store, subscribed):
    decide(store, save(store, "c1"))
    config = fast_config()
    assert len(claim_due(store, config)) == 1
    assert claim_due(store, config) == []  # another worker finds it leased


def test_a_worker_whose_lease_ran_out_cannot_undo_the_next_ones_attempt(store, subscribed):
    import random

    from serving.event_delivery import _record

    decide(store, save(store, "c1"))
    config = fast_config(timeout_s=0.1, batch_size=1, concurrency=1, lease_s=0.3)
    (stale,) = claim_due(store, config)
    time.sleep(0.35)
    (current,) = claim_due(store, config)  # the lease ran out: another worker takes it
    assert current.lease_until > stale.lease_until
    _record(store, config, [(stale, False, "ReadTimeout")], random.Random(0))
    row = delivery(store, current.event_id)
    assert (row.attempts, row.last_status) == (0, None)  # the stale failure is ignored
    assert _utc(row.lease_until) == current.lease_until
    _record(store, config, [(current, True, "204")], random.Random(0))
    _record(store, config, [(stale, True, "204")], random.Random(0))  # a late duplicate
    row = delivery(store, current.event_id)
    assert (row.attempts, row.last_status, row.lease_until) == (1, "204", None)
    assert row.delivered_at is not None


@pytest.mark.postgres
def test_claims_on_postgres_skip_each_others_rows(pg_store):
    owner = case_system(pg_store)
    register_webhook(pg_store, actor=owner, url="http://127.0.0.1:9/events")
    for i in range(6):
        decide(pg_store, save(pg_store, f"c{i}"))
    config = fast_config(batch_size=4)
    first, second = claim_due(pg_store, config), claim_due(pg_store, config)
    assert (len(first), len(second)) == (4, 2)
    assert not {c.event_id for c in first} & {c.event_id for c in second}
    assert claim_due(pg_store, config) == []


def test_lease_shorter_than_a_batch_is_refused(tmp_path):
    path = tmp_path / "event_delivery.yaml"
    path.write_text("\n".join(f"{k}: {v}" for k, v in (FAST | {"lease_s": 3}).items()))
    with pytest.raises(ConfigError, match="lease_s"):
        EventDeliveryConfig.load(path)
    assert EventDeliveryConfig.load().version == 1  # the shipped file is valid


def _outbox(store) -> list[Outbox]:
    with store.read_sessions() as session:
        return list(session.execute(select(Outbox).order_by(Outbox.created_at)).scalars())


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cli_env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {
        "PYTHONPATH": str(REPO),
        "CASETRIAGE_HOME": str(tmp_path / "var"),
        "CASETRIAGE_DATABASE_URL": sqlite_url(tmp_path),
        "CASETRIAGE_NOTE_KEY_FILE": str(tmp_path / "secrets" / "note.key"),
    }


def test_deliver_events_once_prints_counts(store, receiver, subscribed, tmp_path):
    for i in range(3):
        decide(store, save(store, f"c{i}"))
    config = tmp_path / "delivery.yaml"
    config.write_text(json.dumps(FAST))
    result = subprocess.run(
        [sys.executable, "-m", "casetriage", "deliver-events", "--once", "--config", str(config)],
        env=_cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "3 deliveries pending" in result.stdout
    assert "delivered 3, failed 0; 0 pending" in result.stdout
    assert len(receiver.accepted_ids()) == 3


def test_deliver_events_says_clearly_when_the_database_is_unreachable(tmp_path):
    env = _cli_env(tmp_path) | {"CASETRIAGE_DATABASE_URL": "postgresql://127.0.0.1:1/none"}
    result = subprocess.run(
        [sys.executable, "-m", "casetriage", "deliver-events", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "error: cannot reach the service database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_killed_worker_loses_no_event_and_duplicates_keep_their_id(store, tmp_path):
    """SIGKILL ``deliver-events`` while a slow receiver holds a batch; a restarted worker
    sends what the dead one had leased, once its lease runs out."""
    n_events = 12
    with WebhookReceiver(delay_s=0.4) as receiver:
        owner = case_system(store)
        _, receiver.secret = register_webhook(store, actor=owner, url=receiver.url)
        for i in range(n_events):
            decide(store, save(store, f"c{i}"))
        config = tmp_path / "delivery.yaml"
        config.write_text(json.dumps(FAST))
        command = [sys.executable, "-m", "casetriage", "deliver-events", "--config", str(config)]

        def start() -> subprocess.Popen:
            return subprocess.Popen(
                command,
                env=_cli_env(tmp_path),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        worker = start()
        try:
            # kill once the receiver has accepted events the worker has not recorded yet
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                delivered = n_events - pending_deliveries(store)
                if len(receiver.accepted_ids()) > delivered and len(receiver.accepted_ids()) >= 3:
                    break
                time.sleep(0.02)
            else:
                pytest.fail("the worker sent nothing within 90 s")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            assert pending_deliveries(store) > 0  # with events it had sent, unrecorded

            worker = start()
            deadline = time.monotonic() + 90
            while pending_deliveries(store) and time.monotonic() < deadline:
                time.sleep(0.1)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    events = {row.event_id: row for row in _outbox(store)}
    accepted = receiver.accepted()
    assert receiver.accepted_ids() == set(events)  # every event arrived at least once
    assert pending_deliveries(store) == 0
    assert len(accepted) > n_events  # the dead worker's unrecorded sends came again
    for request in accepted:
        assert request.signature_ok
        assert json.loads(request.body)["event_id"] == request.event_id
    bodies: dict[str, set[bytes]] = {}
    for request in accepted:
        bodies.setdefault(request.event_id, set()).add(request.body)
    assert all(len(sent) == 1 for sent in bodies.values())  # a duplicate is the same event


def test_webhook_routes_register_list_and_remove(client, keys, store):
    headers = {"X-API-Key": keys["case_system"]}
    created = client.post(
        "/v1/webhooks", json={"url": "https://cms.example/hooks?t=abc"}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["active"] is True
    listed = client.get("/v1/webhooks", headers=headers)
    assert listed.status_code == 200
    assert [hook["webhook_id"] for hook in listed.json()] == [body["webhook_id"]]
    assert "secret" not in listed.json()[0]

    with store.sessions.begin() as session:
        other = create_key(session, role="case_system", name="other cms", actor=CLI_ACTOR).key
    assert client.get("/v1/webhooks", headers={"X-API-Key": other}).json() == []
    path = f"/v1/webhooks/{body['webhook_id']}"
    assert client.delete(path, headers={"X-API-Key": other}).status_code == 404
    removed = client.delete(path, headers=headers)
    assert (removed.status_code, removed.json()["active"]) == (200, False)
    assert client.delete(path, headers=headers).status_code == 200  # again: no change
    assert client.get("/v1/webhooks", headers=headers).json() == []

    with store.read_sessions() as session:
        entries = list(
            session.execute(
                select(AuditEntry).where(
                    AuditEntry.action.in_(("webhook_registered", "webhook_removed"))
                )
            ).scalars()
        )
    assert [entry.action for entry in entries] == ["webhook_registered", "webhook_removed"]
    for entry in entries:
        assert json.loads(entry.details)["host"] == "cms.example"
        assert "abc" not in entry.details
        assert body["secret"] not in entry.details


@pytest.mark.parametrize(
    "url",
    [
        "ftp://cms.example/hooks",
        "cms.example/hooks",
        "https://",
        "https://user:pw@cms.example/",
        "https://cms.example/ hooks",
        "https://cms.example:99999/",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_webhook_url_that_is_not_http_is_a_422_naming_url(client, keys, url):
    response = client.post(
        "/v1/webhooks", json={"url": url}, headers={"X-API-Key": keys["case_system"]}
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url"


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5/hooks", "http://169.254.169.254/latest", "https://cms.example.org/"]
)
def test_a_webhook_on_a_host_the_operator_does_not_allow_is_a_422_naming_url(
    client, keys, store, url
):
    response = client.post(
        "/v1/webhooks", json={"url": url}, headers={"X-API-Key": keys["case_system"]}
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url"
    assert "webhook_hosts" in response.json()["error"]
    with store.read_sessions() as session:
        assert session.execute(select(func.count()).select_from(Webhook)).scalar_one() == 0


def test_only_case_systems_manage_webhooks(client, keys):
    response = client.post(
        "/v1/webhooks",
        json={"url": "https://cms.example/"},
        headers={"X-API-Key": keys["supervisor"]},
    )
    assert response.status_code == 403


def test_a_path_with_two_methods_names_both_in_allow(client, keys):
    response = client.put("/v1/webhooks", headers={"X-API-Key": keys["case_system"]})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_retention_prunes_settled_events_and_keeps_waiting_ones(store, receiver, subscribed):
    from datetime import timedelta

    from serving.retention import apply_retention
    from serving.retention_policy import RetentionPolicy

    delivered = save(store, "c1", tier=2)
    decide(store, delivered, action="confirm", reason=REASON)
    assert drain(store, fast_config()).delivered == 1
    waiting = save(store, "c2", tier=2)
    decide(store, waiting, action="confirm", reason=REASON)
    policy = RetentionPolicy.load()
    later = datetime.now(UTC) + timedelta(days=policy.keep_settled_events_days + 1)

    dry = apply_retention(store, policy, actor=CLI_ACTOR, dry_run=True, now=later)
    assert dry.events_pruned == 1
    assert outbox_count(store) == 2
    soon = apply_retention(store, policy, actor=CLI_ACTOR, now=datetime.now(UTC))
    assert soon.events_pruned == 0

    report = apply_retention(store, policy, actor=CLI_ACTOR, now=later)

    assert report.events_pruned == 1
    with store.read_sessions() as session:
        left = session.execute(select(Outbox.score_id)).scalars().all()
        assert left == [waiting]
        assert session.execute(select(func.count()).select_from(EventDelivery)).scalar_one() == 1
        assert verify_chain(session).ok
