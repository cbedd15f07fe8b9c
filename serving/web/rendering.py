"""Jinja2 templates of the web pages, rendered with strict security headers."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

__all__ = ["PAGE_HEADERS", "TEMPLATES_DIR", "render_page"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Everything comes from this origin: no external hosts, no inline scripts.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@functools.cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from serving.web.note_highlight import need_label

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["percent"] = lambda value: f"{100 * float(value):.0f}%"
    environment.filters["waiting"] = waiting_text
    environment.filters["need_label"] = need_label
    return environment


def waiting_text(seconds: float) -> str:
    """A waiting time in words a person reads at a glance: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def render_page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` with the signed-in user (if any) and the page headers."""
    user = getattr(request.state, "web_user", None)
    html = _environment().get_template(template).render(user=user, **context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
