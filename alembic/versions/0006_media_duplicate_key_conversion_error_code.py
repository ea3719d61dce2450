"""event_media.duplicate_key (unique) and conversions.error_code.

duplicate_key = "<academic_period_id or 0>:<sha256>" makes "one file content per academic period" a
constraint instead of a check-then-insert, so concurrent uploads of the same file store one copy. A plain
unique index on (sha256, academic_period_id) would not do: NULL periods never collide.

An old database may already hold such copies (the race stored them). They are kept — events may show
them — and only the oldest of each group gets the key; the others keep NULL, which the unique index
ignores. Later uploads of that content are refused as before.

conversions.error_code names why a conversion failed (converter_memory, archive_ratio, ...) so the
dashboard can say it in German or English.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _backfill_duplicate_keys() -> None:
    bind = op.get_bind()
    media = sa.table(
        "event_media",
        sa.column("id", sa.Integer),
        sa.column("sha256", sa.String),
        sa.column("academic_period_id", sa.Integer),
        sa.column("duplicate_key", sa.String),
    )
    rows = bind.execute(
        sa.select(media.c.id, media.c.sha256, media.c.academic_period_id)
        .where(media.c.sha256.is_not(None))
        .order_by(media.c.id)
    ).all()
    seen: set[str] = set()
    for media_id, sha256, period_id in rows:
        key = f"{period_id or 0}:{sha256}"
        if key in seen:
            continue  # a copy stored before the constraint existed: kept, without the key
        seen.add(key)
        bind.execute(sa.update(media).where(media.c.id == media_id).values(duplicate_key=key))


def upgrade() -> None:
    with op.batch_alter_table("event_media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_key", sa.String(length=80), nullable=True))
    _backfill_duplicate_keys()
    with op.batch_alter_table("event_media", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_event_media_duplicate_key"), ["duplicate_key"])
    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.drop_column("error_code")
    with op.batch_alter_table("event_media", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_event_media_duplicate_key"), type_="unique")
        batch_op.drop_column("duplicate_key")
