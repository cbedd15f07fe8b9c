"""Routes for ethics reviewers: releases and their fairness reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from serving.api_schemas import ReleaseOut
from serving.audit_log import Actor
from serving.routes._deps import ERRORS, require, runtime_of

__all__ = ["reviewer_router"]

Reviewer = Annotated[Actor, Depends(require("ethics_reviewer", "admin"))]


def reviewer_router() -> APIRouter:
    router = APIRouter()

    @router.get(
        "/v1/releases", response_model=list[ReleaseOut], responses=ERRORS, tags=["releases"]
    )
    async def list_releases(request: Request, _: Reviewer) -> list[ReleaseOut]:
        """Registered model versions with their fairness verdicts and sign-offs."""
        releases = await run_in_threadpool(runtime_of(request).releases.list_releases)
        return [ReleaseOut(**release) for release in releases]

    @router.get("/v1/releases/{version}/report", responses=ERRORS, tags=["releases"])
    async def release_report(
        version: Annotated[str, Path(pattern=r"^[0-9]{1,9}$")], request: Request, _: Reviewer
    ) -> dict[str, Any]:
        """The fairness report (``report.json``) of one release."""
        return await run_in_threadpool(runtime_of(request).releases.report, version)

    return router
