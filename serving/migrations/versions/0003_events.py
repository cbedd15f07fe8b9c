"""Decision events: webhooks of case systems, the outbox, and one delivery per subscriber.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "webhooks",
        sa.Column("webhook_id", sa.String(32), primary_key=True),
        sa.Column("owner_key_id", sa.String(32), sa.ForeignKey("api_keys.key_id"), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("removed_at", ts, nullable=True),
    )
    op.create_index("ix_webhooks_owner_key_id", "webhooks", ["owner_key_id"])
    op.create_table(
        "event_outbox",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(24), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("score_id", sa.String(32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
    )
    op.create_index("ix_event_outbox_case_id", "event_outbox", ["case_id"])
    op.create_index("ix_event_outbox_created_at", "event_outbox", ["created_at"])
    op.create_table(
        "event_deliveries",
        sa.Column(
            "event_id",
            sa.String(36),
            sa.ForeignKey("event_outbox.event_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "webhook_id",
            sa.String(32),
            sa.ForeignKey("webhooks.webhook_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", ts, nullable=True),
        sa.Column("lease_until", ts, nullable=True),
        sa.Column("delivered_at", ts, nullable=True),
        sa.Column("last_status", sa.String(40), nullable=True),
    )
    op.create_index("ix_event_deliveries_next_attempt_at", "event_deliveries", ["next_attempt_at"])
    op.create_index("ix_event_deliveries_webhook_id", "event_deliveries", ["webhook_id"])


def downgrade() -> None:
    op.drop_index("ix_event_deliveries_webhook_id", table_name="event_deliveries")
    op.drop_index("ix_event_deliveries_next_attempt_at", table_name="event_deliveries")
    op.drop_table("event_deliveries")
    op.drop_index("ix_event_outbox_created_at", table_name="event_outbox")
    op.drop_index("ix_event_outbox_case_id", table_name="event_outbox")
    op.drop_table("event_outbox")
    op.drop_index("ix_webhooks_owner_key_id", table_name="webhooks")
    op.drop_table("webhooks")
