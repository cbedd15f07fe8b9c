"""Errors as JSON bodies that name the field: validation, domain errors, a database down."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from core.errors import DomainError
from serving.errors import ApiError, status_of
from serving.json_logging import log_event

__all__ = ["install_error_handlers", "jsonable_errors"]


def _field_of(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    message = str(error.get("msg", ""))
    if message.startswith("Value error, ") and ":" in message:
        named = message.removeprefix("Value error, ").split(":", 1)[0]
        if named.replace("_", "").replace("-", "").isalnum():
            loc = [*loc, named]
    if error.get("loc", ("",))[0] == "header" and loc:
        return loc[-1]
    return ".".join(loc) if loc else "body"


def install_error_handlers(app: FastAPI) -> None:
    """Every error as a JSON body ``{"error", "field"}``: validation, domain, HTTP, database."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_errors(exc.errors())
        first = errors[0] if errors else {}
        field = _field_of(first)
        if first.get("type") == "json_invalid":
            message = "body: the request body is not valid JSON"
            field = "body"
        else:
            message = f"{field}: {str(first.get('msg', 'invalid')).removeprefix('Value error, ')}"
        return JSONResponse(
            status_code=422, content={"error": message, "field": field, "detail": errors}
        )

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code, content={"error": exc.message, "field": exc.field}
        )

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            status_code=status_of(exc), content={"error": exc.message, "field": exc.field}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": str(exc.detail), "field": None},
            headers=headers,
        )

    async def _database_down(_: Request, exc: Exception) -> JSONResponse:
        log_event("database_unavailable", level=40, error=type(exc).__name__)
        return JSONResponse(
            status_code=503,
            content={"error": "database unavailable; try again shortly", "field": None},
            headers={"Retry-After": "5"},
        )

    for exc_type in (OperationalError, PoolTimeoutError, DBAPIError):
        app.add_exception_handler(exc_type, _database_down)


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes. Starlette names only the methods of the
    first route whose path matches, so a path with a GET and a POST route said ``POST``."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches(request.scope | {"method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]
    return ", ".join(allowed)


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic errors without the input values (they may hold note text) or exceptions."""
    cleaned = []
    for error in errors:
        cleaned.append(
            {key: error[key] for key in ("type", "loc", "msg") if key in error}
            | {"loc": [str(part) if not isinstance(part, int) else part for part in error["loc"]]}
        )
    return cleaned
