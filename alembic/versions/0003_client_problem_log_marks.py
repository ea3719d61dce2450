"""clients.last_error_log_at / last_warn_log_at, and client_logs (client_uuid, level, timestamp).

The monitoring status needs "did this display log an ERROR / WARN in the window". Keeping the newest
problem log's timestamp on the display turns that into a column test instead of aggregating every problem
log of the window for the whole fleet. The new index serves per-display, per-level reads (a page's level
counts, its newest ERROR) and recomputing the marks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")

_BACKFILL = """
UPDATE clients SET
    last_error_log_at = (SELECT max(l.timestamp) FROM client_logs l WHERE l.client_uuid = clients.uuid AND l.level = 'ERROR'),
    last_warn_log_at = (SELECT max(l.timestamp) FROM client_logs l WHERE l.client_uuid = clients.uuid AND l.level = 'WARN')
"""  # noqa: E501


def upgrade() -> None:
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_client_logs_client_level_timestamp", ["client_uuid", "level", "timestamp"], unique=False
        )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_error_log_at", DT, nullable=True))
        batch_op.add_column(sa.Column("last_warn_log_at", DT, nullable=True))
    op.execute(_BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("last_warn_log_at")
        batch_op.drop_column("last_error_log_at")
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_client_logs_client_level_timestamp")
