"""Stream ``{"id", "text"}`` JSON lines from bytes, reporting bad lines instead of failing.

Lines are read as bytes and decoded one at a time, so one bad byte spoils one line, and a
1 GB file is never held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

__all__ = ["BadLine", "NoteLine", "read_note_lines"]


@dataclass(frozen=True, kw_only=True)
class NoteLine:
    line: int
    id: str | int
    text: str


@dataclass(frozen=True, kw_only=True)
class BadLine:
    """Why a line was rejected; never carries the note's text."""

    line: int
    field: str
    error: str

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "error": self.error}


def _parse(number: int, raw: bytes) -> NoteLine | BadLine | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadLine(line=number, field="<line>", error=f"not valid UTF-8 at byte {exc.start}")
    if not decoded.strip():
        return None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return BadLine(line=number, field="<line>", error=f"not valid JSON ({exc.msg})")
    if not isinstance(record, dict):
        return BadLine(line=number, field="<line>", error="expected a JSON object")
    if "id" not in record:
        return BadLine(line=number, field="id", error="missing field 'id'")
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        return BadLine(line=number, field="id", error="field 'id' must be a string or integer")
    if "text" not in record:
        return BadLine(line=number, field="text", error="missing field 'text'")
    if not isinstance(record["text"], str):
        kind = type(record["text"]).__name__
        return BadLine(
            line=number, field="text", error=f"field 'text' must be a string, got {kind}"
        )
    return NoteLine(line=number, id=record["id"], text=record["text"])


def read_note_lines(
    lines: Iterable[bytes],
    *,
    on_bad: Callable[[BadLine], None],
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[NoteLine]:
    """Yield good lines; call ``on_bad`` for each bad one (blank lines are skipped)."""
    for number, raw in enumerate(lines, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        parsed = _parse(number, raw)
        if isinstance(parsed, BadLine):
            on_bad(parsed)
        elif parsed is not None:
            yield parsed
