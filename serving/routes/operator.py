"""Routes for administrators and operators: erasure, health, readiness, metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from serving.api_schemas import ID_PATTERN, ErasureOut
from serving.audit_log import Actor
from serving.metrics import counters, refresh_monitoring_gauges
from serving.routes._deps import ERRORS, require, runtime_of

__all__ = ["operator_router"]


def operator_router() -> APIRouter:
    router = APIRouter()

    @router.delete(
        "/v1/cases/{case_id}", response_model=ErasureOut, responses=ERRORS, tags=["erasure"]
    )
    async def erase_case(
        case_id: Annotated[str, Path(pattern=ID_PATTERN)],
        request: Request,
        actor: Annotated[Actor, Depends(require("admin"))],
    ) -> ErasureOut:
        """Erase a case's note and personal data; its de-identified audit trail stays."""
        store = runtime_of(request).store
        scores, decisions = await run_in_threadpool(
            lambda: store.erase_case(actor=actor, case_id=case_id)
        )
        counters()["erasures"].inc()
        return ErasureOut(case_id=case_id, scores_scrubbed=scores, decisions_scrubbed=decisions)

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    @router.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> PlainTextResponse:
        await run_in_threadpool(runtime_of(request).store.ping)
        return PlainTextResponse("ready\n")

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        from serving.monitoring_run import latest_report_path

        refresh_monitoring_gauges(latest_report_path())
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
