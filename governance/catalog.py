"""Model releases as ethics reviewers see them: MLflow versions, their tags and reports.

The release gate logs ``report.html``, ``report.json`` and ``model_card.html`` under
``runs:/<run_id>/audit`` and points the version's tag ``audit_report_uri`` there.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from core.errors import NotFoundError
from core.release_tags import ReleaseTags

__all__ = ["RELEASE_DOCUMENTS", "ReleaseCatalog"]

#: the documents of a release a reviewer can open, by their name in a page's address
RELEASE_DOCUMENTS = {"report": "report.html", "model-card": "model_card.html"}


def _no_release(version: str) -> NotFoundError:
    return NotFoundError(f"version: no release {version!r}", field="version")


class ReleaseCatalog:
    """Reads registered versions of ``model_name`` and their fairness reports from MLflow.

    Parameters
    ----------
    tracking_uri : str
        The MLflow tracking and registry store.
    model_name : str
        The registered model whose versions are releases.
    """

    def __init__(self, *, tracking_uri: str, model_name: str) -> None:
        self.tracking_uri = tracking_uri
        self.model_name = model_name

    def _client(self):
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    @staticmethod
    def _describe(version) -> dict[str, Any]:
        tags = ReleaseTags.of(version.tags)
        created = (
            datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC)
            if version.creation_timestamp
            else None
        )
        return {
            "version": str(version.version),
            "aliases": sorted(getattr(version, "aliases", []) or []),
            "audit_verdict": tags.audit_verdict,
            "audit_policy_hash": tags.audit_policy_hash,
            "audit_report_uri": tags.audit_report_uri,
            "signoff": {
                key: value
                for key, value in sorted((version.tags or {}).items())
                if key.startswith("signoff_")
            },
            "decision": tags.reviewer_decision(),
            "created_at": created,
        }

    def list_releases(self) -> list[dict[str, Any]]:
        """Every version, newest first, with its aliases, verdict and reviewer decision."""
        from mlflow.exceptions import MlflowException

        client = self._client()
        try:
            by_alias = dict(client.get_registered_model(self.model_name).aliases or {})
        except MlflowException:
            return []
        versions = client.search_model_versions(f"name='{self.model_name}'")
        described = [self._describe(version) for version in versions]
        for item in described:
            found = {
                alias for alias, version in by_alias.items() if str(version) == item["version"]
            }
            item["aliases"] = sorted(set(item["aliases"]) | found)
        return sorted(described, key=lambda item: int(item["version"]), reverse=True)

    def tags(self, version: str) -> ReleaseTags:
        """The release tags of ``version``.

        Raises
        ------
        core.errors.NotFoundError
            No such version.
        """
        from mlflow.exceptions import MlflowException

        if not version.isdigit():
            raise _no_release(version)
        try:
            found = self._client().get_model_version(self.model_name, version)
        except MlflowException as error:
            raise _no_release(version) from error
        return ReleaseTags.of(found.tags)

    def _report_uri(self, version: str) -> str:
        uri = self.tags(version).audit_report_uri
        if not uri:
            raise NotFoundError(f"version: release {version} has no audit report", field="version")
        return uri

    def report(self, version: str) -> dict[str, Any]:
        """The fairness report (``report.json``) the version's ``audit_report_uri`` points to."""
        path = self._local_report(self._report_uri(version))
        if path is None or not path.is_file():
            raise NotFoundError(
                f"version: the audit report of release {version} is not readable", field="version"
            )
        return json.loads(path.read_text())

    def document(self, version: str, document: str) -> str:
        """The HTML of ``document`` (``report`` or ``model-card``) of release ``version``."""
        import mlflow.artifacts
        from mlflow.exceptions import MlflowException

        if document not in RELEASE_DOCUMENTS:
            raise NotFoundError(f"document: no document {document!r}", field="document")
        uri = self._report_uri(version)
        name = RELEASE_DOCUMENTS[document]
        with tempfile.TemporaryDirectory(prefix="casetriage-release-") as folder:
            try:
                path = mlflow.artifacts.download_artifacts(
                    artifact_uri=f"{uri.rstrip('/')}/{name}",
                    tracking_uri=self.tracking_uri,
                    dst_path=folder,
                )
            except (MlflowException, OSError) as error:
                raise NotFoundError(
                    f"version: release {version} has no readable {name}", field="version"
                ) from error
            return Path(path).read_text(encoding="utf-8")

    def _local_report(self, uri: str) -> Path | None:
        parsed = urlparse(uri)
        if parsed.scheme in ("", "file"):
            path = Path(unquote(parsed.path) if parsed.scheme else uri)
        else:
            import mlflow.artifacts

            path = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=uri, tracking_uri=self.tracking_uri
                )
            )
        return path / "report.json" if path.is_dir() else path
