"""Model releases as ethics reviewers see them: MLflow versions with their audit tags."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from serving.errors import NotFoundError

__all__ = ["ReleaseCatalog"]

AUDIT_TAGS = ("audit_verdict", "audit_policy_hash", "audit_report_uri")


class ReleaseCatalog:
    """Reads registered versions of ``model_name`` and their fairness reports from MLflow."""

    def __init__(self, *, tracking_uri: str, model_name: str) -> None:
        self.tracking_uri = tracking_uri
        self.model_name = model_name

    def _client(self):
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    @staticmethod
    def _describe(version) -> dict[str, Any]:
        tags = dict(version.tags or {})
        created = (
            datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC)
            if version.creation_timestamp
            else None
        )
        return {
            "version": str(version.version),
            "aliases": sorted(getattr(version, "aliases", []) or []),
            **{tag: tags.get(tag) for tag in AUDIT_TAGS},
            "signoff": {k: v for k, v in sorted(tags.items()) if k.startswith("signoff_")},
            "created_at": created,
        }

    def list_releases(self) -> list[dict[str, Any]]:
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

    def report(self, version: str) -> dict[str, Any]:
        """The fairness report (``report.json``) the version's ``audit_report_uri`` points to."""
        from mlflow.exceptions import MlflowException

        if not version.isdigit():
            raise NotFoundError(f"version: no release {version!r}", field="version")
        try:
            found = self._client().get_model_version(self.model_name, version)
        except MlflowException as error:
            raise NotFoundError(f"version: no release {version!r}", field="version") from error
        uri = (found.tags or {}).get("audit_report_uri")
        if not uri:
            raise NotFoundError(f"version: release {version} has no audit report", field="version")
        path = self._local_report(uri)
        if path is None or not path.is_file():
            raise NotFoundError(
                f"version: the audit report of release {version} is not readable", field="version"
            )
        return json.loads(path.read_text())

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
