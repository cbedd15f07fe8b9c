"""The supervisor's pages: the review queue, a case with its evidence, and the decision.

Decisions go through :meth:`serving.case_store.CaseStore.decide`, the same function the
``/v1`` API calls, so a decision made here leaves the same audit-log entry.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from core.errors import DomainError
from core.scoring import ScoreResult
from serving.api_schemas import DecisionIn
from serving.case_store import QueueFilter
from serving.json_logging import log_event
from serving.web.note_highlight import need_colour, need_label, note_segments
from serving.web.page_auth import PageError, SignedIn, checked_form, page_user, web_state
from serving.web.rendering import render_page

__all__ = ["plain_risk_sentence", "review_router"]

_SCORE_ID = re.compile(r"^[0-9a-f]{32}$")
Supervisor = Annotated[SignedIn, Depends(page_user("supervisor"))]


def plain_risk_sentence(result: ScoreResult) -> str:
    """One sentence a supervisor can read aloud: the estimate, the tier and why that tier."""
    tier = result.tier
    sentence = (
        f"The model estimates a {result.risk.probability:.0%} chance of a crisis within 90 "
        f"days, so it suggests tier {tier.tier} ({tier.label})"
    )
    if tier.safety_needs:
        needs = ", ".join(need_label(n) for n in tier.safety_needs)
        sentence += f" because the note mentions {needs} for the client, whatever the estimate"
        possible = tier.possible_safety_needs
        if possible:
            sentence += (
                f"; {', '.join(need_label(n) for n in possible)} rests on evidence the"
                " extractor is unsure of (a warning sign or a weak score): check it in the note"
            )
    return sentence + "."


def _score_id(value: str) -> str:
    if not _SCORE_ID.match(value):
        raise PageError(f"There is no case with score id {value!r}.", status_code=404)
    return value


def _runtime(request: Request):
    return request.app.state.runtime


def _load_case(request: Request, score_id: str) -> dict[str, Any]:
    """Everything the case page shows; runs in a worker thread (database, decryption)."""
    from core.errors import NotFoundError

    store = _runtime(request).store
    try:
        record, erased, decisions = store.score_with_decisions(score_id)
    except NotFoundError as error:
        raise PageError(f"There is no case with score id {score_id}.", status_code=404) from error
    if erased or record.result is None:
        raise PageError(
            f"Case {record.case_id} was erased; its note and details are gone.",
            status_code=410,
            title="Case erased",
        )
    note = store.note_of(record.case_id) or ""
    # the evidence stored with the score (every mention the extractor of that day counted),
    # not a re-extraction with today's pipeline
    result = record.score_result()
    return {
        "record": record,
        "result": result,
        "decisions": decisions,
        "segments": note_segments(note, result.needs),
        "needs": result.needs,
    }


def _worker_choices(request: Request, result: ScoreResult) -> list[dict[str, str]]:
    suggested = [
        {"worker_id": w.worker_id, "label": f"{w.name} ({w.worker_id}), suggested"}
        for w in result.workers
    ]
    seen = {w.worker_id for w in result.workers}
    others = sorted((_runtime(request).worker_ids or frozenset()) - seen)
    return suggested + [{"worker_id": w, "label": w} for w in others]


async def _case_page(
    request: Request,
    score_id: str,
    *,
    error: str | None = None,
    entered: dict[str, str] | None = None,
    decided: str | None = None,
    status_code: int = 200,
) -> Response:
    case = await run_in_threadpool(_load_case, request, score_id)
    result = case["result"]
    return render_page(
        request,
        "case.html.j2",
        status_code=status_code,
        title=f"Case {case['record'].case_id}",
        record=case["record"],
        result=result,
        decisions=case["decisions"],
        segments=case["segments"],
        needs=case["needs"],
        sentence=plain_risk_sentence(result),
        tiers=_runtime(request).tiers,
        worker_choices=_worker_choices(request, result),
        suggested_worker=result.suggested_worker_id or "",
        error=error,
        entered=entered or {},
        decided=await _decided_note(request, decided),
        need_label=need_label,
        need_colour=need_colour,
    )


async def _decided_note(request: Request, decided: str | None) -> str | None:
    """The confirmation shown after a decision, on whichever page opens next."""
    if not decided or not _SCORE_ID.match(decided):
        return None
    store = _runtime(request).store
    try:
        record, _, decisions = await run_in_threadpool(store.score_with_decisions, decided)
    except DomainError:
        return None
    if not decisions:
        return None
    last = decisions[-1]
    verb = "confirmed" if last.action == "confirm" else "overrode"
    worker = f", worker {last.worker_id}" if last.worker_id else ""
    return f"Saved: you {verb} case {record.case_id} (tier {last.tier}{worker})."


def _decision_from_form(
    fields: dict[str, str], result: ScoreResult, *, tiers: tuple[int, ...]
) -> DecisionIn:
    """The form as a :class:`DecisionIn`; raises ``ValueError`` with a message for people."""
    action = fields.get("action")
    reason = (fields.get("reason") or "").strip() or None
    if action == "confirm":
        return DecisionIn(action="confirm", reason=reason)
    if action != "override":
        raise ValueError("action: choose confirm or override")
    suggested_tier = result.tier.tier
    suggested_worker = result.suggested_worker_id
    tier_text = (fields.get("tier") or "").strip()
    if tier_text not in {str(t) for t in tiers}:
        raise ValueError(f"tier: choose a tier from {tiers[0]} to {tiers[-1]}")
    tier = int(tier_text)
    worker_id = (fields.get("worker_id") or "").strip() or None
    changed_tier = tier if tier != suggested_tier else None
    changed_worker = worker_id if worker_id != suggested_worker else None
    if changed_tier is None and changed_worker is None:
        raise ValueError(
            "tier: an override must change the tier, the worker or both; "
            "to keep the suggestion, use Confirm"
        )
    if reason is None:
        raise ValueError("reason: an override needs a reason; nothing was saved")
    try:
        return DecisionIn(
            action="override", tier=changed_tier, worker_id=changed_worker, reason=reason
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "reason"
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise ValueError(message if ":" in message else f"{field}: {message}") from None


def review_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/ui/queue")
    async def queue_page(
        request: Request,
        user: Supervisor,
        tier: Annotated[str | None, Query(max_length=2)] = None,
        decided: Annotated[str | None, Query(max_length=32)] = None,
    ) -> Response:
        chosen = None
        error = None
        if tier:
            tiers = _runtime(request).tiers
            if tier in {str(t) for t in tiers}:
                chosen = int(tier)
            else:
                error = f"tier: choose a tier from {tiers[0]} to {tiers[-1]}, or all tiers"
        size = web_state(request).config.queue_page_size
        store = _runtime(request).store
        items, more = await run_in_threadpool(
            lambda: store.queue(where=QueueFilter(tier=chosen), limit=size, offset=0)
        )
        return render_page(
            request,
            "queue.html.j2",
            title="Review queue",
            items=items,
            more=more,
            tiers=_runtime(request).tiers,
            chosen_tier=chosen,
            error=error,
            decided=await _decided_note(request, decided),
            need_label=need_label,
        )

    @router.get("/ui/cases/{score_id}")
    async def case_page(
        request: Request,
        score_id: str,
        user: Supervisor,
        decided: Annotated[str | None, Query(max_length=32)] = None,
    ) -> Response:
        return await _case_page(request, _score_id(score_id), decided=decided)

    @router.post("/ui/cases/{score_id}/decision")
    async def decide(request: Request, score_id: str, user: Supervisor) -> Response:
        score_id = _score_id(score_id)
        fields = await checked_form(request, user)
        runtime = _runtime(request)
        try:
            record, _, _ = await run_in_threadpool(runtime.store.score_with_decisions, score_id)
        except DomainError as error:
            message = f"There is no case with score id {score_id}."
            raise PageError(message, status_code=404) from error
        if record.result is None:
            raise PageError(f"Case {record.case_id} was erased.", status_code=410)
        try:
            decision = _decision_from_form(fields, record.score_result(), tiers=runtime.tiers)
            await run_in_threadpool(
                lambda: runtime.store.decide(
                    actor=user.actor,
                    score_id=score_id,
                    decision=decision,
                    known_worker_ids=runtime.worker_ids,
                )
            )
        except (ValueError, DomainError) as error:
            message = error.message if isinstance(error, DomainError) else str(error)
            return await _case_page(
                request, score_id, error=message, entered=fields, status_code=422
            )
        log_event("web_decision", key_id=user.actor.key_id, action=decision.action)
        following, _ = await run_in_threadpool(
            lambda: runtime.store.queue(where=QueueFilter(), limit=1, offset=0)
        )
        target = (
            f"/ui/cases/{following[0]['score_id']}?decided={score_id}"
            if following
            else f"/ui/queue?decided={score_id}"
        )
        return RedirectResponse(target, status_code=303)

    return router
