"""Beyond one machine: replicas on PostgreSQL, the database's write ceiling, Spark vs in-process.

Figures (all measured in one run, so machine noise affects both sides of each ratio):

* batch-scoring throughput of one single-worker ``bentoml serve`` replica, then of two
  replicas on the same PostgreSQL database (round-robin), and their ratio;
* duplicates, lost writes and the audit chain after the two-replica load;
* the database's own ceiling: scores stored per second by ``CaseStore.save_scores`` with
  precomputed results (no model), i.e. where adding replicas stops helping;
* the same caseload scored in process (``TriageModel.score`` in chunks, as
  ``casetriage score`` does) and on Spark ``local[2]``, with the largest difference in
  probability and the number of differing tiers.

``docs/capacity.md`` turns these figures into replicas and cores for a given volume.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from casetriage.benchmarks import Figure
from core.scoring import CaseScore

__all__ = ["run"]

CLIENTS = 8
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def _throwaway_postgres() -> Iterator[tuple[str, Path]]:
    """A PostgreSQL 15 cluster in a temp dir on a free loopback port, always stopped;
    yields its URL and its data dir (``postmaster.pid`` names the server process)."""
    root = Path(tempfile.mkdtemp(prefix="casetriage-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = root / "data"
    try:
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        subprocess.run(
            _as_postgres([*initdb, "-E", "UTF8", "--no-sync"]), check=True, capture_output=True
        )
        # fsync stays on: the ceiling measured is the one a real deployment has
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w"]
        subprocess.run(
            _as_postgres([*pg_ctl, "-o", options, "start"]), check=True, capture_output=True
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _keys(database_url: str) -> dict[str, str]:
    from serving.api_keys import create_key
    from serving.audit_log import CLI_ACTOR
    from serving.runtime import open_store

    store = open_store(database_url=database_url)
    with store.sessions.begin() as session:
        key = create_key(session, role="case_system", name="bench", actor=CLI_ACTOR).key
    store.close()
    return {"X-API-Key": key}


def _batch_load(urls: list[str], batches: list[list[dict]], headers: dict, tag: str) -> float:
    """Post every batch (round-robin over ``urls``) from CLIENTS threads; cases per second."""
    from casetriage.benchmarks.serving import post_all

    requests = [
        (
            f"{urls[i % len(urls)]}/v1/score/batch",
            {"cases": cases},
            headers | {"Idempotency-Key": f"{tag}-{i}"},
        )
        for i, cases in enumerate(batches)
    ]
    _, elapsed, responses = post_all(requests, clients=CLIENTS, timeout=600)
    stored = 0
    for response in responses:
        if response is None:
            raise RuntimeError(f"{tag}: a batch request failed before any HTTP response")
        response.raise_for_status()
        stored += len(response.json()["scores"])
    return stored / elapsed


def _tagged(cases: list[dict], tag: str) -> list[dict]:
    return [case | {"case_id": f"{tag}-{case['case_id']}"} for case in cases]


def _replica_figures(root: Path, env: dict[str, str], *, n_batches: int, batch: int):
    from sqlalchemy import func, select

    from casetriage.benchmarks.serving import _start, _stop, load_cases
    from serving.audit_log import verify_chain
    from serving.runtime import open_store
    from serving.tables import ScoreRecord

    cases = load_cases(root, n_batches * batch)
    batches = [cases[i : i + batch] for i in range(0, len(cases), batch)]
    with _throwaway_postgres() as (database_url, pg_data):
        env = env | {"CASETRIAGE_DATABASE_URL": database_url}
        os.environ.update(env)
        headers = _keys(database_url)
        first, url_a = _start("serving.service:TriageAPI", env, root, "replica-a")
        second = None
        try:
            _batch_load([url_a], [_tagged(batches[0][:5], "warm-a")], headers, "warm-a")
            pg_pid = int((pg_data / "postmaster.pid").read_text().split()[0])
            cpu_before = _cpu_seconds(first.pid), _cpu_seconds(pg_pid)
            load_cpu_before = time.process_time()
            started = time.perf_counter()
            one = _batch_load([url_a], [_tagged(b, "one") for b in batches], headers, "one")
            wall = time.perf_counter() - started
            load_cpu = time.process_time() - load_cpu_before
            replica_cpu = _cpu_seconds(first.pid) - cpu_before[0]
            database_cpu = _cpu_seconds(pg_pid) - cpu_before[1]
            second, url_b = _start("serving.service:TriageAPI", env, root, "replica-b")
            _batch_load([url_b], [_tagged(batches[0][:5], "warm-b")], headers, "warm-b")
            two = _batch_load([url_a, url_b], [_tagged(b, "two") for b in batches], headers, "two")
        finally:
            for process in (first, second):
                if process is not None:
                    _stop(process)
        store = open_store(database_url=database_url)
        with store.sessions() as session:
            scored = session.execute(
                select(ScoreRecord.case_id, func.count()).group_by(ScoreRecord.case_id)
            ).all()
            chain = verify_chain(session)
        batch_rate = _database_write_rate(store, cases, batch=25)
        single_rate = _database_write_rate(store, cases, batch=1)
        store.close()
    expected = {f"{tag}-{case['case_id']}" for tag in ("one", "two") for case in cases}
    stored = {case_id for case_id, _ in scored}
    duplicates = sum(count - 1 for _, count in scored)
    ratio = two / one
    n_one = len(cases)
    cores_one = (replica_cpu + database_cpu + load_cpu) / wall
    return [
        Figure(name="one replica: batch scoring", value=one, unit="cases/s"),
        Figure(name="two replicas: batch scoring", value=two, unit="cases/s"),
        Figure(
            name="one replica: CPU per case, replica (API + scorer)",
            value=1000 * replica_cpu / n_one,
            unit="ms",
        ),
        Figure(
            name="one replica: CPU per case, PostgreSQL",
            value=1000 * database_cpu / n_one,
            unit="ms",
        ),
        Figure(
            name="one replica: CPU per case, load generator",
            value=1000 * load_cpu / n_one,
            unit="ms",
            detail=f"{CLIENTS} client threads in the benchmark process, same 2 cores",
        ),
        Figure(
            name="one replica: cores busy (replica + PostgreSQL + load generator)",
            value=cores_one,
            unit="cores",
            detail=f"two replicas on 2 cores can reach at most x{2 / cores_one:.2f}",
        ),
        Figure(
            name="two replicas / one",
            value=ratio,
            unit="x",
            target=">= 1.7",
            passed=ratio >= 1.7,
            detail=f"{n_batches} batches of {batch}, {CLIENTS} clients, 2 cores shared",
        ),
        Figure(
            name="duplicate scores",
            value=duplicates,
            unit="scores",
            target="0",
            passed=duplicates == 0,
        ),
        Figure(
            name="lost writes",
            value=len(expected - stored),
            unit="scores",
            target="0",
            passed=expected <= stored,
        ),
        Figure(
            name="audit chain verifies",
            value=float(chain.ok),
            unit="bool",
            target="1",
            passed=chain.ok,
            detail=f"{chain.entries} entries",
        ),
        Figure(
            name="database ceiling: stored scores, 25 per transaction",
            value=batch_rate,
            unit="scores/s",
            detail="save_scores, precomputed results, one writer; chain lock only for the append",
        ),
        Figure(
            name="database ceiling: stored scores, 1 per transaction",
            value=single_rate,
            unit="scores/s",
            detail="what /v1/score does; shared by every replica",
        ),
    ]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _database_write_rate(store, cases: list[dict], *, batch: int, rounds: int = 4) -> float:
    """Scores stored per second without any model work: the serialised write path alone,
    ``batch`` cases per transaction (1 is what ``/v1/score`` does)."""
    from models import TriageModel
    from serving.api_schemas import CaseIn
    from serving.audit_log import Actor

    actor = Actor(key_id="bench", role="case_system")
    cases = cases[: max(batch, 25)]
    results = TriageModel.load("champion").score(cases)
    stored = 0
    started = time.perf_counter()
    for r in range(rounds):
        for i in range(0, len(cases), batch):
            chunk = [
                CaseIn(**(case | {"case_id": f"db{batch}-{r}-{case['case_id']}"}))
                for case in cases[i : i + batch]
            ]
            tagged = [
                result | {"case_id": case.case_id}
                for result, case in zip(results[i : i + batch], chunk, strict=True)
            ]
            store.save_scores(actor=actor, cases=chunk, results=tagged)
            stored += len(chunk)
    return stored / (time.perf_counter() - started)


def spark_vs_in_process(root: Path, *, n_cases: int) -> list[Figure]:
    """Score the same ``n_cases`` in process and on Spark ``local[2]``; compare."""
    import numpy as np
    import pandas as pd

    from casetriage.synth import generate_caseload, write_caseload
    from models import TriageModel
    from models.spark import read_scored, score_with_spark

    data = root / f"spark-{n_cases}"
    write_caseload(generate_caseload(n_cases=n_cases, seed=31), data)
    frame = pd.read_csv(
        data / "cases.csv",
        dtype={"case_id": str, "previous_worker_id": str, "note": str},
        keep_default_na=False,
    )
    triage = TriageModel.load("champion")
    started = time.perf_counter()
    local: list[CaseScore] = []
    records = frame.to_dict("records")
    for i in range(0, len(records), 1000):
        local.extend(triage.score(records[i : i + 1000]))
    in_process = time.perf_counter() - started
    summary = score_with_spark(data / "cases.csv", root / f"scored-{n_cases}.parquet")
    spark = read_scored(root / f"scored-{n_cases}.parquet")
    # unrounded in-process probabilities, from the needs the scorer extracted
    with_needs = frame.assign(needs=[[n.model_dump() for n in r.needs] for r in local])
    unrounded = triage.predict_probability(with_needs)
    max_diff = float(np.max(np.abs(spark["probability"].to_numpy() - unrounded)))
    tiers_differ = int(np.sum(spark["tier"].to_numpy() != [r.tier.tier for r in local]))
    same = spark["case_id"].tolist() == frame["case_id"].tolist()
    return [
        Figure(name=f"in-process scoring, {n_cases:,} cases", value=in_process, unit="s"),
        Figure(
            name=f"Spark local[2] scoring, {n_cases:,} cases",
            value=summary.seconds,
            unit="s",
            detail="wall time including JVM start and packing the model",
        ),
        Figure(
            name="Spark local[2] speed-up over in-process",
            value=in_process / summary.seconds,
            unit="x",
        ),
        Figure(
            name="Spark vs in-process: max |probability difference|",
            value=max_diff,
            unit="",
            target="<= 1e-9",
            passed=max_diff <= 1e-9 and same,
        ),
        Figure(
            name="Spark vs in-process: tiers that differ",
            value=tiers_differ,
            unit="cases",
            target="0",
            passed=tiers_differ == 0 and same,
        ),
    ]


def run(*, quick: bool) -> list[Figure]:
    """``quick``: 12 batches of 25 and 3,000 Spark cases; else 48 batches of 50 and 100,000."""
    from casetriage.benchmarks.serving import _champion_env

    root = Path(tempfile.mkdtemp(prefix="casetriage-bench-scale-"))
    saved = dict(os.environ)
    try:
        env = _champion_env(root)
        figures = _replica_figures(
            root, env, n_batches=12 if quick else 48, batch=25 if quick else 50
        )
        try:
            import pyspark  # noqa: F401
        except ImportError:
            return [
                *figures,
                Figure(name="Spark scoring", value=float("nan"), unit="", detail="no pyspark"),
            ]
        return figures + spark_vs_in_process(root, n_cases=3000 if quick else 100_000)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(root, ignore_errors=True)
