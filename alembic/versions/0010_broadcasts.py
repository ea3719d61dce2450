"""Durchsage (#18): `broadcasts` (a message on every target screen, severity, targets, start/end/all-clear)
and `broadcast_receipts` (per target display PENDING / SHOWN / OFFLINE with the time it was shown).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=120), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("group_ids", sa.JSON(), nullable=True),
        sa.Column("started_at", DT, nullable=False),
        sa.Column("ends_at", DT, nullable=True),
        sa.Column("ended_at", DT, nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_by_name", sa.String(length=100), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name=op.f("fk_broadcasts_started_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["users.id"], name=op.f("fk_broadcasts_ended_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index("ix_broadcasts_ended_at", ["ended_at"], unique=False)

    op.create_table(
        "broadcast_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("shown_at", DT, nullable=True),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcasts.id"],
            name=op.f("fk_broadcast_receipts_broadcast_id_broadcasts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_uuid"],
            ["clients.uuid"],
            name=op.f("fk_broadcast_receipts_client_uuid_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_receipts")),
        sa.UniqueConstraint("broadcast_id", "client_uuid", name=op.f("uq_broadcast_receipts_broadcast_id_client_uuid")),
    )
    with op.batch_alter_table("broadcast_receipts", schema=None) as batch_op:
        batch_op.create_index("ix_broadcast_receipts_client_status", ["client_uuid", "status"], unique=False)


def downgrade() -> None:
    op.drop_table("broadcast_receipts")
    op.drop_table("broadcasts")
