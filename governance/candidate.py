"""Auditing a candidate model version on held-out cases, and promoting it only if fair.

The audited decision is the one that changes what happens to a family: being flagged for
fast follow-up because of the model's risk, i.e. a calibrated probability at or above the
priority policy's tier-2 threshold. (The safety override to tier 1 is a rule on the
extracted needs, not a model output, and is the same for every group by construction.)
A ``fail`` leaves every alias untouched; a ``review`` waits for an ethics reviewer
(:mod:`governance.review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from core.schemas import MODEL_INPUT_FIELDS, SENSITIVE_ATTRIBUTES
from core.settings import get_settings
from governance.errors import ReleaseError
from governance.sink import AuditSink

if TYPE_CHECKING:
    from monitoring import TrainingReference

__all__ = ["ReleaseOutcome", "release_candidate"]

LABEL_COLUMN = "crisis_90d"
SCORE_COLUMN = "risk_probability"


def _run_of(version: str) -> tuple[str, dict[str, float]]:
    """The training run behind a model version, and its logged metrics."""
    from models import registry

    client = registry.store_client()
    run_id = client.get_model_version(get_settings().model_name, version).run_id
    return run_id, dict(client.get_run(run_id).data.metrics)


@dataclass(frozen=True, kw_only=True)
class ReleaseOutcome:
    version: str
    verdict: str
    verdict_reasons: list[str]
    report_dir: Path
    policy_sha256: str
    promoted: bool
    holdout_cases: int


def _holdout_frame(
    data_dir: Path, pipeline, version: str
) -> tuple[pd.DataFrame, str, TrainingReference]:
    """Score the held-out cases with the candidate; returns the audit table, the data hash
    and the monitoring reference (training fields, holdout needs and scores)."""
    from models import (
        PriorityPolicy,
        TriageModel,
        dataset_hash,
        load_model_config,
        read_cases,
        split_holdout,
    )
    from monitoring import build_reference, load_monitoring_policy

    cases = read_cases(data_dir)
    missing = [c for c in (LABEL_COLUMN, *SENSITIVE_ATTRIBUTES) if c not in cases.columns]
    if missing:
        raise ReleaseError(f"{data_dir}: the cases lack column(s) {', '.join(missing)}")
    train, holdout = split_holdout(cases, load_model_config())
    if holdout.empty:
        raise ReleaseError(f"{data_dir}: no held-out cases to audit on")
    triage = TriageModel(pipeline=pipeline, version=version, policy=PriorityPolicy.load())
    inputs = holdout[["case_id", "note", *MODEL_INPUT_FIELDS]].to_dict(orient="records")
    scored = triage.score(inputs)
    table = holdout[["case_id", LABEL_COLUMN, *SENSITIVE_ATTRIBUTES]].reset_index(drop=True)
    table[SCORE_COLUMN] = [result.risk.probability for result in scored]
    table["suggested_tier"] = [result.tier.tier for result in scored]
    drift = load_monitoring_policy().drift
    try:
        reference = build_reference(
            train,
            scored,
            model_version=version,
            numeric_bins=drift.numeric_bins,
            score_bins=drift.score_bins,
            source=f"{data_dir / 'cases.csv'} (training split; needs and scores on the holdout)",
        )
    except ValueError as error:
        raise ReleaseError(f"{data_dir}: {error}") from None
    return table, dataset_hash(cases), reference


def release_candidate(
    data_dir: str | Path,
    *,
    sink: AuditSink,
    actor: Any,
    version: str | None = None,
    policy_path: str | Path | None = None,
    report_dir: str | Path | None = None,
) -> ReleaseOutcome:
    """Audit ``version`` (default: alias ``candidate``) and promote it when the gate passes.

    The verdict, policy hash and report location are stored as tags of the model version
    and the reports are logged as artifacts of its training run, whatever the verdict; the
    decision is recorded in ``sink`` as done by ``actor``.

    Raises
    ------
    ReleaseError
        No such version, or the data cannot be audited.
    """
    from bias_audits import AuditPolicy, audit_table, write_model_card, write_reports
    from models import PriorityPolicy, registry
    from monitoring import log_reference

    data_dir = Path(data_dir)
    try:
        version = registry.resolve_version(version or "candidate")
    except LookupError as error:
        raise ReleaseError(f"{error}; train one first with `casetriage train DATA_DIR`") from None
    pipeline, version = registry.load_pipeline(version)
    table, data_hash, reference = _holdout_frame(data_dir, pipeline, version)

    policy = AuditPolicy.load(policy_path) if policy_path else AuditPolicy.load()
    threshold = PriorityPolicy.load().thresholds[2]
    result = audit_table(
        table,
        label=LABEL_COLUMN,
        score=SCORE_COLUMN,
        threshold=threshold,
        sensitive=list(SENSITIVE_ATTRIBUTES),
        policy=policy,
        source=f"{data_dir / 'cases.csv'} (held-out split)",
        source_sha256=data_hash,
        context={
            "model": get_settings().model_name,
            "model_version": version,
            "decision": f"flagged for priority: risk >= {threshold:.2f} (tier 2 or above)",
        },
    )
    out = Path(report_dir) if report_dir else Path("var/reports/releases") / f"v{version}"
    write_reports(result, out)
    run_id, metrics = _run_of(version)
    write_model_card(
        result, out, model_name=get_settings().model_name, version=version, metrics=metrics
    )
    registry.store_client().log_artifacts(run_id, str(out), artifact_path="audit")
    reference_uri = log_reference(run_id, reference)

    tags = {
        "audit_verdict": result.verdict,
        "audit_policy_hash": result.policy.sha256,
        "audit_report_uri": f"runs:/{run_id}/audit",
        "audit_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "audit_holdout_cases": str(len(table)),
        "monitoring_reference_uri": reference_uri,
    }
    registry.set_version_tags(version, tags)
    promoted = result.verdict == "pass"
    if promoted:
        registry.set_alias(version, "champion")
    sink.record_event(
        actor=actor,
        action="release.audited",
        model_version=version,
        details={
            "verdict": result.verdict,
            "policy_sha256": result.policy.sha256,
            "holdout_cases": len(table),
            "promoted_to_champion": promoted,
        },
    )
    return ReleaseOutcome(
        version=version,
        verdict=result.verdict,
        verdict_reasons=list(result.verdict_reasons),
        report_dir=out,
        policy_sha256=result.policy.sha256,
        promoted=promoted,
        holdout_cases=len(table),
    )
