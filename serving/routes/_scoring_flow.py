"""Scoring as the API does it: idempotent replay, the scorer call, storing, the response."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from core.errors import ConflictError, GoneError
from serving.api_schemas import CaseIn, ScoreOut
from serving.audit_log import Actor
from serving.case_store import CaseStore, IdempotencyRaceError, utc
from serving.routes._deps import ServingRuntime
from serving.tables import ScoreRecord

__all__ = ["json_response", "request_hash", "score_and_store", "score_out"]


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def score_out(record: ScoreRecord) -> ScoreOut:
    if record.result is None:
        raise GoneError("score_id: the case was erased", field="score_id")
    return ScoreOut(
        score_id=record.score_id,
        case_id=record.case_id,
        status=record.status,
        model_version=record.model_version,
        created_at=utc(record.created_at),
        **record.result,
    )


def json_response(body: BaseModel, *, status_code: int) -> Response:
    """``body``, validated when it was built, as JSON. Returned as a ready response, it skips
    FastAPI's ``response_model`` pass (dump, validate again, serialise), which cost more CPU
    per score than building the body; the route's ``response_model`` still documents it."""
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json")


async def score_and_store(
    runtime: ServingRuntime,
    actor: Actor,
    cases: list[CaseIn],
    *,
    scope: str,
    idempotency_key: str | None,
    request_hash: str,
) -> tuple[list[ScoreRecord], bool]:
    """Score ``cases`` and store them; returns the records and whether this was a replay."""
    store = runtime.store
    if idempotency_key is not None:
        replay = await _replay(store, scope, idempotency_key, request_hash)
        if replay is not None:
            return replay, True
    results = await runtime.score_cases([case.model_input() for case in cases])
    if [result.case_id for result in results] != [case.case_id for case in cases]:
        raise RuntimeError("the scorer returned results for other cases than it was given")
    idempotency = (scope, idempotency_key, request_hash) if idempotency_key else None
    try:
        records = await run_in_threadpool(
            lambda: store.save_scores(
                actor=actor, cases=cases, results=results, idempotency=idempotency
            )
        )
    except IdempotencyRaceError:
        replay = await _replay(store, scope, idempotency_key, request_hash)
        if replay is None:
            raise
        return replay, True
    return records, False


async def _replay(
    store: CaseStore, scope: str, key: str, request_hash: str
) -> list[ScoreRecord] | None:
    found = await run_in_threadpool(lambda: store.find_idempotent(scope=scope, key=key))
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise ConflictError(
            "Idempotency-Key: this key was used with a different request body",
            field="Idempotency-Key",
        )
    return await run_in_threadpool(store.get_scores, list(found.score_ids))
