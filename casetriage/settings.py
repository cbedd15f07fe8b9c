"""Where things live, from environment variables with embedded defaults.

Defaults put every generated file under ``var/`` of the working directory: the MLflow
store (SQLite + artifacts), the service database (SQLite, WAL), the note-encryption key
(outside the database on purpose) and reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "get_settings"]


@dataclass(frozen=True, kw_only=True)
class Settings:
    home: Path
    mlflow_tracking_uri: str
    database_url: str
    note_key_file: Path
    model_name: str

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def get_settings() -> Settings:
    """Read settings now (not at import time), so tests can point them elsewhere."""
    home = Path(os.environ.get("CASETRIAGE_HOME", "var")).resolve()
    return Settings(
        home=home,
        mlflow_tracking_uri=os.environ.get(
            "MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow' / 'mlflow.db'}"
        ),
        database_url=os.environ.get(
            "CASETRIAGE_DATABASE_URL", f"sqlite:///{home / 'casetriage.db'}"
        ),
        note_key_file=Path(
            os.environ.get("CASETRIAGE_NOTE_KEY_FILE", home / "secrets" / "note.key")
        ),
        model_name=os.environ.get("CASETRIAGE_MODEL_NAME", "casetriage-risk"),
    )
