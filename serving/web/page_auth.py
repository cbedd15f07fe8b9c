"""Who is signed in, whether their role may see a page, and CSRF checks on forms."""

from __future__ import annotations

import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from serving.audit_log import Actor
from serving.tables import ApiKey
from serving.web.sessions import SESSION_COOKIE, SessionCodec, WebSession
from serving.web.web_config import WebConfig

__all__ = [
    "PageError",
    "SignInRequiredError",
    "SignedIn",
    "WebState",
    "checked_form",
    "page_user",
    "safe_next",
    "web_state",
]

ROLE_HOME = {
    "supervisor": "/ui/queue",
    "ethics_reviewer": "/ui/releases",
    "admin": "/ui/releases",
}
ROLE_LABELS = {
    "supervisor": "Supervisor",
    "ethics_reviewer": "Ethics reviewer",
    "admin": "Administrator",
    "case_system": "Case management system",
}
_NEXT_PATTERN = re.compile(r"^/ui/[A-Za-z0-9/_.-]*$")


class PageError(Exception):
    """A page-level error shown as an HTML page with ``status_code``."""

    def __init__(self, message: str, *, status_code: int, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.title = title or {403: "Not allowed", 404: "Not found"}.get(status_code, "Error")


class SignInRequiredError(Exception):
    """No valid session: the browser is sent to the sign-in page."""

    def __init__(self, next_path: str | None = None) -> None:
        super().__init__("sign in required")
        self.next_path = next_path


@dataclass(frozen=True, kw_only=True)
class WebState:
    config: WebConfig
    codec: SessionCodec


@dataclass(frozen=True, kw_only=True)
class SignedIn:
    """The signed-in user of one request: their key (as an audit actor) and session."""

    actor: Actor
    session: WebSession
    key_name: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.actor.role, self.actor.role)


_state_lock = threading.Lock()


def web_state(request: Request) -> WebState:
    """Config and signing key, loaded on the first request (not when the app is built)."""
    state = getattr(request.app.state, "web", None)
    if state is None:
        with _state_lock:
            state = getattr(request.app.state, "web", None)
            if state is None:
                state = WebState(config=WebConfig.load(), codec=SessionCodec())
                request.app.state.web = state
    return state


def safe_next(path: str | None) -> str | None:
    """Only paths inside the web pages: a sign-in link must not redirect elsewhere."""
    if path and _NEXT_PATTERN.match(path) and ".." not in path:
        return path
    return None


def _runtime(request: Request):
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise PageError("The service is starting; try again shortly.", status_code=503)
    return runtime


def _live_key(request: Request, key_id: str) -> ApiKey | None:
    with _runtime(request).store.sessions() as db:
        return db.execute(
            select(ApiKey).where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))
        ).scalar_one_or_none()


def page_user(*roles: str) -> Callable[[Request], Awaitable[SignedIn]]:
    """A dependency admitting signed-in users whose role is in ``roles``.

    No (or an expired, forged or revoked) session redirects to the sign-in page; a
    signed-in user with another role gets the 403 page.
    """

    async def check(request: Request) -> SignedIn:
        state = web_state(request)
        session = state.codec.decode(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise SignInRequiredError(request.url.path if request.method == "GET" else None)
        key = await run_in_threadpool(_live_key, request, session.key_id)
        if key is None or key.role != session.role:
            raise SignInRequiredError(None)
        actor = Actor(key_id=key.key_id, role=key.role)
        request.state.actor = actor
        user = SignedIn(actor=actor, session=session, key_name=key.name)
        request.state.web_user = user
        if actor.role not in roles:
            wanted = " or ".join(ROLE_LABELS.get(r, r).lower() for r in roles)
            raise PageError(
                f"This page is for the {wanted} role; you are signed in as "
                f"{user.role_label.lower()}.",
                status_code=403,
            )
        return user

    return check


async def checked_form(request: Request, user: SignedIn) -> dict[str, str]:
    """The posted form's text fields, after checking its CSRF token against the session."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not user.session.csrf_matches(fields.get("csrf_token")):
        raise PageError(
            "This form did not come from your current session (it may have expired). "
            "Go back, reload the page and try again; nothing was saved.",
            status_code=403,
            title="Form refused",
        )
    return fields
