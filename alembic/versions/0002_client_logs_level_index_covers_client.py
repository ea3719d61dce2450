"""client_logs: the (level, timestamp) index also carries client_uuid.

The monitoring overview classifies every display by whether it logged an ERROR or WARN in the window.
With client_uuid in the index that is a range scan over the index alone (no table rows read), instead of
grouping every log of the window, INFO and DEBUG included.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_client_logs_level_timestamp_client",
            ["level", sa.literal_column("timestamp DESC"), "client_uuid"],
            unique=False,
        )
        batch_op.drop_index("ix_client_logs_level_timestamp")


def downgrade() -> None:
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_client_logs_level_timestamp", ["level", sa.literal_column("timestamp DESC")], unique=False
        )
        batch_op.drop_index("ix_client_logs_level_timestamp_client")
