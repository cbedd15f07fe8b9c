"""The versioned JSON API (``/v1``), as a FastAPI app the BentoML service mounts.

The app holds no model and no database of its own: the service (or a test) attaches a
:class:`ServingRuntime` with the storage, the scorer and the release catalog. Every
route checks the caller's role; every error is a JSON body naming the field.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import ConflictError, DomainError, GoneError
from core.schemas import NEEDS, REGIONS
from governance import ReleaseCatalog
from serving.api_schemas import (
    ID_PATTERN,
    BatchScoreRequest,
    BatchScoreResponse,
    CaseIn,
    DecisionIn,
    DecisionOut,
    ErasureOut,
    ErrorBody,
    QueuePage,
    ReleaseOut,
    ScoreOut,
    ScoreWithDecisions,
)
from serving.audit_log import Actor
from serving.case_store import CaseStore, IdempotencyRaceError, QueueFilter, utc
from serving.errors import ApiError, status_of
from serving.json_logging import log_event
from serving.metrics import counters
from serving.serving_config import ServingConfig
from serving.tables import ScoreRecord

__all__ = ["ServingRuntime", "create_app"]

RegionName = Literal[REGIONS]
NeedName = Literal[NEEDS]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="retries with the same key return the same score, never a duplicate",
    ),
]
ScoreId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the score's id")]
ScoreCases = Callable[[list[dict[str, Any]]], Awaitable[list[dict[str, Any]]]]


@dataclass(kw_only=True)
class ServingRuntime:
    """What the API needs at run time; the BentoML service builds one per worker."""

    store: CaseStore
    score_cases: ScoreCases
    releases: ReleaseCatalog
    config: ServingConfig
    worker_ids: frozenset[str] | None = None


_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="a casetriage API key")
_ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 410, 413, 422, 503)}


def _runtime(request: Request) -> ServingRuntime:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise ApiError("the service is starting; try again shortly", status_code=503)
    return runtime


def require(*roles: str) -> Callable[..., Awaitable[Actor]]:
    """A dependency that admits callers whose key has one of ``roles``."""

    async def check(
        request: Request, api_key: Annotated[str | None, Depends(_API_KEY)] = None
    ) -> Actor:
        presented = api_key
        authorization = request.headers.get("authorization", "")
        if presented is None and authorization.lower().startswith("bearer "):
            presented = authorization[7:].strip()
        if not presented:
            raise ApiError("X-API-Key: an API key is required", field="X-API-Key", status_code=401)
        actor = await run_in_threadpool(_runtime(request).store.authenticate, presented)
        if actor is None:
            raise ApiError("X-API-Key: unknown or revoked key", field="X-API-Key", status_code=401)
        request.state.actor = actor
        if actor.role not in roles:
            raise ApiError(
                f"X-API-Key: role {actor.role} may not do this (needs {' or '.join(roles)})",
                field="X-API-Key",
                status_code=403,
            )
        return actor

    return check


async def _forbid_unknown_query(request: Request) -> None:
    """Unknown query parameters are refused, as unknown body fields are: a typo in a
    filter must not silently return the unfiltered queue."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {param.alias for param in _all_query_params(dependant)}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ApiError(f"{unknown[0]}: unknown query parameter", field=unknown[0], status_code=422)


def _all_query_params(dependant) -> list:
    params = list(dependant.query_params)
    for sub in dependant.dependencies:
        params.extend(_all_query_params(sub))
    return params


def _request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _score_out(record: ScoreRecord) -> ScoreOut:
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


def _json_response(body: BaseModel, *, status_code: int) -> Response:
    """``body``, validated when it was built, as JSON. Returned as a ready response, it skips
    FastAPI's ``response_model`` pass (dump, validate again, serialise), which cost more CPU
    per score than building the body; the route's ``response_model`` still documents it."""
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json")


