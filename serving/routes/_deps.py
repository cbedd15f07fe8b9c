"""What every route shares: the runtime, role checks, query checks, path and header types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Path, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from core.schemas import NEEDS, REGIONS
from governance import ReleaseCatalog
from serving.api_schemas import ErrorBody
from serving.audit_log import Actor
from serving.case_store import CaseStore
from serving.errors import ApiError
from serving.serving_config import ServingConfig

__all__ = [
    "ERRORS",
    "IdempotencyKey",
    "NeedName",
    "RegionName",
    "ScoreCases",
    "ScoreId",
    "ServingRuntime",
    "forbid_unknown_query",
    "require",
    "runtime_of",
]

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
    #: tier -> label, from the priority policy file (``core/config/priority_policy.yaml``)
    tier_labels: dict[int, str] = field(default_factory=lambda: _policy_tier_labels())

    @property
    def tiers(self) -> tuple[int, ...]:
        return tuple(sorted(self.tier_labels))


def _policy_tier_labels() -> dict[int, str]:
    from models import PriorityPolicy

    return dict(PriorityPolicy.load().labels)


_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="a casetriage API key")
ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 410, 413, 422, 503)}


def runtime_of(request: Request) -> ServingRuntime:
    """The runtime the service attached, or a 503 while it is still starting."""
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
        actor = await run_in_threadpool(runtime_of(request).store.authenticate, presented)
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


async def forbid_unknown_query(request: Request) -> None:
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
