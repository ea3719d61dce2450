"""Soll/Ist and Wiedergabeprotokoll: displays' content-mismatch mark and planned-off flag, the groups'
content plans, and the playback intervals (docs/monitoring.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("content_mismatch_since", DT, nullable=True))
        batch.add_column(sa.Column("planned_off", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("playback_since", DT, nullable=True))
    op.create_table(
        "group_content_plans",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("planned_off", sa.Boolean(), nullable=False),
        sa.Column("computed_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["client_groups.id"],
            name=op.f("fk_group_content_plans_group_id_client_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_group_content_plans")),
    )
    op.create_table(
        "group_content_plan_events",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["group_content_plans.group_id"],
            name=op.f("fk_group_content_plan_events_group_id_group_content_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "event_id", name=op.f("pk_group_content_plan_events")),
    )
    op.create_table(
        "playback_intervals",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("started_at", DT, nullable=False),
        sa.Column("ended_at", DT, nullable=True),
        sa.Column("open_marker", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_uuid"],
            ["clients.uuid"],
            name=op.f("fk_playback_intervals_client_uuid_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playback_intervals")),
    )
    with op.batch_alter_table("playback_intervals") as batch:
        batch.create_index("uq_playback_intervals_open", ["client_uuid", "open_marker"], unique=True)
        batch.create_index("ix_playback_intervals_group_start", ["group_id", "started_at"], unique=False)
        batch.create_index("ix_playback_intervals_ended", ["ended_at"], unique=False)


def downgrade() -> None:
    op.drop_table("playback_intervals")
    op.drop_table("group_content_plan_events")
    op.drop_table("group_content_plans")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("playback_since")
        batch.drop_column("planned_off")
        batch.drop_column("content_mismatch_since")