async def _score_and_store(
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
    if [r.get("case_id") for r in results] != [case.case_id for case in cases]:
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


def _install_error_handlers(app: FastAPI) -> None:
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
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": str(exc.detail), "field": None},
            headers=getattr(exc, "headers", None),
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


def jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic errors without the input values (they may hold note text) or exceptions."""
    cleaned = []
    for error in errors:
        cleaned.append(
            {key: error[key] for key in ("type", "loc", "msg") if key in error}
            | {"loc": [str(part) if not isinstance(part, int) else part for part in error["loc"]]}
        )
    return cleaned


class _BodySizeLimit:
    """Refuse bodies above ``max_bytes`` with 413, whether or not Content-Length is sent."""

    def __init__(self, app, *, max_bytes: Callable[[], int]) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes()
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, limit)
            return
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await _send_too_large(send, limit)


class _BodyTooLargeError(Exception):
    pass


class _RequestLog:
    """Log one ``request`` event per HTTP request (route, status, time, key id; never the
    body) and return its id in ``X-Request-ID``.

    A plain ASGI middleware: Starlette's ``@app.middleware("http")`` streamed every
    response through a second task and queue, which under 32 concurrent single-case
    clients cost more of the API worker's time than storing the score.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = message | {"headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            actor = scope.get("state", {}).get("actor")
            log_event(
                "request",
                request_id=request_id,
                method=scope["method"],
                route=getattr(scope.get("route"), "path", "unmatched"),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                key_id=actor.key_id if actor else None,
            )


async def _send_too_large(send, limit: int) -> None:
    body = json.dumps(
        {"error": f"body: the request body exceeds {limit} bytes", "field": "body"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app() -> FastAPI:
    """Build the ``/v1`` API; attach a runtime with ``app.state.runtime = ServingRuntime(...)``."""
    app = FastAPI(
        title="casetriage",
        version="1",
        description=(
            "Triage suggestions for social-services cases. Every score is a suggestion "
            "with status pending_review until a supervisor confirms or overrides it."
        ),
        docs_url="/v1/docs",
        openapi_url="/v1/openapi.json",
        redoc_url=None,
        dependencies=[Depends(_forbid_unknown_query)],
    )
    _install_error_handlers(app)
    app.add_middleware(
        _BodySizeLimit,
        max_bytes=lambda: (
            app.state.runtime.config.max_body_bytes
            if getattr(app.state, "runtime", None)
            else ServingConfig().max_body_bytes
        ),
    )
    app.add_middleware(_RequestLog)

    @app.post(
        "/v1/score",
        response_model=ScoreOut,
        status_code=201,
        responses={**_ERRORS, 200: {"model": ScoreOut, "description": "idempotent replay"}},
        tags=["scoring"],
    )
    async def score_case(
        case: CaseIn,
        request: Request,
        actor: Annotated[Actor, Depends(require("case_system"))],
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        """Score one case: needs with evidence, risk with reasons, tier, worker suggestions."""
        records, replayed = await _score_and_store(
            _runtime(request),
            actor,
            [case],
            scope="single",
            idempotency_key=idempotency_key,
            request_hash=_request_hash(case.model_dump(mode="json")),
        )
        counters()["scores"].labels(outcome="replay" if replayed else "new").inc()
        return _json_response(_score_out(records[0]), status_code=200 if replayed else 201)

    @app.post(
        "/v1/score/batch",
        response_model=BatchScoreResponse,
        status_code=201,
        responses={**_ERRORS, 200: {"model": BatchScoreResponse, "description": "replay"}},
        tags=["scoring"],
    )
    async def score_batch(
        batch: BatchScoreRequest,
        request: Request,
        actor: Annotated[Actor, Depends(require("case_system"))],
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        """Score up to 100 cases in one request; stored all together or not at all."""
        records, replayed = await _score_and_store(
            _runtime(request),
            actor,
            batch.cases,
            scope="batch",
            idempotency_key=idempotency_key,
            request_hash=_request_hash(batch.model_dump(mode="json")),
        )
        counters()["scores"].labels(outcome="replay" if replayed else "new").inc(len(records))
        body = BatchScoreResponse(scores=[_score_out(record) for record in records])
        return _json_response(body, status_code=200 if replayed else 201)

    @app.get("/v1/queue", response_model=QueuePage, responses=_ERRORS, tags=["review"])
    async def review_queue(
        request: Request,
        _: Annotated[Actor, Depends(require("supervisor"))],
        tier: Annotated[int | None, Query(ge=1, le=4)] = None,
        region: Annotated[RegionName | None, Query()] = None,
        need: Annotated[NeedName | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> QueuePage:
        """Pending cases, most urgent first: by tier, then risk, then waiting time."""
        runtime = _runtime(request)
        if limit > runtime.config.queue_page_max:
            raise ApiError(
                f"limit: at most {runtime.config.queue_page_max} per page",
                field="limit",
                status_code=422,
            )
        where = QueueFilter(tier=tier, region=region, need=need)
        items, more = await run_in_threadpool(
            lambda: runtime.store.queue(where=where, limit=limit, offset=offset)
        )
        return QueuePage(items=items, next_offset=offset + limit if more else None)

    @app.post(
        "/v1/scores/{score_id}/decision",
        response_model=DecisionOut,
        status_code=201,
        responses=_ERRORS,
        tags=["review"],
    )
    async def decide(
        score_id: ScoreId,
        decision: DecisionIn,
        request: Request,
        actor: Annotated[Actor, Depends(require("supervisor"))],
    ) -> DecisionOut:
        """Confirm the suggestion, or override tier and/or worker with a reason."""
        runtime = _runtime(request)
        row = await run_in_threadpool(
            lambda: runtime.store.decide(
                actor=actor,
                score_id=score_id,
                decision=decision,
                known_worker_ids=runtime.worker_ids,
            )
        )
        counters()["decisions"].labels(action=row.action, amend=str(decision.amend).lower()).inc()
        return DecisionOut(
            decision_id=row.decision_id,
            score_id=row.score_id,
            action=row.action,
            tier=row.tier,
            worker_id=row.worker_id,
            reason=row.reason,
            amends_decision_id=row.amends_decision_id,
            decided_by_key_id=row.decided_by_key_id,
            decided_at=utc(row.decided_at),
        )

    @app.get(
        "/v1/scores/{score_id}",
        response_model=ScoreWithDecisions,
        responses=_ERRORS,
        tags=["scoring"],
    )
    async def get_score(
        score_id: ScoreId,
        request: Request,
        _: Annotated[Actor, Depends(require("case_system", "supervisor"))],
    ) -> ScoreWithDecisions:
        """The score and the human decision(s) on it, oldest first."""
        store = _runtime(request).store
        record, erased, decisions = await run_in_threadpool(store.score_with_decisions, score_id)
        return ScoreWithDecisions(
            score_id=record.score_id,
            case_id=record.case_id,
            status=record.status,
            model_version=record.model_version,
            created_at=utc(record.created_at),
            erased=erased,
            result=record.result,
            decisions=[
                DecisionOut(
                    decision_id=d.decision_id,
                    score_id=d.score_id,
                    action=d.action,
                    tier=d.tier,
                    worker_id=d.worker_id,
                    reason=d.reason,
                    amends_decision_id=d.amends_decision_id,
                    decided_by_key_id=d.decided_by_key_id,
                    decided_at=utc(d.decided_at),
                )
                for d in decisions
            ],
        )

    @app.get("/v1/releases", response_model=list[ReleaseOut], responses=_ERRORS, tags=["releases"])
    async def list_releases(
        request: Request,
        _: Annotated[Actor, Depends(require("ethics_reviewer", "admin"))],
    ) -> list[ReleaseOut]:
        """Registered model versions with their fairness verdicts and sign-offs."""
        releases = await run_in_threadpool(_runtime(request).releases.list_releases)
        return [ReleaseOut(**release) for release in releases]

    @app.get("/v1/releases/{version}/report", responses=_ERRORS, tags=["releases"])
    async def release_report(
        version: Annotated[str, Path(pattern=r"^[0-9]{1,9}$")],
        request: Request,
        _: Annotated[Actor, Depends(require("ethics_reviewer", "admin"))],
    ) -> dict[str, Any]:
        """The fairness report (``report.json``) of one release."""
        return await run_in_threadpool(_runtime(request).releases.report, version)

    @app.delete(
        "/v1/cases/{case_id}", response_model=ErasureOut, responses=_ERRORS, tags=["erasure"]
    )
    async def erase_case(
        case_id: Annotated[str, Path(pattern=ID_PATTERN)],
        request: Request,
        actor: Annotated[Actor, Depends(require("admin"))],
    ) -> ErasureOut:
        """Erase a case's note and personal data; its de-identified audit trail stays."""
        store = _runtime(request).store
        scores, decisions = await run_in_threadpool(
            lambda: store.erase_case(actor=actor, case_id=case_id)
        )
        counters()["erasures"].inc()
        return ErasureOut(case_id=case_id, scores_scrubbed=scores, decisions_scrubbed=decisions)

    from serving.web import install_web_pages

    install_web_pages(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> PlainTextResponse:
        await run_in_threadpool(_runtime(request).store.ping)
        return PlainTextResponse("ready\n")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
