"""Benchmark of ``casetriage monitor``: a million stored scores with outcomes, one core.

Rows are drawn from the synthetic generator's population, needs and outcome model (no
notes: a million notes would take longer than everything measured) and bulk-inserted
into a SQLite service database: cases, sensitive attributes, scores, their active needs,
decisions and outcomes. The reference is a separate draw of the same process. Timed:
reading the version's cases (``serving.live_cases``) plus computing the whole report,
fairness audit included (``monitoring.build_report``), on one thread.

Target: at most 30 s for 1,000,000 scores with outcomes.

Then the false alarm rate: over 20 seeds, an unchanged caseload (a fresh draw of the
same process, scored by its calibrated true probability, outcomes drawn from it) must
raise an alert (``fail`` or ``drift``) in at most 1 of 20 runs; the same seeds with a
shifted population (poorer, more often in shelters) must raise it in every run.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from casetriage.benchmarks import Figure
from core.schemas import (
    CASE_CATEGORICAL_FIELDS,
    CASE_NUMERIC_FIELDS,
    NEEDS,
    SAFETY_NEEDS,
    SENSITIVE_ATTRIBUTES,
)

__all__ = ["draw_rows", "insert_rows", "reference_of", "run"]

TARGET_S = 30.0
VERSION = "1"
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def draw_rows(n: int, seed: int, *, shift=None) -> dict[str, object]:
    """``n`` cases from the generator's causal model: fields, sensitive attributes, active
    needs, a calibrated score (the true probability), a tier and the recorded label;
    ``shift`` (a ``casetriage.synth.PopulationShift``) moves the population."""
    from casetriage.synth import UnfairnessSwitches, load_config
    from casetriage.synth._needs import sample_active_needs, sample_referral_source
    from casetriage.synth._outcome import true_crisis_probability
    from casetriage.synth._population import sample_population
    from models import PriorityPolicy

    config = load_config()
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    population = sample_population(rngs[0], n, config, UnfairnessSwitches(), shift)
    active = sample_active_needs(rngs[1], population, config)
    population["referral_source"] = sample_referral_source(rngs[2], active)
    probability = np.round(true_crisis_probability(population, active, config), 6)
    label = (rngs[3].random(n) < probability).astype(int)
    policy = PriorityPolicy.load()
    ordered = sorted(policy.thresholds.items(), key=lambda item: -item[1])
    tier = np.full(n, max(policy.thresholds), dtype=int)
    for level, minimum in reversed(ordered):
        tier = np.where(probability >= minimum, level, tier)
    safety = active[sorted(SAFETY_NEEDS)].to_numpy().any(axis=1)
    tier = np.where(safety, policy.safety_tier, tier)
    possible = safety & (rngs[3].random(n) < 0.25)
    return {
        "population": population,
        "active": active,
        "probability": probability,
        "label": label,
        "tier": tier,
        "possible": possible,
    }


def insert_rows(database_url: str, rows: dict[str, object], *, version: str = VERSION) -> None:
    """Bulk-insert drawn rows into a migrated service database (SQLite, one transaction)."""
    from serving.database import make_engine, upgrade_schema

    engine = make_engine(database_url)
    upgrade_schema(engine)
    population: pd.DataFrame = rows["population"]
    n = len(population)
    now = datetime.now(UTC)
    created = (now - timedelta(days=120)).strftime(_SQLITE_TIME)
    decided = now.strftime(_SQLITE_TIME)
    crisis_on = (now - timedelta(days=100)).date().isoformat()
    ids = [f"C{i:07d}" for i in range(n)]
    score_ids = [f"S{i:031d}" for i in range(n)]
    field_names = (*CASE_NUMERIC_FIELDS, *CASE_CATEGORICAL_FIELDS, "preferred_language")
    records = population[list(field_names)].to_dict(orient="records")
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(
            "INSERT INTO cases (case_id, region, note_ciphertext, fields, created_at) "
            "VALUES (?, ?, NULL, ?, ?)",
            ((ids[i], records[i]["region"], json.dumps(records[i]), created) for i in range(n)),
        )
        sensitive = population[list(SENSITIVE_ATTRIBUTES)].astype(str).to_numpy()
        cursor.executemany(
            "INSERT INTO sensitive_attributes (case_id, race_ethnicity, sex, age_band, "
            "disability) VALUES (?, ?, ?, ?, ?)",
            ((ids[i], *sensitive[i]) for i in range(n)),
        )
        tier, probability, possible = rows["tier"], rows["probability"], rows["possible"]
        active = rows["active"]
        safety_columns = sorted(SAFETY_NEEDS)
        safety = active[safety_columns].to_numpy()

        def result(i: int) -> str:
            flagged = [safety_columns[j] for j in np.flatnonzero(safety[i])] if possible[i] else []
            return json.dumps({"tier": {"tier": int(tier[i]), "possible_safety_needs": flagged}})

        cursor.executemany(
            "INSERT INTO scores (score_id, case_id, model_version, tier, probability, status, "
            "result, created_at) VALUES (?, ?, ?, ?, ?, 'confirmed', ?, ?)",
            (
                (
                    score_ids[i],
                    ids[i],
                    version,
                    int(tier[i]),
                    float(probability[i]),
                    result(i),
                    created,
                )
                for i in range(n)
            ),
        )
        matrix = active[list(NEEDS)].to_numpy()
        cursor.executemany(
            "INSERT INTO score_needs (score_id, need) VALUES (?, ?)",
            ((score_ids[i], NEEDS[j]) for i, j in zip(*np.nonzero(matrix), strict=True)),
        )
        cursor.executemany(
            "INSERT INTO decisions (score_id, action, tier, decided_by_key_id, decided_at) "
            "VALUES (?, 'confirm', ?, 'bench', ?)",
            ((score_ids[i], int(tier[i]), decided) for i in range(n)),
        )
        label = rows["label"]
        cursor.executemany(
            "INSERT INTO outcomes (case_id, crisis, crisis_on, window_days, "
            "recorded_by_key_id, recorded_at) VALUES (?, ?, ?, 90, 'bench', ?)",
            ((ids[i], int(label[i]), crisis_on if label[i] else None, decided) for i in range(n)),
        )
        connection.commit()
    finally:
        connection.close()
        engine.dispose()


def reference_of(rows: dict[str, object]):
    """A monitoring reference of drawn rows (fields, needs and scores from the same draw)."""
    from monitoring.reference import reference_from_counts

    active = rows["active"]
    return reference_from_counts(
        rows["population"],
        need_counts={need: int(active[need].sum()) for need in NEEDS},
        probabilities=rows["probability"],
        tiers=rows["tier"],
        possible_safety=int(rows["possible"].sum()),
        model_version=VERSION,
        source="benchmark draw",
    )


def caseload_of(rows: dict[str, object], *, version: str = VERSION):
    """The drawn rows as a live caseload (every case decided, confirmed, with its outcome)."""
    from monitoring import LABEL, LiveCaseload

    population: pd.DataFrame = rows["population"]
    n = len(population)
    codes = np.arange(n)
    matrix = rows["active"][list(NEEDS)].to_numpy()
    score_codes, need_codes = np.nonzero(matrix)
    return LiveCaseload(
        model_version=version,
        scores=pd.DataFrame(
            {
                "score_id": codes,
                "case_id": codes,
                "tier": rows["tier"],
                "probability": rows["probability"],
                "created_at": pd.Timestamp.now(tz="UTC"),
                "possible_safety": rows["possible"],
            }
        ),
        fields=population[[*CASE_NUMERIC_FIELDS, *CASE_CATEGORICAL_FIELDS]].assign(case_id=codes),
        needs=pd.DataFrame({"score_id": score_codes, "need": np.array(NEEDS)[need_codes]}),
        decisions=pd.DataFrame(
            {"score_id": codes, "action": "confirm", "final_tier": rows["tier"]}
        ),
        outcomes=pd.DataFrame({"case_id": codes, LABEL: rows["label"]}),
        sensitive=population[list(SENSITIVE_ATTRIBUTES)].astype(str).assign(case_id=codes),
        source="benchmark draw",
    )


def _alarm_rates(quick: bool) -> list[Figure]:
    from bias_audits import AuditPolicy
    from casetriage.synth import PopulationShift
    from models import PriorityPolicy
    from monitoring import build_report, load_monitoring_policy

    seeds = range(100, 110 if quick else 120)
    n_cases = 3_000 if quick else 5_000
    reference = reference_of(draw_rows(8_000, seed=7))
    settings = {
        "policy": load_monitoring_policy(),
        "audit_policy": AuditPolicy.load(),
        "threshold": PriorityPolicy.load().thresholds[2],
    }
    shift = PopulationShift(income=-0.8, housing=1.5)
    alarms, detections, reasons = 0, 0, []
    for seed in seeds:
        unchanged = build_report(caseload_of(draw_rows(n_cases, seed)), reference, **settings)
        alarms += unchanged.alert
        if unchanged.alert:
            reasons.append(f"seed {seed}: {unchanged.reasons[0][:120]}")
        shifted = build_report(
            caseload_of(draw_rows(n_cases, seed, shift=shift)), reference, **settings
        )
        detections += shifted.alert
    runs = len(seeds)
    return [
        Figure(
            name=f"monitor false alarms: unchanged caseload, {runs} seeds x {n_cases:,} cases",
            value=alarms / runs,
            unit="share of runs alerting",
            target="<= 0.05",
            passed=alarms / runs <= 0.05,
            detail="; ".join(reasons)[:240],
        ),
        Figure(
            name=f"monitor detection: income -0.8 SD, housing +1.5 log-odds, {runs} seeds",
            value=detections / runs,
            unit="share of runs alerting",
            target="1.0",
            passed=detections == runs,
        ),
    ]


def run(*, quick: bool) -> list[Figure]:
    """Time one monitoring run over 1,000,000 (quick: 100,000) stored scores."""
    from threadpoolctl import threadpool_limits

    from bias_audits import AuditPolicy
    from models import PriorityPolicy
    from monitoring import build_report, load_monitoring_policy
    from serving.database import make_engine, make_session_factory
    from serving.live_cases import read_live_cases

    figures = _alarm_rates(quick)
    n = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="casetriage-bench-monitor-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'live.db'}"
        started = time.perf_counter()
        insert_rows(url, draw_rows(n, seed=5))
        setup_s = time.perf_counter() - started
        reference = reference_of(draw_rows(20_000, seed=6))
        engine = make_engine(url)
        with threadpool_limits(limits=1):
            started = time.perf_counter()
            caseload = read_live_cases(
                make_session_factory(engine, read_only=True), model_version=VERSION
            )
            read_s = time.perf_counter() - started
            report = build_report(
                caseload,
                reference,
                policy=load_monitoring_policy(),
                audit_policy=AuditPolicy.load(),
                threshold=PriorityPolicy.load().thresholds[2],
            )
            total_s = time.perf_counter() - started
        engine.dispose()
    return [
        *figures,
        Figure(
            name=f"monitor {n:,} stored scores with outcomes (read + report), one thread",
            value=total_s,
            unit="s",
            target=f"<= {TARGET_S:.0f} s" + (" (at 1M)" if quick else ""),
            # every stored case must have been read, and every outcome
            passed=total_s <= TARGET_S and report.scores["n"] == n and report.calibration["n"] == n,
            detail=f"{report.scores['n']:,} cases read, {report.calibration['n']:,} with an "
            f"outcome; read {read_s:.1f} s, report {total_s - read_s:.1f} s; verdict "
            f"{report.verdict}, fairness {report.fairness_verdict}; setup (bulk insert) "
            f"{setup_s:.0f} s",
        ),
        Figure(
            name="monitor: drift figures flagged on an unchanged population",
            value=len(report.drifted("drift")) + len(report.drifted("review")),
            unit="figures",
            target="0",
            passed=not report.drifted("drift") and not report.drifted("review"),
        ),
    ]
