"""Risk model benchmark: quality vs the oracle, calibration, scoring and assignment speed."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from casetriage.benchmarks import Figure

__all__ = ["run"]


def _synthesise(n_cases: int, folder: Path) -> None:
    from typer.testing import CliRunner

    from casetriage.cli import app

    result = CliRunner().invoke(
        app, ["synth", "--cases", str(n_cases), "--seed", "7", "--out", str(folder)]
    )
    if result.exit_code != 0:
        raise RuntimeError(f"casetriage synth failed: {result.output}")


def run(*, quick: bool) -> list[Figure]:
    """Train on a synthetic caseload, then time batch scoring and batch assignment."""
    import pandas as pd

    from models import (
        CaseworkerMatcher,
        PriorityPolicy,
        TriageModel,
        load_model_config,
        read_cases,
        read_roster,
        train_risk_model,
    )

    config = load_model_config()
    with tempfile.TemporaryDirectory() as tmp:
        _synthesise(4000 if quick else 20000, Path(tmp))
        cases = read_cases(Path(tmp))
        roster = read_roster(Path(tmp))
    trained = train_risk_model(cases, config)
    metrics, baseline = trained.holdout_metrics, trained.baseline_holdout_metrics
    oracle = trained.oracle_auc if trained.oracle_auc is not None else float("nan")
    gap = oracle - metrics["auc"]
    figures = [
        Figure(name="holdout AUC", value=metrics["auc"], unit="", detail=trained.family),
        Figure(name="oracle AUC (true_probability)", value=oracle, unit=""),
        Figure(name="AUC gap to oracle", value=gap, unit="", target="<= 0.02", passed=gap <= 0.02),
        Figure(
            name="holdout ECE",
            value=metrics["ece"],
            unit="",
            target="<= 0.02",
            passed=metrics["ece"] <= 0.02,
        ),
        Figure(
            name="holdout Brier",
            value=metrics["brier"],
            unit="",
            target=f"<= baseline {baseline['brier']:.4f}",
            passed=metrics["brier"] <= baseline["brier"],
        ),
    ]
    triage = TriageModel(
        pipeline=trained.pipeline,
        version="bench",
        policy=PriorityPolicy.load(),
        roster=roster,
        config=config,
    )
    batch = cases.drop(columns=["needs"], errors="ignore").head(2000).to_dict("records")
    triage.score(batch[:20])
    start = time.perf_counter()
    triage.score(batch)
    rate = len(batch) / (time.perf_counter() - start)
    figures.append(
        Figure(
            name="in-process batch scoring",
            value=rate,
            unit="cases/s",
            target=">= 1000",
            passed=rate >= 1000,
            detail="needs extraction, risk, reasons, tier, worker suggestions",
        )
    )
    copies = -(-100 // len(roster))
    big = pd.concat(
        [roster.assign(worker_id=roster.worker_id + f"-{k}") for k in range(copies)]
    ).head(100)
    matcher = CaseworkerMatcher(roster=big, config=config.assignment)
    queue = triage.score(batch[:1000])
    needs = [[n.model_dump() for n in r.needs] for r in queue]
    lowest = max(triage.policy.labels)
    urgency = [lowest + 1 - r.tier.tier for r in queue]
    start = time.perf_counter()
    assignment = matcher.assign_batch(batch[:1000], needs, urgency=urgency)
    seconds = time.perf_counter() - start
    figures += [
        Figure(
            name="batch assignment 1,000 cases / 100 workers",
            value=seconds,
            unit="s",
            target="<= 1",
            passed=seconds <= 1.0,
        ),
        Figure(
            name="assignment match quality (optimal / greedy)",
            value=assignment.total_quality / max(assignment.greedy_total_quality, 1e-9),
            unit="ratio",
            detail=f"utilisation std {assignment.utilisation_std:.3f} vs greedy "
            f"{assignment.greedy_utilisation_std:.3f}; unassigned {assignment.n_unassigned} "
            f"vs {assignment.greedy_n_unassigned}",
        ),
    ]
    return figures
