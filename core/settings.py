"""Where things live, from environment variables with embedded defaults.

This module is the only one that reads the process environment. Defaults put every
generated file under ``var/`` of the working directory: the MLflow store (SQLite +
artifacts), the service database (SQLite, WAL), the note-encryption key (outside the
database on purpose) and reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "get_settings"]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Locations and names the running process uses.

    Attributes
    ----------
    home : Path
        ``CASETRIAGE_HOME`` (default ``var``): root of generated files.
    mlflow_tracking_uri : str
        ``MLFLOW_TRACKING_URI`` (default a SQLite store under ``home``).
    database_url : str
        ``CASETRIAGE_DATABASE_URL`` (default SQLite under ``home``).
    note_key_file : Path
        ``CASETRIAGE_NOTE_KEY_FILE``: the key that encrypts note text at rest.
    web_session_key_file : Path
        ``CASETRIAGE_WEB_SESSION_KEY_FILE`` (default beside the note key).
    roster_file : Path
        ``CASETRIAGE_ROSTER``: the caseworker roster CSV.
    model_name : str
        ``CASETRIAGE_MODEL_NAME``: the registered MLflow model.
    serving_config_file, web_config_file : Path or None
        ``CASETRIAGE_SERVING_CONFIG`` / ``CASETRIAGE_WEB_CONFIG``: an operator's own copy
        of ``serving.yaml`` / ``web.yaml``; None means the shipped file.
    """

    home: Path
    mlflow_tracking_uri: str
    database_url: str
    note_key_file: Path
    web_session_key_file: Path
    roster_file: Path
    model_name: str
    serving_config_file: Path | None = None
    web_config_file: Path | None = None

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def _optional_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def get_settings() -> Settings:
    """Read settings now (not at import time), so tests can point them elsewhere."""
    home = Path(os.environ.get("CASETRIAGE_HOME", "var")).resolve()
    note_key_file = Path(os.environ.get("CASETRIAGE_NOTE_KEY_FILE", home / "secrets" / "note.key"))
    return Settings(
        home=home,
        mlflow_tracking_uri=os.environ.get(
            "MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow' / 'mlflow.db'}"
        ),
        database_url=os.environ.get(
            "CASETRIAGE_DATABASE_URL", f"sqlite:///{home / 'casetriage.db'}"
        ),
        note_key_file=note_key_file,
        web_session_key_file=_optional_path("CASETRIAGE_WEB_SESSION_KEY_FILE")
        or note_key_file.parent / "web_session.key",
        roster_file=Path(os.environ.get("CASETRIAGE_ROSTER", "data/synth/workers.csv")),
        model_name=os.environ.get("CASETRIAGE_MODEL_NAME", "casetriage-risk"),
        serving_config_file=_optional_path("CASETRIAGE_SERVING_CONFIG"),
        web_config_file=_optional_path("CASETRIAGE_WEB_CONFIG"),
    )
