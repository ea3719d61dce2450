"""iCalendar in and out: holiday subscriptions (holidays tied to their feed) and schedule feed tokens.

`holiday_subscriptions` holds a feed URL per academic period with its HTTP validators and the outcome of
the last refresh. `school_holidays.subscription_id` ties a holiday to the subscription that brought it, so
a refresh replaces exactly those rows (manual and file-imported holidays keep NULL). `calendar_feed_tokens`
holds the sha256 of each revocable token for `/ical/groups/{id}.ics`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")


def upgrade() -> None:
    op.create_table(
        "holiday_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("academic_period_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", DT, nullable=True),
        sa.Column("last_success_at", DT, nullable=True),
        sa.Column("last_summary", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["academic_period_id"],
            ["academic_periods.id"],
            name=op.f("fk_holiday_subscriptions_academic_period_id_academic_periods"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_holiday_subscriptions_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_subscriptions")),
    )
    with op.batch_alter_table("holiday_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_holiday_subscriptions_academic_period_id"), ["academic_period_id"], unique=False
        )

    with op.batch_alter_table("school_holidays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_school_holidays_subscription_id"), ["subscription_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_school_holidays_subscription_id_holiday_subscriptions"),
            "holiday_subscriptions",
            ["subscription_id"],
            ["id"],
            ondelete="CASCADE",
        )

    op.create_table(
        "calendar_feed_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("last_used_at", DT, nullable=True),
        sa.Column("revoked_at", DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["client_groups.id"],
            name=op.f("fk_calendar_feed_tokens_group_id_client_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_calendar_feed_tokens_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feed_tokens_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_table("calendar_feed_tokens")  # its indexes go with it (MariaDB refuses dropping an FK's index)
    with op.batch_alter_table("school_holidays", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_school_holidays_subscription_id_holiday_subscriptions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_school_holidays_subscription_id"))
        batch_op.drop_column("subscription_id")
    op.drop_table("holiday_subscriptions")
