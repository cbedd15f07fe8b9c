"""Loading the model version aliased ``champion``, or a clear reason why it cannot serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "ChampionUnavailableError",
    "load_champion",
    "load_roster",
    "roster_path",
    "serving_from_a_bento",
]


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


def serving_from_a_bento() -> bool:
    """Does this process serve a built Bento (``bentoml serve casetriage:TAG``)?"""
    from bentoml import server_context

    return server_context.bento_version not in (None, "not available")


def load_champion(*, roster=None) -> Any:
    """The champion as a ``models.TriageModel``; any refusal becomes one clear error.

    From the MLflow registry's ``champion`` alias, or, when the service runs from a built
    Bento, from the model the Bento carries in BentoML's model store. Both refuse a version
    with no passing or signed-off fairness audit: the service then refuses to start rather
    than serve an unaudited model.
    """
    from core.settings import get_settings
    from models import PriorityPolicy, TriageModel

    settings = get_settings()
    roster = load_roster() if roster is None else roster
    if serving_from_a_bento():
        from serving.bento_store import load_exported_pipeline

        try:
            pipeline, version = load_exported_pipeline(settings.model_name)
        except Exception as error:
            raise ChampionUnavailableError(f"cannot serve from the Bento: {error}") from error
        return TriageModel(
            pipeline=pipeline, version=version, policy=PriorityPolicy.load(), roster=roster
        )
    try:
        return TriageModel.load(alias="champion", roster=roster)
    except Exception as error:
        raise ChampionUnavailableError(
            f"cannot serve model {settings.model_name!r}@champion from "
            f"{settings.mlflow_tracking_uri}: {error}"
        ) from error
