"""Storage of the per-account, per-source login throttles (`login_throttles`), see login_policy.

No locking reads: a failure is one atomic upsert (`failures + 1`), so parallel failures from one source all
count without gap locks on rows that do not exist yet (which deadlock on MariaDB).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.users.login_policy import THROTTLE_RETENTION, source_lock_after
from app.domain.users.models import LoginThrottle


async def find_throttle(session: AsyncSession, account: str, source: str) -> LoginThrottle | None:
    stmt = select(LoginThrottle).where(LoginThrottle.account == account, LoginThrottle.source == source)
    return await session.scalar(stmt.execution_options(populate_existing=True))


async def record_failure(session: AsyncSession, account: str, source: str, now: datetime) -> tuple[LoginThrottle, bool]:
    """Count one failure; returns the row and whether this failure started a lock.

    A served lock is not forgiven: the count goes on, so the next lock is twice as long.
    """
    values = {"account": account, "source": source, "failures": 1, "updated_at": now}
    table = LoginThrottle.__table__
    if session.get_bind().dialect.name == "mysql":
        my = mysql.insert(table).values(values)
        await session.execute(my.on_duplicate_key_update(failures=table.c.failures + 1, updated_at=now))
    else:
        lite = sqlite.insert(table).values(values)
        await session.execute(
            lite.on_conflict_do_update(
                index_elements=["account", "source"], set_={"failures": table.c.failures + 1, "updated_at": now}
            )
        )
    throttle = await find_throttle(session, account, source)
    assert throttle is not None
    lock = source_lock_after(throttle.failures, now)
    throttle.locked_until = lock
    await session.flush()
    return throttle, lock is not None


async def forget_source(session: AsyncSession, account: str, source: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.account == account, LoginThrottle.source == source))


async def forget_account(session: AsyncSession, account: str) -> int:
    """An admin unlock: every source's throttle of this account ends now; returns how many were locked."""
    rows = (await session.scalars(select(LoginThrottle).where(LoginThrottle.account == account))).all()
    await session.execute(delete(LoginThrottle).where(LoginThrottle.account == account))
    return sum(1 for row in rows if row.locked_until is not None)


async def prune(session: AsyncSession, now: datetime) -> None:
    """Drop throttles nobody touched for THROTTLE_RETENTION whose lock (if any) has run out."""
    cutoff = now - THROTTLE_RETENTION
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.updated_at < cutoff,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )
