"""Jinja2 rendering shared by every report (model audit, decisions audit, model card)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["TEMPLATES_DIR", "render", "write_json"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}"


def _percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}"


def _interval(pair: Any, kind: str = "percent") -> str:
    if not pair or pair[0] is None or pair[1] is None:
        return "—"
    fmt = _percent if kind == "percent" else _number
    return f"{fmt(pair[0])} – {fmt(pair[1])}"


def _environment(*, html: bool):
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(number=_number, percent=_percent, interval=_interval)
    return environment


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>``; HTML templates are autoescaped."""
    return _environment(html=template.endswith(".html.j2")).get_template(template).render(**context)


def write_json(data: Any, path: Path) -> None:
    """Strict JSON (no NaN): undefined values must already be ``None``."""
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
