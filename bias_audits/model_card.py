"""A model card per release (Mitchell et al., 2019), written from the release's audit.

The fairness section is generated from the audit itself, so the card cannot claim more
than the audit found.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bias_audits._render import TEMPLATES_DIR, render

if TYPE_CHECKING:
    from bias_audits._audit import AuditResult

__all__ = ["model_card_context", "write_model_card"]


def model_card_context(
    result: AuditResult,
    *,
    model_name: str,
    version: str | int,
    metrics: Mapping[str, float] | None = None,
    sections: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the card shows, as plain data (also written as ``model_card.json``)."""
    defaults = yaml.safe_load((TEMPLATES_DIR / "model_card_defaults.yaml").read_text())
    text = {**defaults, **(sections or {})}
    data = result.to_dict()
    flagged = [d for d in data["disparities"] if d["verdict"] in ("fail", "review")]
    return {
        "model_name": model_name,
        "version": str(version),
        "created_at": data["provenance"]["created_at"],
        "verdict": data["verdict"],
        "verdict_reasons": data["verdict_reasons"],
        "summary": data["summary"],
        "policy": data["policy"],
        "provenance": data["provenance"],
        "context": data["context"],
        "score_kind": data["score_kind"],
        "threshold": data["threshold"],
        "overall": data["overall"],
        "model_metrics": {k: float(v) for k, v in (metrics or {}).items()},
        "attributes": [
            {
                "attribute": a["attribute"],
                "reference": a["reference"],
                "groups": len(a["groups"]),
                "demographic_parity_difference": a["summaries"]
                .get("demographic_parity_difference", {})
                .get("value"),
                "equalized_odds_difference": a["summaries"]
                .get("equalized_odds_difference", {})
                .get("value"),
            }
            for a in data["attributes"]
        ],
        "flagged": flagged,
        "insufficient_groups": data["insufficient_groups"],
        "mitigation": data["mitigation"],
        **text,
    }


def write_model_card(
    result: AuditResult,
    out_dir: str | Path,
    *,
    model_name: str,
    version: str | int,
    metrics: Mapping[str, float] | None = None,
    sections: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``model_card.md`` and ``model_card.html`` for one release.

    Parameters
    ----------
    result : AuditResult
        The release's fairness audit on held-out cases.
    out_dir : path
    model_name, version : str
    metrics : mapping, optional
        The model's evaluation metrics (e.g. AUC, Brier score) from training.
    sections : mapping, optional
        Overrides of the default wording (``intended_use``, ``intended_users``,
        ``out_of_scope``, ``limitations``, ``human_oversight``).

    Returns
    -------
    dict
        ``{"md": path, "html": path}``
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    context = model_card_context(
        result, model_name=model_name, version=version, metrics=metrics, sections=sections
    )
    paths = {"md": out / "model_card.md", "html": out / "model_card.html"}
    paths["md"].write_text(render("model_card.md.j2", card=context), encoding="utf-8")
    paths["html"].write_text(render("model_card.html.j2", card=context), encoding="utf-8")
    return paths
