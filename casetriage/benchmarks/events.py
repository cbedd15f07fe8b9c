"""Decision events: 10,000 decisions delivered to a webhook that is down for part of the run.

A real ``casetriage deliver-events`` process sends the events of a SQLite store to a real
HTTP receiver on loopback while this process records decisions (each with its event, in
one transaction). The receiver refuses connections from 30% to 60% of the decisions, then
comes back. Figures: decisions per second with their events, events delivered, lost
(target 0), duplicates, bad signatures (target 0), attempts refused while it was down,
delivery throughput over the run, and how long after the receiver came back (and after
the last decision) every event had been delivered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from casetriage.benchmarks import Figure

__all__ = ["run"]

REPO = Path(__file__).resolve().parents[2]
SAVE_BATCH = 100
#: the back-off is short here so that a 3-minute run sees several retries per event
DELIVERY = {
    "version": 1,
    "base_delay_s": 0.1,
    "max_delay_s": 2.0,
    "jitter": 0.2,
    "timeout_s": 2.0,
    "batch_size": 100,
    "concurrency": 4,
    "lease_s": 60.0,
    "interval_s": 0.1,
}


def _open_store(root: Path):
    from serving.case_store import CaseStore
    from serving.database import make_engine, make_session_factory, upgrade_schema
    from serving.note_cipher import NoteCipher

    engine = make_engine(f"sqlite:///{root / 'events.db'}")
    upgrade_schema(engine)
    return CaseStore(
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(engine, read_only=True),
        cipher=NoteCipher(key_file=root / "secrets" / "note.key"),
    )


def _save_cases(store, n_cases: int) -> list[str]:
    """``n_cases`` scored cases, pending review, stored without a model; their score ids."""
    from core.scoring import CaseScore
    from serving.api_schemas import CaseIn
    from serving.audit_log import Actor

    actor = Actor(key_id="bench", role="case_system")
    fields = {
        "note": "Client asks for help with rent arrears.",
        "age": 41,
        "household_size": 2,
        "n_children": 1,
        "prior_referrals": 0,
        "prior_crises": 0,
        "income_band": "15k_30k",
        "housing_type": "renting",
        "referral_source": "self",
        "region": "south",
        "preferred_language": "en",
    }
    score_ids: list[str] = []
    for start in range(0, n_cases, SAVE_BATCH):
        ids = [f"ev{i:06d}" for i in range(start, min(start + SAVE_BATCH, n_cases))]
        results = [
            CaseScore.model_validate(
                {
                    "case_id": case_id,
                    "model_version": "bench",
                    "needs": [],
                    "risk": {"probability": 0.3, "reasons": []},
                    "tier": {"tier": 3, "label": "routine", "rule": "bench"},
                    "workers": [],
                }
            )
            for case_id in ids
        ]
        cases = [CaseIn(case_id=case_id, **fields) for case_id in ids]
        saved = store.save_scores(actor=actor, cases=cases, results=results)
        score_ids.extend(record.score_id for record in saved)
    return score_ids


def _worker(root: Path) -> subprocess.Popen:
    config = root / "event_delivery.yaml"
    config.write_text(json.dumps(DELIVERY))
    return subprocess.Popen(
        [sys.executable, "-m", "casetriage", "deliver-events", "--config", str(config)],
        cwd=REPO,
        env=os.environ
        | {
            "CASETRIAGE_HOME": str(root / "var"),
            "CASETRIAGE_DATABASE_URL": f"sqlite:///{root / 'events.db'}",
            "CASETRIAGE_NOTE_KEY_FILE": str(root / "secrets" / "note.key"),
        },
        stdout=(root / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )


def _outbox_and_attempts(store) -> tuple[int, int]:
    """Events in the outbox, and attempts made to deliver them."""
    from sqlalchemy import func, select

    from serving.tables import EventDelivery, Outbox

    with store.read_sessions() as session:
        events = session.execute(select(func.count()).select_from(Outbox)).scalar_one()
        attempts = session.execute(select(func.sum(EventDelivery.attempts))).scalar_one()
    return events, int(attempts or 0)


def run(*, quick: bool) -> list[Figure]:
    from casetriage.benchmarks._webhook_receiver import WebhookReceiver
    from serving.api_keys import create_key
    from serving.api_schemas import DecisionIn
    from serving.audit_log import CLI_ACTOR, Actor
    from serving.event_delivery import pending_deliveries
    from serving.webhooks import register_webhook

    n_decisions = 1_000 if quick else 10_000
    down_from, down_until = int(n_decisions * 0.3), int(n_decisions * 0.6)
    root = Path(tempfile.mkdtemp(prefix="casetriage-bench-events-"))
    store = _open_store(root)
    supervisor = Actor(key_id="bench-supervisor", role="supervisor")
    confirm = DecisionIn(action="confirm")
    with WebhookReceiver() as receiver:
        n_baseline = n_decisions // 10
        score_ids = _save_cases(store, n_baseline + 1 + n_decisions)
        baseline, warm_up, score_ids = (
            score_ids[:n_baseline],
            score_ids[n_baseline],
            score_ids[n_baseline + 1 :],
        )

        def decide(score_id: str) -> None:
            store.decide(
                actor=supervisor, score_id=score_id, decision=confirm, known_worker_ids=None
            )

        worker = _worker(root)
        try:
            time.sleep(3)  # the worker polls from here on
            started = time.perf_counter()
            for score_id in baseline:  # no webhook yet: no event is written
                decide(score_id)
            without_events = time.perf_counter() - started
            with store.sessions.begin() as session:
                issued = create_key(session, role="case_system", name="bench cms", actor=CLI_ACTOR)
            owner = Actor(key_id=issued.key_id, role="case_system")
            _, receiver.secret = register_webhook(store, actor=owner, url=receiver.url)
            decide(warm_up)  # the outage must start once the worker is sending
            while pending_deliveries(store) and worker.poll() is None:
                time.sleep(0.05)
            receiver.requests.clear()
            started = time.perf_counter()
            for i, score_id in enumerate(score_ids):
                if i == down_from:
                    receiver.stop()
                    down_at = time.perf_counter()
                elif i == down_until:
                    receiver.start()
                    back_at = time.perf_counter()
                decide(score_id)
            decided = time.perf_counter() - started
            deadline = time.monotonic() + 600
            while pending_deliveries(store) and time.monotonic() < deadline:
                time.sleep(0.05)
            finished = time.perf_counter()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    requests = receiver.requests
    accepted = [request for request in requests if request.accepted]
    unique = {request.event_id for request in accepted}
    events, attempts = _outbox_and_attempts(store)
    events -= 1  # the warm-up's
    lost = events - len(unique)
    bad_signatures = sum(not request.signature_ok for request in requests)
    retried = pending_deliveries(store)
    store.close()
    return [
        Figure(
            name=f"decisions without a webhook (no event), {n_baseline:,}, worker polling",
            value=n_baseline / without_events,
            unit="decisions/s",
        ),
        Figure(
            name=f"decisions with their event, {n_decisions:,} in one process",
            value=n_decisions / decided,
            unit="decisions/s",
        ),
        Figure(name="events delivered (distinct ids)", value=len(unique), unit="events"),
        Figure(
            name="events lost",
            value=lost,
            unit="events",
            target="0",
            passed=lost == 0 and events == n_decisions and retried == 0,
            detail=f"{events} events in the outbox, {retried} still pending at the end",
        ),
        Figure(
            name="duplicate deliveries (same event id again)",
            value=len(accepted) - len(unique),
            unit="requests",
        ),
        Figure(
            name="bad signatures",
            value=bad_signatures,
            unit="requests",
            target="0",
            passed=bad_signatures == 0,
        ),
        Figure(
            name="failed attempts, retried on back-off",
            value=attempts - 1 - len(accepted),
            unit="attempts",
            detail="connections refused while the receiver was down",
        ),
        Figure(
            name="delivery throughput over the run, outage included",
            value=len(unique) / (finished - started),
            unit="events/s",
        ),
        Figure(
            name="all delivered, after the receiver came back",
            value=finished - back_at,
            unit="s",
            detail=f"receiver down for {back_at - down_at:.1f} s (decisions {down_from:,} to "
            f"{down_until:,}); decisions went on meanwhile",
        ),
        Figure(
            name="all delivered, after the last decision",
            value=finished - started - decided,
            unit="s",
        ),
    ]
