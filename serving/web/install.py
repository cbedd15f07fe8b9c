"""Add the web pages, their static files and their HTML error pages to an app."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from serving.web.ethics_pages import ethics_router
from serving.web.page_auth import PageError, SignInRequiredError
from serving.web.rendering import render_page
from serving.web.review_pages import review_router
from serving.web.sign_in_pages import sign_in_router

__all__ = ["STATIC_DIR", "install_web_pages"]

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def _page_error(request: Request, error: PageError) -> Response:
    return render_page(
        request,
        "error.html.j2",
        status_code=error.status_code,
        title=error.title,
        message=error.message,
    )


async def _sign_in_required(request: Request, error: SignInRequiredError) -> Response:
    target = "/ui/sign-in"
    if error.next_path:
        target += f"?next={quote(error.next_path, safe='/')}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie("ct_session", path="/ui")
    return response


def install_web_pages(app: FastAPI) -> FastAPI:
    """Mount the ``/ui`` pages on ``app`` (the ``/v1`` API app); returns ``app``."""
    app.include_router(sign_in_router())
    app.include_router(review_router())
    app.include_router(ethics_router())
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    return app
