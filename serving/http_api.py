"""The versioned JSON API (``/v1``), as a FastAPI app the BentoML service mounts.

The app holds no model and no database of its own: the service (or a test) attaches a
:class:`ServingRuntime` with the storage, the scorer and the release catalog. Every
route checks the caller's role (:mod:`serving.routes`, one module per kind of caller);
every error is a JSON body naming the field.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from serving.error_handlers import install_error_handlers
from serving.middleware import BodySizeLimit, RequestLog
from serving.routes import (
    ServingRuntime,
    case_system_router,
    operator_router,
    reviewer_router,
    supervisor_router,
    webhooks_router,
)
from serving.routes._deps import ScoreCases, forbid_unknown_query
from serving.serving_config import ServingConfig

__all__ = ["ScoreCases", "ServingRuntime", "create_app"]


def _max_body_bytes(app: FastAPI) -> int:
    runtime = getattr(app.state, "runtime", None)
    return runtime.config.max_body_bytes if runtime else ServingConfig().max_body_bytes


def create_app() -> FastAPI:
    """Build the ``/v1`` API; attach a runtime with ``app.state.runtime = ServingRuntime(...)``."""
    from serving.web import install_web_pages

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
        dependencies=[Depends(forbid_unknown_query)],
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=lambda: _max_body_bytes(app))
    app.add_middleware(RequestLog)
    for router in (
        case_system_router,
        supervisor_router,
        reviewer_router,
        operator_router,
        webhooks_router,
    ):
        app.include_router(router())
    install_web_pages(app)
    return app
