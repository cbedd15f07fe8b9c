"""Routes for case management systems: score cases, read a score and its decisions, tell
what followed a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from serving.api_schemas import (
    ID_PATTERN,
    BatchScoreRequest,
    BatchScoreResponse,
    CaseIn,
    OutcomeIn,
    OutcomeOut,
    ScoreOut,
    ScoreWithDecisions,
)
from serving.audit_log import Actor
from serving.case_store import utc
from serving.metrics import counters
from serving.routes._decisions import decision_out
from serving.routes._deps import ERRORS, IdempotencyKey, ScoreId, require, runtime_of
from serving.routes._scoring_flow import json_response, request_hash, score_and_store, score_out

__all__ = ["case_system_router"]

CaseSystem = Annotated[Actor, Depends(require("case_system"))]


def case_system_router() -> APIRouter:
    router = APIRouter()

    @router.post(
        "/v1/score",
        response_model=ScoreOut,
        status_code=201,
        responses={**ERRORS, 200: {"model": ScoreOut, "description": "idempotent replay"}},
        tags=["scoring"],
    )
    async def score_case(
        case: CaseIn, request: Request, actor: CaseSystem, idempotency_key: IdempotencyKey = None
    ) -> Response:
        """Score one case: needs with evidence, risk with reasons, tier, worker suggestions."""
        records, replayed = await score_and_store(
            runtime_of(request),
            actor,
            [case],
            scope="single",
            idempotency_key=idempotency_key,
            request_hash=request_hash(case.model_dump(mode="json")),
        )
        counters()["scores"].labels(outcome="replay" if replayed else "new").inc()
        return json_response(score_out(records[0]), status_code=200 if replayed else 201)

    @router.post(
        "/v1/score/batch",
        response_model=BatchScoreResponse,
        status_code=201,
        responses={**ERRORS, 200: {"model": BatchScoreResponse, "description": "replay"}},
        tags=["scoring"],
    )
    async def score_batch(
        batch: BatchScoreRequest,
        request: Request,
        actor: CaseSystem,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        """Score up to 100 cases in one request; stored all together or not at all."""
        records, replayed = await score_and_store(
            runtime_of(request),
            actor,
            batch.cases,
            scope="batch",
            idempotency_key=idempotency_key,
            request_hash=request_hash(batch.model_dump(mode="json")),
        )
        counters()["scores"].labels(outcome="replay" if replayed else "new").inc(len(records))
        body = BatchScoreResponse(scores=[score_out(record) for record in records])
        return json_response(body, status_code=200 if replayed else 201)

    @router.get(
        "/v1/scores/{score_id}",
        response_model=ScoreWithDecisions,
        responses=ERRORS,
        tags=["scoring"],
    )
    async def get_score(
        score_id: ScoreId,
        request: Request,
        _: Annotated[Actor, Depends(require("case_system", "supervisor"))],
    ) -> ScoreWithDecisions:
        """The score and the human decision(s) on it, oldest first."""
        store = runtime_of(request).store
        record, erased, decisions = await run_in_threadpool(store.score_with_decisions, score_id)
        return ScoreWithDecisions(
            score_id=record.score_id,
            case_id=record.case_id,
            status=record.status,
            model_version=record.model_version,
            created_at=utc(record.created_at),
            erased=erased,
            result=record.result,
            decisions=[decision_out(d) for d in decisions],
        )

    @router.post(
        "/v1/cases/{case_id}/outcome",
        response_model=OutcomeOut,
        status_code=201,
        responses={
            **ERRORS,
            200: {"model": OutcomeOut, "description": "the same outcome again, or an amendment"},
        },
        tags=["outcomes"],
    )
    async def record_outcome(
        case_id: Annotated[str, Path(pattern=ID_PATTERN, description="the case's id")],
        outcome: OutcomeIn,
        request: Request,
        actor: CaseSystem,
    ) -> Response:
        """Tell whether a crisis followed the case within the window (default 90 days).

        The same outcome again is a 200 with the stored one; a different one is a 409
        unless sent with ``"amend": true``.
        """
        store = runtime_of(request).store
        recording = await run_in_threadpool(
            lambda: store.record_outcome(actor=actor, case_id=case_id, outcome=outcome)
        )
        counters()["outcomes"].labels(status=recording.status).inc()
        stored = recording.outcome
        body = OutcomeOut(
            case_id=stored.case_id,
            crisis=stored.crisis,
            crisis_on=stored.crisis_on,
            window_days=stored.window_days,
            recorded_by_key_id=stored.recorded_by_key_id,
            recorded_at=utc(stored.recorded_at),
            status=recording.status,
        )
        return json_response(body, status_code=201 if recording.status == "recorded" else 200)

    return router
