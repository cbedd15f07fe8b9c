"""The served version's live caseload, read from the service database into pandas frames.

One query per table, each restricted in SQL to the version's scores (and window), read
in chunks of rows rather than ORM objects, in one read transaction so every frame shows
the same state of the database. Sensitive attributes come back as a frame of their own
(:class:`monitoring.LiveCaseload` joins them only for per-group figures and the fairness
audit); nothing here reads note text. Case and score ids become integer codes local to
the read: joins on them are fast, and the frames hold no id a person could be found by.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from core.schemas import CASE_CATEGORICAL_FIELDS, CASE_NUMERIC_FIELDS, SAFETY_NEEDS
from core.schemas import SENSITIVE_ATTRIBUTES as ATTRIBUTES
from monitoring import LABEL, LiveCaseload
from serving.database import read_one_snapshot
from serving.outcome_rules import crisis_within
from serving.tables import Case, Decision, Outcome, ScoreNeed, ScoreRecord, SensitiveAttributes
from serving.training_export import LABEL_WINDOW_DAYS

__all__ = ["CHUNK_ROWS", "read_live_cases"]

CHUNK_ROWS = 50_000
FIELDS = (*CASE_NUMERIC_FIELDS, *CASE_CATEGORICAL_FIELDS)


def _frame(session: Session, statement: Select, columns: list[str], chunk_rows: int):
    """The rows of ``statement`` as a frame, fetched ``chunk_rows`` at a time as the
    driver's plain tuples: SQLAlchemy's per-row processing (datetimes, JSON) cost more
    than the query, so values come as the driver gives them and are converted per column.

    The driver's cursor is read directly, without SQLAlchemy's streaming options (their
    row buffer would hold rows the cursor no longer has). SQLite's cursor steps through
    the result as it is fetched; psycopg's holds the result in libpq's memory and hands it
    over a chunk at a time, so at most one chunk exists as Python objects.
    """
    result = session.connection().execute(statement)
    cursor = result.cursor
    parts = []
    try:
        while rows := cursor.fetchmany(chunk_rows):
            parts.append(pd.DataFrame.from_records(rows, columns=columns, coerce_float=False))
    finally:
        result.close()
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _codes(index: pd.Index, values: pd.Series) -> np.ndarray:
    """Positions of ``values`` in the unique ``index``, those not in it left out."""
    codes = index.get_indexer(values)
    return codes[codes >= 0]


def _utc(values: pd.Series) -> pd.Series:
    """SQLite hands back naive datetimes, PostgreSQL aware ones: both as UTC."""
    return pd.to_datetime(values, utc=True)


def read_live_cases(
    sessions: sessionmaker[Session],
    *,
    model_version: str,
    since_days: float | None = None,
    now: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> LiveCaseload:
    """The cases scored by ``model_version`` (erased ones left out), each with its latest
    score by that version, the active needs of that score, its latest decision, its
    90-day outcome label when the outcome tells one, and its sensitive attributes.

    Parameters
    ----------
    sessions : sessionmaker
        Read sessions on the service database.
    since_days : float, optional
        Only scores made in the last ``since_days`` days.
    """
    now = now or datetime.now(UTC)
    version_scores = select(ScoreRecord.score_id).where(
        ScoreRecord.model_version == str(model_version), ScoreRecord.status != "erased"
    )
    if since_days is not None:
        version_scores = version_scores.where(
            ScoreRecord.created_at >= now - timedelta(days=since_days)
        )
    version_cases = (
        select(ScoreRecord.case_id).where(ScoreRecord.score_id.in_(version_scores)).distinct()
    )
    with sessions() as session:
        read_one_snapshot(session)
        scores = _frame(
            session,
            select(
                ScoreRecord.score_id,
                ScoreRecord.case_id,
                ScoreRecord.tier,
                ScoreRecord.probability,
                ScoreRecord.created_at,
            ).where(ScoreRecord.score_id.in_(version_scores)),
            ["score_id", "case_id", "tier", "probability", "created_at"],
            chunk_rows,
        )
        cases = _frame(
            session,
            select(
                Case.case_id,
                Case.created_at,
                *(Case.fields[name].as_float() for name in CASE_NUMERIC_FIELDS),
                *(Case.fields[name].as_string() for name in CASE_CATEGORICAL_FIELDS),
            ).where(
                Case.case_id.in_(version_cases),
                Case.erased_at.is_(None),
                Case.fields.is_not(None),
            ),
            ["case_id", "case_created_at", *FIELDS],
            chunk_rows,
        )
        needs = _frame(
            session,
            select(ScoreNeed.score_id, ScoreNeed.need).where(
                ScoreNeed.score_id.in_(version_scores)
            ),
            ["score_id", "need"],
            chunk_rows,
        )
        flagged = _frame(
            session,
            select(
                ScoreRecord.score_id,
                ScoreRecord.result[("tier", "possible_safety_needs")].as_string(),
            ).where(
                ScoreRecord.score_id.in_(version_scores),
                ScoreRecord.score_id.in_(
                    select(ScoreNeed.score_id).where(ScoreNeed.need.in_(sorted(SAFETY_NEEDS)))
                ),
            ),
            ["score_id", "possible"],
            chunk_rows,
        )
        decisions = _frame(
            session,
            select(Decision.decision_id, Decision.score_id, Decision.action, Decision.tier).where(
                Decision.score_id.in_(version_scores)
            ),
            ["decision_id", "score_id", "action", "final_tier"],
            chunk_rows,
        )
        outcomes = _frame(
            session,
            select(Outcome.case_id, Outcome.crisis, Outcome.crisis_on, Outcome.window_days).where(
                Outcome.case_id.in_(version_cases)
            ),
            ["case_id", "crisis", "crisis_on", "window_days"],
            chunk_rows,
        )
        sensitive = _frame(
            session,
            select(
                SensitiveAttributes.case_id, *(getattr(SensitiveAttributes, a) for a in ATTRIBUTES)
            ).where(SensitiveAttributes.case_id.in_(version_cases)),
            ["case_id", *ATTRIBUTES],
            chunk_rows,
        )
        database = session.get_bind().dialect.name
    return _assemble(
        model_version=str(model_version),
        scores=scores,
        cases=cases,
        needs=needs,
        flagged=flagged,
        decisions=decisions,
        outcomes=outcomes,
        sensitive=sensitive,
        source=f"{database} service database, {len(scores):,} scores of version {model_version}"
        + (f" in the last {since_days:g} days" if since_days is not None else ""),
    )


def _assemble(
    *,
    model_version: str,
    scores: pd.DataFrame,
    cases: pd.DataFrame,
    needs: pd.DataFrame,
    flagged: pd.DataFrame,
    decisions: pd.DataFrame,
    outcomes: pd.DataFrame,
    sensitive: pd.DataFrame,
    source: str,
) -> LiveCaseload:
    counts = {"scores_read": len(scores)}
    case_index = pd.Index(cases["case_id"])
    scores = scores.assign(
        case_id=case_index.get_indexer(scores["case_id"]), created_at=_utc(scores["created_at"])
    )
    scores = scores[scores["case_id"] >= 0]
    if scores["case_id"].duplicated().any():
        scores = scores.sort_values(["case_id", "created_at", "score_id"]).drop_duplicates(
            "case_id", keep="last"
        )
    score_index = pd.Index(scores["score_id"])
    # the JSON text of tier.possible_safety_needs: "[]" when the safety net added nothing
    possible = flagged.loc[flagged["possible"].notna() & (flagged["possible"] != "[]"), "score_id"]
    flags = np.zeros(len(scores), dtype=bool)
    flags[_codes(score_index, possible)] = True
    scores = scores.assign(score_id=np.arange(len(scores)), possible_safety=flags).reset_index(
        drop=True
    )
    fields = (
        cases[list(FIELDS)]
        .astype(dict.fromkeys(CASE_NUMERIC_FIELDS, "float64"))
        .assign(case_id=np.arange(len(cases)))
    )
    decisions = decisions.assign(score_id=score_index.get_indexer(decisions["score_id"]))
    decisions = (
        decisions[decisions["score_id"] >= 0]
        .sort_values("decision_id")
        .drop_duplicates("score_id", keep="last")[["score_id", "action", "final_tier"]]
    )
    needs = needs.assign(score_id=score_index.get_indexer(needs["score_id"]))
    needs = needs[needs["score_id"] >= 0]
    outcomes = outcomes.assign(case_id=case_index.get_indexer(outcomes["case_id"]))
    outcomes = outcomes[outcomes["case_id"] >= 0]
    created = np.asarray(_utc(cases["case_created_at"]).dt.to_pydatetime())
    crisis_days = pd.to_datetime(outcomes["crisis_on"]).dt.date
    labels = [
        crisis_within(
            LABEL_WINDOW_DAYS,
            crisis=bool(crisis),
            crisis_on=crisis_on if pd.notna(crisis_on) else None,
            window_days=int(window),
            case_created_at=created[case],
        )
        for case, crisis, crisis_on, window in zip(
            outcomes["case_id"],
            outcomes["crisis"],
            crisis_days,
            outcomes["window_days"],
            strict=True,
        )
    ]
    outcomes = outcomes.assign(**{LABEL: labels})
    told = outcomes[LABEL].notna()
    counts |= {
        "cases": len(scores),
        "decided": len(decisions),
        "outcomes": len(outcomes),
        "outcomes_cannot_tell_90_days": int((~told).sum()),
    }
    outcomes = outcomes.loc[told, ["case_id", LABEL]].astype({LABEL: "int64"})
    sensitive = sensitive.assign(case_id=case_index.get_indexer(sensitive["case_id"]))
    sensitive = sensitive[sensitive["case_id"] >= 0]
    return LiveCaseload(
        model_version=model_version,
        scores=scores,
        fields=fields,
        needs=needs.reset_index(drop=True),
        decisions=decisions.reset_index(drop=True),
        outcomes=outcomes.reset_index(drop=True),
        sensitive=sensitive.reset_index(drop=True),
        source=source,
        counts=counts,
    )
