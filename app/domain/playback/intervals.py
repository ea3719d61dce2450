"""Writing the playback intervals at ingest: one row per change of what a display reports, not per report.

`record_reports` runs in the telemetry unit of work right after the clients' upsert (so an acknowledged
report is never lost without its interval, and a failed batch writes neither). A report is a heartbeat or
health message that carried the event a display shows (`current_event_id`, explicit null included).

It compares each report with the display's row as the batch found it before the upsert (`PreviousReport`,
read by the telemetry's own first SELECT, so a batch in which nobody changed content costs no statement at
all): the event it reported last, when it reported last, and whether it has an open interval
(`clients.playback_since`). Only where something changed:

- another event than before: the open interval ends at this report, a new one starts;
- a report after a silence longer than PLAYBACK_GAP: the open interval ends at the last report before the
  silence (the silence is a gap), a new one starts;
- no open interval yet (a new display, or one that never reported content): one starts.

Then one UPDATE closing the changed displays' intervals (one per display only after a silence), one multi-row
INSERT of the new ones and one UPDATE of the displays' `playback_since` and Soll/Ist marks
(app.domain.monitoring.content_match; a plan that changes is the plan refresh's business). An open interval's
end is the display's own last report time (`last_alive` / `last_health_at`), so it needs no write per report.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import Client
from app.domain.clock import as_utc
from app.domain.monitoring.content_match import mark_content_mismatch
from app.domain.playback.models import PlaybackInterval

# A report later than this after the previous one starts a new interval; the silence between is a gap.
PLAYBACK_GAP = timedelta(seconds=180)

_iv = PlaybackInterval.__table__
_clients = Client.__table__


class PreviousReport(NamedTuple):
    """A display's row before this batch: its group, what it reported last, when, and since when its open
    interval runs."""

    group_id: int | None
    current_event_id: int | None
    last_alive: datetime | None
    last_health_at: datetime | None
    playback_since: datetime | None

    def last_report(self) -> datetime | None:
        times = [t for t in (as_utc(self.last_alive), as_utc(self.last_health_at)) if t is not None]
        return max(times) if times else None


# The columns `write_telemetry_batch` reads for PreviousReport, in its field order.
PREVIOUS_REPORT_COLUMNS = (
    _clients.c.group_id,
    _clients.c.current_event_id,
    _clients.c.last_alive,
    _clients.c.last_health_at,
    _clients.c.playback_since,
)


async def record_reports(
    session: AsyncSession, merged: dict[str, dict[str, Any]], now: datetime, previous: dict[str, PreviousReport]
) -> None:
    """Close and open the intervals of the displays whose reported content changed (see the module)."""
    changed: list[str] = []  # closed at this report
    silent: list[dict[str, Any]] = []  # closed at their last report before a silence
    opened: list[str] = []
    for uuid, values in merged.items():
        if "current_event_id" not in values:
            continue
        before = previous.get(uuid)
        if before is None or before.playback_since is None:
            opened.append(uuid)
            continue
        last = before.last_report()
        if last is None or now - last > PLAYBACK_GAP:
            silent.append({"who": uuid, "ended": min(last or now, now)})
        elif before.current_event_id != values["current_event_id"]:
            changed.append(uuid)
        else:
            continue
        opened.append(uuid)
    if not opened:
        return
    conn = await session.connection()
    closing = _iv.c.open_marker == 1
    for start in range(0, len(changed), 500):
        await conn.execute(
            sa.update(_iv)
            .where(_iv.c.client_uuid.in_(changed[start : start + 500]), closing)
            .values(ended_at=now, open_marker=sa.null())
        )
    if silent:
        await conn.execute(
            sa.update(_iv)
            .where(_iv.c.client_uuid == sa.bindparam("who"), closing)
            .values(ended_at=sa.bindparam("ended"), open_marker=sa.null()),
            silent,
        )
    opened.sort()
    rows = [
        {"client_uuid": u, "group_id": previous[u].group_id if u in previous else None,
         "event_id": merged[u]["current_event_id"], "started_at": now, "ended_at": None,
         "open_marker": 1}
        for u in opened
    ]  # fmt: skip
    await conn.execute(sa.insert(_iv), rows)
    # Only a change of the reported event can start or end a mismatch here (plan changes: the refresh); the
    # same statement records the new interval's start on the display.
    await mark_content_mismatch(conn, now, opened, also={"playback_since": now})
