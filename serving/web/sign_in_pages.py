"""Sign-in with a role's API key (exchanged for a session cookie) and sign-out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from serving.json_logging import log_event
from serving.web.page_auth import (
    ROLE_HOME,
    ROLE_LABELS,
    PageError,
    SignInRequiredError,
    checked_form,
    page_user,
    safe_next,
    web_state,
)
from serving.web.rendering import render_page
from serving.web.sessions import SESSION_COOKIE, WebSession

__all__ = ["SIGNIN_CSRF_COOKIE", "sign_in_router"]

SIGNIN_CSRF_COOKIE = "ct_signin_csrf"
ANY_WEB_ROLE = tuple(ROLE_HOME)


def _cookie_flags(request: Request) -> dict:
    return {
        "httponly": True,
        "samesite": "strict",
        "secure": web_state(request).config.secure_cookies,
        "path": "/ui",
    }


def _sign_in_form(
    request: Request, *, next_path: str | None, error: str | None = None, status_code: int = 200
) -> Response:
    """The sign-in form, with a fresh double-submit token against login CSRF."""
    token = secrets.token_urlsafe(32)
    response = render_page(
        request,
        "sign_in.html.j2",
        status_code=status_code,
        title="Sign in",
        csrf_token=token,
        next_path=next_path or "",
        error=error,
    )
    response.set_cookie(SIGNIN_CSRF_COOKIE, token, max_age=1800, **_cookie_flags(request))
    return response


def sign_in_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/ui")
    @router.get("/ui/")
    async def home(request: Request) -> Response:
        session = web_state(request).codec.decode(request.cookies.get(SESSION_COOKIE))
        target = ROLE_HOME.get(session.role) if session else None
        return RedirectResponse(target or "/ui/sign-in", status_code=303)

    @router.get("/ui/sign-in")
    async def sign_in_page(
        request: Request, next: Annotated[str | None, Query(max_length=300)] = None
    ) -> Response:
        return _sign_in_form(request, next_path=safe_next(next))

    @router.post("/ui/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        next_path = safe_next(fields.get("next"))
        expected = request.cookies.get(SIGNIN_CSRF_COOKIE)
        presented = fields.get("csrf_token", "")
        if not expected or not secrets.compare_digest(expected, presented):
            return _sign_in_form(
                request,
                next_path=next_path,
                error="The sign-in form expired or did not come from this site; try again.",
                status_code=403,
            )
        api_key = fields.get("api_key", "").strip()
        if not api_key:
            return _sign_in_form(
                request, next_path=next_path, error="API key: enter your key.", status_code=422
            )
        store = request.app.state.runtime.store
        actor = await run_in_threadpool(store.authenticate, api_key)
        if actor is None:
            log_event("web_sign_in_refused", reason="unknown_or_revoked_key")
            return _sign_in_form(
                request,
                next_path=next_path,
                error="API key: unknown or revoked key.",
                status_code=401,
            )
        if actor.role not in ROLE_HOME:
            return _sign_in_form(
                request,
                next_path=next_path,
                error=(
                    f"API key: a {ROLE_LABELS.get(actor.role, actor.role).lower()} key has no "
                    "web pages; sign in with a supervisor, ethics reviewer or admin key."
                ),
                status_code=403,
            )
        state = web_state(request)
        session = WebSession.start(
            key_id=actor.key_id, role=actor.role, max_age_s=state.config.session_max_age_s
        )
        log_event("web_sign_in", key_id=actor.key_id, role=actor.role)
        response = RedirectResponse(next_path or ROLE_HOME[actor.role], status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            state.codec.encode(session),
            max_age=state.config.session_max_age_s,
            **_cookie_flags(request),
        )
        response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/ui")
        return response

    @router.post("/ui/sign-out")
    async def sign_out(request: Request) -> Response:
        try:
            user = await page_user(*ANY_WEB_ROLE)(request)
        except (SignInRequiredError, PageError):
            user = None
        if user is not None:
            await checked_form(request, user)
            log_event("web_sign_out", key_id=user.actor.key_id, role=user.actor.role)
        response = RedirectResponse("/ui/sign-in", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/ui")
        return response

    return router
