"""Routes for supervisors: the review queue and their decisions on scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from serving.api_schemas import DecisionIn, DecisionOut, QueuePage
from serving.audit_log import Actor
from serving.case_store import QueueFilter
from serving.errors import ApiError
from serving.metrics import counters
from serving.routes._decisions import decision_out
from serving.routes._deps import ERRORS, NeedName, RegionName, ScoreId, require, runtime_of

__all__ = ["supervisor_router"]

Supervisor = Annotated[Actor, Depends(require("supervisor"))]


def supervisor_router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/queue", response_model=QueuePage, responses=ERRORS, tags=["review"])
    async def review_queue(
        request: Request,
        _: Supervisor,
        tier: Annotated[int | None, Query(ge=1, le=9)] = None,
        region: Annotated[RegionName | None, Query()] = None,
        need: Annotated[NeedName | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> QueuePage:
        """Pending cases, most urgent first: by tier, then risk, then waiting time."""
        runtime = runtime_of(request)
        if limit > runtime.config.queue_page_max:
            raise ApiError(
                f"limit: at most {runtime.config.queue_page_max} per page",
                field="limit",
                status_code=422,
            )
        if tier is not None and tier not in runtime.tiers:
            raise ApiError(
                f"tier: the priority policy has tiers {', '.join(map(str, runtime.tiers))}",
                field="tier",
                status_code=422,
            )
        where = QueueFilter(tier=tier, region=region, need=need)
        items, more = await run_in_threadpool(
            lambda: runtime.store.queue(where=where, limit=limit, offset=offset)
        )
        return QueuePage(items=items, next_offset=offset + limit if more else None)

    @router.post(
        "/v1/scores/{score_id}/decision",
        response_model=DecisionOut,
        status_code=201,
        responses=ERRORS,
        tags=["review"],
    )
    async def decide(
        score_id: ScoreId, decision: DecisionIn, request: Request, actor: Supervisor
    ) -> DecisionOut:
        """Confirm the suggestion, or override tier and/or worker with a reason."""
        runtime = runtime_of(request)
        if decision.tier is not None and decision.tier not in runtime.tiers:
            raise ApiError(
                f"tier: the priority policy has tiers {', '.join(map(str, runtime.tiers))}",
                field="tier",
                status_code=422,
            )
        row = await run_in_threadpool(
            lambda: runtime.store.decide(
                actor=actor,
                score_id=score_id,
                decision=decision,
                known_worker_ids=runtime.worker_ids,
            )
        )
        counters()["decisions"].labels(action=row.action, amend=str(decision.amend).lower()).inc()
        return decision_out(row)

    return router
