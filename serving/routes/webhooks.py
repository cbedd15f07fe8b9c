"""Routes for case systems' webhooks: where their decision events are sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from serving.audit_log import Actor
from serving.case_store import utc
from serving.routes._deps import ERRORS, require, runtime_of
from serving.tables import Webhook
from serving.webhook_schemas import WebhookCreated, WebhookIn, WebhookOut
from serving.webhooks import list_webhooks, register_webhook, remove_webhook

__all__ = ["webhooks_router"]

CaseSystem = Annotated[Actor, Depends(require("case_system"))]
WebhookId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the webhook's id")]


def _out(webhook: Webhook) -> WebhookOut:
    return WebhookOut(
        webhook_id=webhook.webhook_id,
        url=webhook.url,
        active=webhook.active,
        created_at=utc(webhook.created_at),
        removed_at=utc(webhook.removed_at) if webhook.removed_at else None,
    )


def webhooks_router() -> APIRouter:
    router = APIRouter()

    @router.post(
        "/v1/webhooks",
        response_model=WebhookCreated,
        status_code=201,
        responses=ERRORS,
        tags=["events"],
    )
    async def create_webhook(
        body: WebhookIn, request: Request, actor: CaseSystem
    ) -> WebhookCreated:
        """Register a URL for decision events; the response holds its signing secret, once.

        Every decision, amendment and erasure from now on is POSTed there as JSON, signed
        with ``X-Casetriage-Signature: sha256=<hex HMAC-SHA256 of the body>``.
        """
        runtime = runtime_of(request)
        webhook, secret = await run_in_threadpool(
            lambda: register_webhook(
                runtime.store,
                actor=actor,
                url=body.url,
                allowed_hosts=runtime.config.webhook_hosts,
            )
        )
        return WebhookCreated(**_out(webhook).model_dump(), secret=secret)

    @router.get("/v1/webhooks", response_model=list[WebhookOut], responses=ERRORS, tags=["events"])
    async def get_webhooks(request: Request, actor: CaseSystem) -> list[WebhookOut]:
        """The caller's own active webhooks (never their secrets)."""
        store = runtime_of(request).store
        found = await run_in_threadpool(lambda: list_webhooks(store, owner_key_id=actor.key_id))
        return [_out(webhook) for webhook in found]

    @router.delete(
        "/v1/webhooks/{webhook_id}", response_model=WebhookOut, responses=ERRORS, tags=["events"]
    )
    async def delete_webhook(
        webhook_id: WebhookId, request: Request, actor: CaseSystem
    ) -> WebhookOut:
        """Stop sending events to one of the caller's webhooks; its undelivered ones are dropped."""
        store = runtime_of(request).store
        webhook = await run_in_threadpool(
            lambda: remove_webhook(store, actor=actor, webhook_id=webhook_id)
        )
        return _out(webhook)

    return router
