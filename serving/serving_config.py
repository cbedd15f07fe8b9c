"""Limits of the API, read from ``config/serving.yaml`` when the service starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

__all__ = ["ServingConfig"]

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "serving.yaml"


@dataclass(frozen=True, kw_only=True)
class ServingConfig:
    max_body_bytes: int = 1_048_576
    queue_page_max: int = 200
    connect_timeout_s: float = 3.0
    statement_timeout_s: float = 5.0

    @classmethod
    def load(cls, path: Path | None = None) -> ServingConfig:
        """Read ``path`` (default: env ``CASETRIAGE_SERVING_CONFIG`` or the repo's file)."""
        path = Path(path or os.environ.get("CASETRIAGE_SERVING_CONFIG", DEFAULT_CONFIG))
        if not path.exists():
            return cls()
        values = yaml.safe_load(path.read_text()) or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}")
        return cls(**values)
