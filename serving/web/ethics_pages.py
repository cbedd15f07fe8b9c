"""The ethics reviewer's pages: releases and their reports, sign-off or block, the
audit of supervisors' decisions and the latest monitoring report of the served model.

Sign-offs go through :func:`governance.record_reviewer_decision`, as the CLI's do, with
the request's store as the audit sink, so the model version's tags and the hash-chained
audit log record them the same way.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from core.errors import NotFoundError
from governance import (
    RELEASE_DOCUMENTS,
    ReleaseError,
    check_reviewer_decision,
    record_reviewer_decision,
)
from serving.json_logging import log_event
from serving.web.decision_audit import audit_stored_decisions
from serving.web.page_auth import PageError, SignedIn, checked_form, page_user
from serving.web.rendering import render_page

__all__ = ["REPORT_HEADERS", "ethics_router"]

_VERSION = re.compile(r"^[0-9]{1,9}$")
Reviewer = Annotated[SignedIn, Depends(page_user("ethics_reviewer", "admin"))]
EthicsReviewer = Annotated[SignedIn, Depends(page_user("ethics_reviewer"))]

# The reports are self-contained (inline styles, plots as data: URIs) and need no script;
# they may be framed by the decisions page of this site only.
REPORT_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _releases(request: Request) -> list[dict]:
    return request.app.state.runtime.releases.list_releases()


async def _releases_page(
    request: Request,
    user: SignedIn,
    *,
    error: str | None = None,
    error_version: str | None = None,
    entered: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    releases = await run_in_threadpool(_releases, request)
    return render_page(
        request,
        "releases.html.j2",
        status_code=status_code,
        title="Model releases",
        releases=releases,
        can_sign=user.actor.role == "ethics_reviewer",
        error=error,
        error_version=error_version,
        entered=entered or {},
        done=done if done and _VERSION.match(done) else None,
        documents=RELEASE_DOCUMENTS,
    )


def ethics_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/ui/releases")
    async def releases_page(
        request: Request,
        user: Reviewer,
        done: Annotated[str | None, Query(max_length=9)] = None,
    ) -> Response:
        return await _releases_page(request, user, done=done)

    @router.get("/ui/releases/{version}/{document}")
    async def release_document(
        request: Request, version: str, document: str, user: Reviewer
    ) -> Response:
        if not _VERSION.match(version) or document not in RELEASE_DOCUMENTS:
            raise PageError(f"There is no {document} for release {version}.", status_code=404)
        catalog = request.app.state.runtime.releases
        try:
            html = await run_in_threadpool(catalog.document, version, document)
        except NotFoundError as error:
            raise PageError(str(error), status_code=404) from error
        return HTMLResponse(html, headers=REPORT_HEADERS)

    @router.post("/ui/releases/{version}/signoff")
    async def sign_off(request: Request, version: str, user: EthicsReviewer) -> Response:
        if not _VERSION.match(version):
            raise PageError(f"There is no release {version}.", status_code=404)
        fields = await checked_form(request, user)
        choice = fields.get("decision")
        store = request.app.state.runtime.store
        problem = None
        try:
            if choice not in ("sign_off", "block"):
                raise ReleaseError("decision: choose Sign off or Block", field="decision")
            decision = check_reviewer_decision(
                reviewer=fields.get("reviewer"),
                reason=fields.get("reason"),
                block=choice == "block",
            )
            await run_in_threadpool(
                lambda: record_reviewer_decision(version, decision, sink=store, actor=user.actor)
            )
        except ReleaseError as error:
            problem = error.message
        if problem is not None:
            return await _releases_page(
                request,
                user,
                error=problem,
                error_version=version,
                entered=fields,
                status_code=422,
            )
        log_event("web_release_decision", key_id=user.actor.key_id, decision=choice)
        return RedirectResponse(f"/ui/releases?done={version}", status_code=303)

    @router.get("/ui/decisions")
    async def decisions_page(request: Request, user: Reviewer) -> Response:
        page = await run_in_threadpool(audit_stored_decisions, request.app.state.runtime.store)
        return render_page(request, "decisions.html.j2", title="Audit of decisions", page=page)

    @router.get("/ui/monitoring")
    async def monitoring_page(request: Request, user: Reviewer) -> Response:
        from serving.monitoring_run import read_latest_report

        report = await run_in_threadpool(read_latest_report)
        return render_page(
            request,
            "monitoring.html.j2",
            title="Monitoring of the served model",
            report=report,
            flagged=[f for f in (report or {}).get("drift", []) if f["status"] != "stable"],
        )

    @router.get("/ui/decisions/report")
    async def decisions_report(request: Request, user: Reviewer) -> Response:
        page = await run_in_threadpool(audit_stored_decisions, request.app.state.runtime.store)
        if page.html is None:
            raise PageError(page.problem or "No decisions to audit yet.", status_code=404)
        return HTMLResponse(page.html, headers=REPORT_HEADERS)

    return router
