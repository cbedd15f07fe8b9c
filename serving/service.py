"""The casetriage BentoML service: ``bentoml serve serving.service:TriageAPI``.

Two services, as in BentoML's model-composition examples:

* ``TriageScorer`` loads the ``champion`` model once per worker and scores cases with
  adaptive batching: concurrent ``/v1/score`` requests are merged into one model call;
  the cases of one ``/v1/score/batch`` request are scored together as they came.
* ``TriageAPI`` mounts the versioned FastAPI app (``/v1``: scoring, review queue,
  decisions, releases, erasure), checks roles, stores every score as
  ``pending_review`` and writes the audit log. It reaches the scorer through
  ``bentoml.depends``.

The service refuses to start when the champion version has no passing or signed-off
fairness audit (``models.TriageModel.load`` raises).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import bentoml

from serving.http_api import create_app

__all__ = ["TriageAPI", "TriageScorer"]

# Adaptive batching: up to 64 cases per model call. BentoML refuses (503) requests it
# predicts cannot finish within MAX_LATENCY_MS, so this is a latency ceiling, not a wait.
MAX_BATCH_SIZE = 64
MAX_LATENCY_MS = 30_000
# A dropped connection to the scorer is retried this many times in all before a 503.
SCORER_ATTEMPTS = 3

# The API worker's young-generation collections run every this many net allocations
# (CPython's default is 700); see _exclude_startup_heap_from_gc.
GC_GEN0_THRESHOLD = 10_000

api_app = create_app()


def _exclude_startup_heap_from_gc() -> None:
    """Move everything loaded so far (libraries, the app, the roster) to the interpreter's
    permanent generation, and collect the young generation less often.

    Those objects live as long as the worker, yet every full collection walked them all.
    A batch response builds thousands of small pydantic objects, and profiled under batch
    load, ``_score_out`` took 30% of the API worker's CPU, two thirds of it in the garbage
    collector (0.12 ms per score, 0.04 with collection off; 0.06 after this). In the
    scorer, one full collection during a batch benchmark took 0.37 s, as long as scoring
    300 cases. Later allocations are collected as before.
    """
    import gc

    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, older, oldest)


def _keep_scorer_connections(scorer: Any) -> None:
    """Stop BentoML's client from replacing its connection pool to the scorer every 100
    requests and every 5 minutes.

    BentoML (1.4.30 and later) closes the old pool at once, and with it every call still
    waiting on it: under 32 concurrent clients each replacement failed up to 31 scoring
    calls. ``_score_cases`` retried them, so the scorer scored those cases twice, which
    halved batch throughput in some benchmark runs and lengthened p99 (bentoml/BentoML
    #5540 and #5544 report the same replacement from other sides). Connections the scorer
    closes are still replaced one at a time by aiohttp, and a call that meets one is
    retried as before and counted in ``casetriage_scorer_retries_total``.
    """
    manager = getattr(scorer.to_async, "_session_manager", None)
    if manager is None:  # a BentoML whose client keeps one pool
        return
    manager.max_requests = math.inf
    manager.max_age = math.inf


@bentoml.service(name="triage_scorer", workers=1, traffic={"timeout": 120})
class TriageScorer:
    """The champion model, loaded once in each worker process."""

    def __init__(self) -> None:
        from serving.champion import load_champion
        from serving.json_logging import configure_json_logging, log_event

        configure_json_logging()
        self.model = load_champion()
        self._model_lock = threading.Lock()
        log_event("model_loaded", model_version=str(self.model.version))
        _exclude_startup_heap_from_gc()

    @bentoml.api(batchable=True, max_batch_size=MAX_BATCH_SIZE, max_latency_ms=MAX_LATENCY_MS)
    def score(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Score a batch of cases (audit attributes never reach here)."""
        with self._model_lock:
            return self.model.score(cases)

    @bentoml.api
    def score_request(self, cases: list[dict[str, Any]]) -> str:
        """Score the cases of one batch request together, bypassing adaptive batching, and
        return the results as JSON text.

        JSON text because BentoML sends a structured result by validating it into its
        output model, dumping that again and pickling the dump: 13% of this worker's
        samples under batch load (py-spy), half of what it spent beyond ``model.score``.
        A string is sent as it is.

        They are a batch already. Through the batcher, a queue of batch requests made its
        wait-time estimate grow with the queue, and it then held requests back while the
        model sat idle (the scorer was busy 0.65 of the time under 32 clients, 0.86 under
        2); it also split 50-case requests across two model calls. Model calls still run
        one at a time, here and in :meth:`score`.
        """
        from pydantic_core import to_json

        with self._model_lock:
            results = self.model.score(cases)
        return to_json(results).decode()

    @bentoml.api
    def model_version(self) -> str:
        return str(self.model.version)


@bentoml.service(name="casetriage", workers=1, traffic={"timeout": 120})
@bentoml.asgi_app(api_app, path="/")
class TriageAPI:
    """The HTTP API; it holds the database and the roster, the scorer holds the model."""

    scorer = bentoml.depends(TriageScorer)

    def __init__(self) -> None:
        from serving.champion import load_roster
        from serving.json_logging import configure_json_logging
        from serving.runtime import build_runtime

        configure_json_logging()
        _keep_scorer_connections(self.scorer)
        roster = load_roster()
        api_app.state.runtime = build_runtime(
            score_cases=self._score_cases,
            worker_ids=frozenset(roster["worker_id"].astype(str)),
        )
        _exclude_startup_heap_from_gc()

    async def _score_cases(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Score through the scorer service; a dropped connection is retried (scoring is a
        pure function, so a retry cannot duplicate anything), an overload is a 503."""
        import asyncio
        import json

        import aiohttp
        from bentoml.exceptions import ServiceUnavailable

        from serving.errors import ApiError
        from serving.json_logging import log_event
        from serving.metrics import counters

        attempt = 1
        while True:
            try:
                if len(cases) > 1:
                    return json.loads(await self.scorer.to_async.score_request(cases))
                return await self.scorer.to_async.score(cases)
            except ServiceUnavailable as error:
                raise ApiError(
                    "the scorer is overloaded; retry with the same Idempotency-Key",
                    status_code=503,
                ) from error
            except aiohttp.ClientConnectionError as error:
                # the scorer closed a pooled keep-alive connection as it was reused
                counters()["scorer_retries"].inc()
                log_event("scorer_retry", attempt=attempt, error=type(error).__name__)
                if attempt == SCORER_ATTEMPTS:
                    raise ApiError(
                        "the scorer is unreachable; retry with the same Idempotency-Key",
                        status_code=503,
                    ) from error
                await asyncio.sleep(0.05 * attempt)
                attempt += 1

    def __is_ready__(self) -> bool:
        """Ready when the database answers (BentoML also waits for the scorer)."""
        try:
            api_app.state.runtime.store.ping()
        except Exception:
            return False
        return True
