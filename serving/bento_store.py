"""The champion in BentoML's model store, where ``bentoml build`` packages it into a Bento.

The MLflow registry stays the record of every version and its audit; exporting copies the
``champion`` version, with its release tags, into BentoML's store. A service served from a
built Bento loads the model from there (``serving.champion``) and refuses it, as it refuses
an MLflow version, unless its audit passed or a reviewer signed it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.release_tags import ReleaseTags

__all__ = ["ExportedModel", "export_champion", "load_exported_pipeline"]

_MLFLOW_FOLDER = "mlflow_model"  # where bentoml.mlflow.import_model puts the MLflow model


@dataclass(frozen=True, kw_only=True)
class ExportedModel:
    tag: str
    version: str


def export_champion() -> ExportedModel:
    """Copy the approved ``champion`` MLflow version into BentoML's model store.

    Raises
    ------
    models.registry.ApprovalError
        The champion has no passing or signed-off audit.
    LookupError
        There is no champion.
    """
    import bentoml

    from core.settings import get_settings
    from models import registry

    version = registry.resolve_version("champion")
    registry.require_approved(version)
    tags = ReleaseTags.of(registry.get_version_tags(version))
    name = get_settings().model_name
    model = bentoml.mlflow.import_model(
        name,
        model_uri=f"models:/{name}/{version}",
        labels={"mlflow_version": version, "audit_verdict": tags.audit_verdict or "none"},
        metadata={"mlflow_version": version, "release_tags": tags.model_dump(exclude_none=True)},
    )
    return ExportedModel(tag=str(model.tag), version=version)


def load_exported_pipeline(name: str) -> tuple[Any, str]:
    """The fitted pipeline and MLflow version of the latest exported ``name``.

    Raises
    ------
    LookupError
        No such model in BentoML's store, or it is not approved.
    """
    import bentoml
    import mlflow.sklearn
    from bentoml.exceptions import NotFound

    try:
        model = bentoml.models.get(f"{name}:latest")
    except NotFound as error:
        raise LookupError(f"BentoML's model store has no model {name!r}") from error
    metadata = model.info.metadata
    tags = ReleaseTags.of(metadata.get("release_tags"))
    version = str(metadata.get("mlflow_version", ""))
    if not tags.approved:
        raise LookupError(
            f"{model.tag} (MLflow version {version or '?'}) is not approved "
            f"(audit_verdict: {tags.audit_verdict or 'none'})"
        )
    return mlflow.sklearn.load_model(model.path_of(_MLFLOW_FOLDER)), version
