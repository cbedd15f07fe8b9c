"""Loading the model version aliased ``champion``, or a clear reason why it cannot serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["ChampionUnavailableError", "load_champion", "load_roster", "roster_path"]


class ChampionUnavailableError(RuntimeError):
    """The service must not start: no champion, no roster, or no passing fairness audit."""


def roster_path() -> Path:
    """The roster CSV named by the settings (``CASETRIAGE_ROSTER``)."""
    from core.settings import get_settings

    return get_settings().roster_file


def load_roster(path: Path | None = None):
    """The caseworker roster (``worker_id,name,skills,languages,capacity,current_load,region``)."""
    import pandas as pd

    path = Path(path or roster_path())
    if not path.is_file():
        raise ChampionUnavailableError(
            f"CASETRIAGE_ROSTER: no caseworker roster at {path} (run `casetriage synth` "
            "or point CASETRIAGE_ROSTER at workers.csv)"
        )
    roster = pd.read_csv(path, dtype={"worker_id": str})
    if "worker_id" not in roster.columns:
        raise ChampionUnavailableError(f"{path}: the roster has no worker_id column")
    return roster


def load_champion(*, roster=None) -> Any:
    """``models.TriageModel.load(alias="champion")``; any refusal becomes one clear error.

    ``TriageModel.load`` raises when the version has no passing or signed-off fairness
    audit; the service then refuses to start rather than serve an unaudited model.
    """
    from core.settings import get_settings

    settings = get_settings()
    roster = load_roster() if roster is None else roster
    try:
        from models import TriageModel
    except ImportError as error:
        raise ChampionUnavailableError(
            "models.TriageModel is not available in this installation"
        ) from error
    try:
        return TriageModel.load(alias="champion", roster=roster)
    except Exception as error:
        raise ChampionUnavailableError(
            f"cannot serve model {settings.model_name!r}@champion from "
            f"{settings.mlflow_tracking_uri}: {error}"
        ) from error
