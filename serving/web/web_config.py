"""Settings of the web pages, read from ``core/config/web.yaml`` when the app is built."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from core.config import load_config

__all__ = ["WebConfig"]


class WebConfig(BaseModel):
    """Cookie and page settings.

    ``secure_cookies`` adds the ``Secure`` flag, so browsers send the session cookie only
    over HTTPS; it must be on wherever the service is reached over a network. It has no
    default: a deployment says which it is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    secure_cookies: StrictBool
    session_max_age_s: int = Field(default=28_800, ge=1, strict=True)
    queue_page_size: int = Field(default=50, ge=1, strict=True)

    @classmethod
    def load(cls, path: Path | None = None) -> WebConfig:
        """Read ``path``, else the operator's file from the settings, else the shipped one.

        Raises
        ------
        core.config.ConfigError
            Naming the file and field when the file is missing or a value is wrong.
        """
        from core.settings import get_settings

        return load_config("web.yaml", cls, path=path or get_settings().web_config_file)
