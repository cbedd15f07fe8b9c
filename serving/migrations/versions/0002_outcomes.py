"""Outcomes: whether a crisis followed a case within the window, as the case system tells.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column(
            "case_id",
            sa.String(64),
            sa.ForeignKey("cases.case_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("crisis", sa.Boolean(), nullable=False),
        sa.Column("crisis_on", sa.Date(), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("recorded_by_key_id", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outcomes_recorded_at", "outcomes", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_outcomes_recorded_at", table_name="outcomes")
    op.drop_table("outcomes")
