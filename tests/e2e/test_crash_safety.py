"""SIGKILL of the whole server in the middle of a load: nothing acknowledged is lost."""

from __future__ import annotations

import signal
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from serving.audit_log import verify_chain
from serving.runtime import open_store
from serving.tables import ScoreRecord

from .conftest import create_keys, start_server, stop_server
from .test_live_server import case

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_sigkill_mid_load_loses_nothing_acknowledged(champion_env, monkeypatch):
    root = Path(tempfile.mkdtemp(prefix="casetriage-e2e-crash-"))
    database_url = f"sqlite:///{root / 'service.db'}"
    env = champion_env | {
        "CASETRIAGE_DATABASE_URL": database_url,
        "CASETRIAGE_NOTE_KEY_FILE": str(root / "note.key"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    keys = create_keys(database_url)
    process, url, log = start_server(env, root=root)
    assert url is not None, log.read_text()[-2000:]
    killed = threading.Event()

    def post(i: int):
        try:
            response = httpx.post(
                f"{url}/v1/score",
                json=case(f"crash-{i}", prior_crises=i % 5),
                headers={"X-API-Key": keys["case_system"], "Idempotency-Key": f"crash-{i}"},
                timeout=30,
            )
        except httpx.HTTPError:
            return None
        if i == 12:
            stop_server(process, sig=signal.SIGKILL)
            killed.set()
        return response

    try:
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(post, range(120)))
    finally:
        stop_server(process, sig=signal.SIGKILL)
    assert killed.is_set()
    acknowledged = {
        r.json()["score_id"] for r in responses if r is not None and r.status_code == 201
    }
    assert acknowledged, "no score was acknowledged before the kill"
    store = open_store(database_url=database_url)
    with store.sessions() as session:
        stored = set(session.execute(select(ScoreRecord.score_id)).scalars())
        report = verify_chain(session)
    assert acknowledged <= stored
    assert report.ok, report.problem
