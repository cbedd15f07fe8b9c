"""The casetriage BentoML service: ``bentoml serve serving.service:TriageAPI``.

Two services, as in BentoML's model-composition examples:

* ``TriageScorer`` loads the ``champion`` model once per worker and scores cases; single
  ``/v1/score`` requests are merged into one model call by adaptive batching, the cases of
  one ``/v1/score/batch`` request are scored together as they came.
* ``TriageAPI`` mounts the versioned FastAPI app (``serving.http_api``), which checks
  roles, stores every score as ``pending_review`` and writes the audit log. It reaches
  the scorer through ``bentoml.depends``.

The scorer refuses to start when the champion has no passing or signed-off fairness
audit. Why the service is tuned as it is: ``docs/serving.md``.
"""

from __future__ import annotations

import threading
from typing import Any

import bentoml

from serving.http_api import create_app

__all__ = ["TriageAPI", "TriageScorer"]

# BentoML answers 503 to requests it predicts cannot finish within MAX_LATENCY_MS.
MAX_BATCH_SIZE = 64
MAX_LATENCY_MS = 30_000
SCORER_ATTEMPTS = 3  # a dropped connection to the scorer is retried, then a 503
# The API keeps one connection pool to the scorer: BentoML's default replaces it every 100
# requests and 5 minutes, failing the calls still waiting on the old one.
KEEP_CONNECTIONS = {"max_requests": 2**31 - 1, "max_age": 10.0**9}

api_app = create_app()


@bentoml.service(
    name="triage_scorer",
    workers=1,
    traffic={"timeout": 120},
    runner_connection=KEEP_CONNECTIONS,
)
class TriageScorer:
    """The champion model, loaded once in each worker process."""

    def __init__(self) -> None:
        from serving.champion import load_champion
        from serving.json_logging import configure_json_logging, log_event
        from serving.workarounds import freeze_startup_heap

        configure_json_logging()
        self.model = load_champion()
        self._model_lock = threading.Lock()
        log_event("model_loaded", model_version=str(self.model.version))
        freeze_startup_heap()

    @bentoml.api(batchable=True, max_batch_size=MAX_BATCH_SIZE, max_latency_ms=MAX_LATENCY_MS)
    def score(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Score a batch of cases (audit attributes never reach here)."""
        with self._model_lock:
            return [result.model_dump(mode="json") for result in self.model.score(cases)]

    @bentoml.api
    def score_request(self, cases: list[dict[str, Any]]) -> str:
        """Score the cases of one batch request together, bypassing adaptive batching.

        The result goes back as JSON text, which BentoML sends as it is instead of
        validating, dumping and pickling it again.
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
        from serving.workarounds import freeze_startup_heap

        configure_json_logging()
        roster = load_roster()
        api_app.state.runtime = build_runtime(
            score_cases=self._score_cases,
            worker_ids=frozenset(roster["worker_id"].astype(str)),
        )
        freeze_startup_heap()

    async def _score_cases(self, cases: list[dict[str, Any]]) -> list[Any]:
        """Score through the scorer service; a dropped connection is retried (scoring is a
        pure function, so a retry cannot duplicate anything), an overload is a 503."""
        import asyncio
        import json

        import aiohttp
        from bentoml.exceptions import ServiceUnavailable

        from core.scoring import CaseScore
        from serving.errors import ApiError
        from serving.json_logging import log_event
        from serving.metrics import counters

        attempt = 1
        while True:
            try:
                if len(cases) > 1:
                    raw = json.loads(await self.scorer.to_async.score_request(cases))
                else:
                    raw = await self.scorer.to_async.score(cases)
                return [CaseScore.model_validate(result) for result in raw]
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
