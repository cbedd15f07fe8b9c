"""Two ``bentoml serve`` replicas on one PostgreSQL database behave as one service.

Everything that must hold across replicas lives in the database (unique constraints, row
locks, the audit chain's head row), not in a process's memory; this test drives both
replicas at once over loopback HTTP and checks it:

* the same Idempotency-Key sent to both replicas at once stores one score;
* the same decision raced on both replicas: one 201, one 409;
* a replica SIGKILLed in the middle of a load loses nothing it acknowledged, and clients
  that retry on the other replica with the same key get no duplicates;
* ``casetriage audit-log verify`` passes on the result.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import REPO, create_keys, start_server, stop_server
from tests.e2e.test_live_server import case

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.postgres]

CLIENTS = 8
LOAD_REQUESTS = 240
KILL_AFTER = 40


@pytest.fixture
def replicas(champion_env, empty_postgres_url, monkeypatch):
    """Two replicas started together on an empty database (each migrates it on start)."""
    root = Path(tempfile.mkdtemp(prefix="casetriage-replicas-"))
    env = champion_env | {
        "CASETRIAGE_DATABASE_URL": empty_postgres_url,
        "CASETRIAGE_NOTE_KEY_FILE": str(root / "note.key"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (root / "a").mkdir()
    (root / "b").mkdir()
    with ThreadPoolExecutor(2) as pool:
        started = list(pool.map(lambda name: start_server(env, root=root / name), ("a", "b")))
    processes = [process for process, _, _ in started]
    try:
        for _, url, log in started:
            assert url is not None, log.read_text(errors="replace")[-3000:]
        yield {
            "urls": [url for _, url, _ in started],
            "processes": processes,
            "keys": create_keys(empty_postgres_url),
            "env": env,
            "database_url": empty_postgres_url,
        }
    finally:
        for process in processes:
            stop_server(process, sig=signal.SIGKILL)


def _both_at_once(send, urls: list[str]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(urls))

    def one(url: str) -> httpx.Response:
        barrier.wait()
        return send(url)

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(one, urls))


def test_two_replicas_act_as_one_service(replicas):
    from serving.audit_log import verify_chain
    from serving.runtime import open_store
    from serving.tables import Decision, IdempotencyRecord, ScoreRecord

    urls, keys = replicas["urls"], replicas["keys"]
    system = {"X-API-Key": keys["case_system"]}
    supervisor = {"X-API-Key": keys["supervisor"]}

    # the same Idempotency-Key on both replicas at once: one score
    idempotent_ids = []
    for i in range(6):
        body = case(f"idem-{i}", prior_crises=i)
        responses = _both_at_once(
            lambda url, body=body, i=i: httpx.post(
                f"{url}/v1/score",
                json=body,
                headers=system | {"Idempotency-Key": f"idem-{i}"},
                timeout=60,
            ),
            urls,
        )
        assert sorted(r.status_code for r in responses) == [200, 201], [r.text for r in responses]
        assert len({r.json()["score_id"] for r in responses}) == 1
        idempotent_ids.append(responses[0].json()["score_id"])

    # the same decision raced on both replicas: one 2xx, one 409
    for score_id in idempotent_ids:
        responses = _both_at_once(
            lambda url, score_id=score_id: httpx.post(
                f"{url}/v1/scores/{score_id}/decision",
                json={"action": "confirm"},
                headers=supervisor,
                timeout=60,
            ),
            urls,
        )
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]

    # load on both; replica B is SIGKILLed mid-load; clients fail over to A with the same key
    acknowledged: dict[int, str] = {}
    killed = threading.Event()
    lock = threading.Lock()

    def post(i: int) -> None:
        body = case(f"load-{i}", prior_crises=i % 5)
        headers = system | {"Idempotency-Key": f"load-{i}"}
        for url in (urls[i % 2], urls[0]):
            try:
                response = httpx.post(f"{url}/v1/score", json=body, headers=headers, timeout=60)
            except httpx.HTTPError:
                continue
            if response.status_code in (200, 201):
                with lock:
                    acknowledged[i] = response.json()["score_id"]
                    kill_now = len(acknowledged) == KILL_AFTER and not killed.is_set()
                    if kill_now:
                        killed.set()
                if kill_now:
                    stop_server(replicas["processes"][1], sig=signal.SIGKILL)
                return

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(post, range(LOAD_REQUESTS)))
    assert killed.is_set()
    assert replicas["processes"][1].poll() is not None, "replica B survived its SIGKILL"
    assert len(acknowledged) == LOAD_REQUESTS, "the surviving replica refused some retries"

    store = open_store(database_url=replicas["database_url"])
    with store.sessions() as session:
        stored = dict(
            session.execute(
                select(ScoreRecord.score_id, ScoreRecord.case_id).where(
                    ScoreRecord.case_id.like("load-%")
                )
            ).all()
        )
        per_case = session.execute(
            select(ScoreRecord.case_id, func.count()).group_by(ScoreRecord.case_id)
        ).all()
        keys_stored = session.scalar(select(func.count()).select_from(IdempotencyRecord))
        decisions = session.scalar(select(func.count()).select_from(Decision))
        report = verify_chain(session)
    store.close()
    assert set(acknowledged.values()) <= set(stored), "an acknowledged score was lost"
    assert all(count == 1 for _, count in per_case), "a case was scored twice"
    assert len(stored) == LOAD_REQUESTS
    assert keys_stored == 6 + LOAD_REQUESTS
    assert decisions == len(idempotent_ids)
    assert report.ok, report.problem

    verify = subprocess.run(
        [sys.executable, "-m", "casetriage", "audit-log", "verify"],
        cwd=REPO,
        env=os.environ | replicas["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
    assert f"audit log intact: {report.entries} entries" in verify.stdout
