"""The fairness report and model card of a release, read from its MLflow artifacts.

``casetriage.release.release_candidate`` logs ``report.html``, ``report.json`` and
``model_card.html`` under ``runs:/<run_id>/audit`` and points the model version's tag
``audit_report_uri`` there.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from serving.releases import ReleaseCatalog

__all__ = [
    "RELEASE_DOCUMENTS",
    "ReleaseDocumentError",
    "describe_signoff",
    "read_release_document",
    "release_tags",
]

RELEASE_DOCUMENTS = {"report": "report.html", "model-card": "model_card.html"}


class ReleaseDocumentError(LookupError):
    """The release or its document does not exist or cannot be read."""


def _client(catalog: ReleaseCatalog):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=catalog.tracking_uri, registry_uri=catalog.tracking_uri)


def release_tags(catalog: ReleaseCatalog, version: str) -> dict[str, str]:
    """Every tag of the model version (verdict, sign-off, block), or raise if unknown."""
    from mlflow.exceptions import MlflowException

    if not version.isdigit():
        raise ReleaseDocumentError(f"version: no release {version!r}")
    try:
        found = _client(catalog).get_model_version(catalog.model_name, version)
    except MlflowException as error:
        raise ReleaseDocumentError(f"version: no release {version!r}") from error
    return dict(found.tags or {})


def read_release_document(catalog: ReleaseCatalog, version: str, document: str) -> str:
    """The HTML of ``document`` (``report`` or ``model-card``) of release ``version``."""
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    if document not in RELEASE_DOCUMENTS:
        raise ReleaseDocumentError(f"document: no document {document!r}")
    uri = release_tags(catalog, version).get("audit_report_uri")
    if not uri:
        raise ReleaseDocumentError(f"version: release {version} has no audit report")
    name = RELEASE_DOCUMENTS[document]
    with tempfile.TemporaryDirectory(prefix="casetriage-release-") as folder:
        try:
            path = mlflow.artifacts.download_artifacts(
                artifact_uri=f"{uri.rstrip('/')}/{name}",
                tracking_uri=catalog.tracking_uri,
                dst_path=folder,
            )
        except (MlflowException, OSError) as error:
            raise ReleaseDocumentError(
                f"version: release {version} has no readable {name}"
            ) from error
        return Path(path).read_text(encoding="utf-8")


def describe_signoff(tags: dict[str, Any]) -> dict[str, Any]:
    """Who decided on a ``review`` release and how, from its tags (empty if nobody yet)."""
    if tags.get("signoff_reviewer"):
        return {
            "decision": "signed off",
            "reviewer": tags["signoff_reviewer"],
            "reason": tags.get("signoff_reason"),
            "at": tags.get("signoff_at"),
        }
    if tags.get("blocked_by"):
        return {
            "decision": "blocked",
            "reviewer": tags["blocked_by"],
            "reason": tags.get("blocked_reason"),
            "at": tags.get("blocked_at"),
        }
    return {}
