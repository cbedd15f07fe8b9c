"""A real ``bentoml serve`` on a free loopback port, with the test champion model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from casetriage.process_tree import stop_process_tree
from tests.serving.postgres_cluster import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    keys: dict[str, str]
    log: Path
    database_url: str
    process: subprocess.Popen

    def read_log(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    extra_env: dict[str, str],
    *,
    root: Path,
    ready_timeout: float = 180.0,
    target: str = "serving.service:TriageAPI",
):
    """Start ``bentoml serve TARGET`` (the service, or a built Bento's tag) in its own
    process group; returns (process, url, log)."""
    port = free_port()
    log = root / "server.log"
    env = os.environ | {"BENTOML_HOME": str(root / "bentoml")} | extra_env
    env["PYTHONUNBUFFERED"] = "1"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bentoml",
                "serve",
                target,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url, log
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return process, None, log


def stop_server(process: subprocess.Popen, *, sig: int = signal.SIGTERM) -> None:
    """Signal the server's whole process group, and reap any worker it orphaned."""
    stop_process_tree(process, sig=sig)


def create_keys(database_url: str) -> dict[str, str]:
    from serving.api_keys import ROLES, create_key
    from serving.audit_log import CLI_ACTOR
    from serving.runtime import open_store

    store = open_store(database_url=database_url)
    with store.sessions.begin() as session:
        issued = {
            role: create_key(session, role=role, name=f"e2e {role}", actor=CLI_ACTOR).key
            for role in ROLES
        }
    store.close()
    return issued


@pytest.fixture(scope="module")
def live_server(champion_env) -> Iterator[LiveServer]:
    root = Path(tempfile.mkdtemp(prefix="casetriage-e2e-"))
    database_url = f"sqlite:///{root / 'service.db'}"
    env = champion_env | {
        "CASETRIAGE_DATABASE_URL": database_url,
        "CASETRIAGE_NOTE_KEY_FILE": str(root / "note.key"),
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        keys = create_keys(database_url)
        process, url, log = start_server(env, root=root)
        try:
            if url is None:
                pytest.fail(f"bentoml serve did not become ready:\n{log.read_text()[-3000:]}")
            yield LiveServer(
                url=url, keys=keys, log=log, database_url=database_url, process=process
            )
        finally:
            stop_server(process)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
