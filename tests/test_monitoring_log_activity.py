"""The Monitoring cards' log activity read from the indexes (ERROR/WARN only) says the same as the full read:
the problem counts, the newest log and the newest error of every display, on both engines."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import LogLevel
from app.domain.monitoring.models import ClientLog
from app.domain.monitoring.service import LevelCounts, log_activity

LEVELS = (LogLevel.INFO, LogLevel.ERROR, LogLevel.INFO, LogLevel.WARN, LogLevel.DEBUG, LogLevel.INFO, LogLevel.ERROR)


async def test_the_problem_levels_read_matches_the_full_read(any_db: Database) -> None:
    now = utcnow().replace(microsecond=0)
    uuids = [str(uuid.uuid4()) for _ in range(6)]
    async with any_db.session() as session:
        session.add_all(Client(uuid=u, registered_at=now, updated_at=now, is_active=True) for u in uuids)
        await session.flush()
        n = 0
        for index, display in enumerate(uuids):
            # Display 0 logs nothing, display 1 INFO only, the others a mix; some entries are older than the window.
            entries = [] if index == 0 else [LogLevel.INFO] if index == 1 else LEVELS[: 2 + index]
            for age, level in enumerate(entries):
                n += 1
                minutes = 30 * age if age != 3 else 60 * 30  # one entry per display outside the 24 h window
                session.add(
                    ClientLog(
                        client_uuid=display,
                        timestamp=now - timedelta(minutes=minutes),
                        level=level,
                        message=f"m{n}",
                        content_hash=f"{n:032x}",
                    )
                )
        await session.commit()
    since = now - timedelta(hours=24)
    async with any_db.session() as session:
        for subset in (None, uuids[1:4]):
            full = await log_activity(session, since, subset)
            quick = await log_activity(session, since, subset, all_levels=False)
            assert quick.keys() == full.keys() and uuids[0] not in full
            for display, activity in full.items():
                mine = quick[display]
                assert mine.counts == LevelCounts(activity.counts.error, activity.counts.warn), display
                assert (mine.newest_id, mine.newest_error_id) == (activity.newest_id, activity.newest_error_id)
            assert any(a.counts.error and a.counts.info for a in full.values())
    assert full[uuids[1]].counts == LevelCounts(info=1)
