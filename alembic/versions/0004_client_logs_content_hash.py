"""client_logs.content_hash and a unique key over (content_hash, client_uuid): idempotent log ingest.

A display's QoS 1 log can arrive twice (the server crashed after the commit but before its PUBACK, or the
broker resent it after a reconnect). The ingest stores a hash of the display, level and payload bytes with
each log and skips one it already has; the unique key makes that hold between two ingest processes too.
Existing rows keep NULL, which never collides.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=32), nullable=True))
        batch_op.create_index("uq_client_logs_content_client", ["content_hash", "client_uuid"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("client_logs", schema=None) as batch_op:
        batch_op.drop_index("uq_client_logs_content_client")
        batch_op.drop_column("content_hash")
