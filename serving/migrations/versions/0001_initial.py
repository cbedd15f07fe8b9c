"""Initial schema: keys, cases, sensitive attributes, scores, decisions, audit chain.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("revoked_at", ts, nullable=True),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(32), nullable=True),
        sa.Column("note_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("erased_at", ts, nullable=True),
    )
    op.create_index("ix_cases_region", "cases", ["region"])
    op.create_table(
        "sensitive_attributes",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey("cases.case_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("race_ethnicity", sa.String(64), nullable=True),
        sa.Column("sex", sa.String(64), nullable=True),
        sa.Column("age_band", sa.String(64), nullable=True),
        sa.Column("disability", sa.String(64), nullable=True),
    )
    op.create_table(
        "scores",
        sa.Column("score_id", sa.String(32), primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.case_id"), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", ts, nullable=False),
    )
    op.create_index("ix_scores_case_id", "scores", ["case_id"])
    op.create_index("ix_scores_status", "scores", ["status"])
    op.create_index("ix_scores_created_at", "scores", ["created_at"])
    op.create_table(
        "score_needs",
        sa.Column(
            "score_id",
            sa.String(32),
            sa.ForeignKey("scores.score_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("need", sa.String(40), primary_key=True),
    )
    op.create_index("ix_score_needs_need", "score_needs", ["need"])
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("score_id", sa.String(32), sa.ForeignKey("scores.score_id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "amends_decision_id",
            sa.Integer(),
            sa.ForeignKey("decisions.decision_id"),
            nullable=True,
            unique=True,
        ),
        sa.Column("decided_by_key_id", sa.String(32), nullable=False),
        sa.Column("decided_at", ts, nullable=False),
    )
    op.create_index("ix_decisions_score_id", "decisions", ["score_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("record_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("score_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.UniqueConstraint("scope", "idempotency_key", name="uq_idempotency_scope_key"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("entry_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor_key_id", sa.String(32), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("score_id", sa.String(32), nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "entry_hash": GENESIS_HASH}])


def downgrade() -> None:
    for table in (
        "audit_head",
        "audit_log",
        "idempotency_keys",
        "decisions",
        "score_needs",
        "scores",
        "sensitive_attributes",
        "cases",
        "api_keys",
    ):
        op.drop_table(table)
