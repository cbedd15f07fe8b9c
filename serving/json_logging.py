"""Structured logs: one JSON object a line, with ids and numbers only.

Callers pass explicit fields; there is no free-text message parameter that could carry
note text, names or keys by accident.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["configure_json_logging", "log_event"]

LOGGER_NAME = "casetriage.serving"


class _JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, default=str)


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not to the stream of
    the moment the handler was made (which a test's or a worker's redirection replaces)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_json_logging(*, level: int = logging.INFO) -> logging.Logger:
    """Send the service's logger to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_casetriage", False) for h in logger.handlers):
        handler = _CurrentStderrHandler()
        handler.setFormatter(_JsonLinesFormatter())
        handler._casetriage = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


def log_event(event: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``event`` (a fixed identifier such as ``"request"``) with structured ``fields``."""
    logging.getLogger(LOGGER_NAME).log(level, event, extra={"fields": fields})
