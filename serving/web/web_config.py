"""Settings of the web pages, read from ``config/web.yaml`` when the app is built."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

__all__ = ["WebConfig"]

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "web.yaml"


@dataclass(frozen=True, kw_only=True)
class WebConfig:
    """Cookie and page settings.

    ``secure_cookies`` adds the ``Secure`` flag, so browsers send the session cookie only
    over HTTPS; it must be on wherever the service is reached over a network.
    """

    secure_cookies: bool = False
    session_max_age_s: int = 28_800
    queue_page_size: int = 50

    @classmethod
    def load(cls, path: Path | None = None) -> WebConfig:
        """Read ``path`` (default: env ``CASETRIAGE_WEB_CONFIG`` or the repo's file)."""
        path = Path(path or os.environ.get("CASETRIAGE_WEB_CONFIG", DEFAULT_CONFIG))
        if not path.exists():
            return cls()
        values = yaml.safe_load(path.read_text()) or {}
        if not isinstance(values, dict):
            raise ValueError(f"{path}: expected a mapping of settings")
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}")
        if "secure_cookies" in values and not isinstance(values["secure_cookies"], bool):
            raise ValueError(f"{path}: secure_cookies must be true or false")
        for name in ("session_max_age_s", "queue_page_size"):
            value = values.get(name, 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{path}: {name} must be a positive whole number")
        return cls(**values)
