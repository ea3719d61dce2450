"""Writing the playback intervals at ingest: one row per change of what a display reports, not per report.

`record_reports` runs in the telemetry unit of work right after the clients' upsert (so an acknowledged
report is never lost without its interval, and a failed batch writes neither). A report is a heartbeat or
health message that carried the event a display shows (`current_event_id`, explicit null included). Per
batch: one SELECT of the reporting displays' groups and open intervals, one UPDATE moving `last_seen_at` of
those that continue and were last moved a minute ago or more (PLAYBACK_EXTEND_EVERY); only where the
reported event changed, one UPDATE closing the old intervals, one multi-row INSERT of the new ones and the
Soll/Ist mark of those displays (app.domain.monitoring.content_match; a plan that changes is the plan
refresh's business).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clients.models import Client
from app.domain.clock import as_utc
from app.domain.monitoring.content_match import mark_content_mismatch
from app.domain.playback.models import PlaybackInterval

# A report later than this after the previous one starts a new interval; the silence between is a gap.
PLAYBACK_GAP = timedelta(seconds=180)
# An open interval's `last_seen_at` moves at most this often (a display reports health every 5 s: moving it
# each time would write every report). A change closes the interval exactly at the report that shows it;
# after a silence the interval ends at its last recorded report, at most this much before the last report
# (the report reads an open interval's end from the display's own last report time).
PLAYBACK_EXTEND_EVERY = timedelta(seconds=60)

_iv = PlaybackInterval.__table__
_clients = Client.__table__


async def record_reports(session: AsyncSession, merged: dict[str, dict[str, Any]], now: datetime) -> None:
    """Extend, close and open the reporting displays' intervals, then refresh their Soll/Ist marks."""
    reports = {uuid: values["current_event_id"] for uuid, values in merged.items() if "current_event_id" in values}
    if not reports:
        return
    conn = await session.connection()
    uuids = sorted(reports)
    open_rows: dict[str, Any] = {}
    groups: dict[str, int | None] = {}
    for start in range(0, len(uuids), 500):
        # One statement: each reporting display's group and its open interval (if any).
        rows = await conn.execute(
            sa.select(
                _clients.c.uuid,
                _clients.c.group_id.label("client_group"),
                _iv.c.id,
                _iv.c.event_id,
                _iv.c.group_id,
                _iv.c.last_seen_at,
            )
            .select_from(_clients.outerjoin(_iv, sa.and_(_iv.c.client_uuid == _clients.c.uuid, _iv.c.open_marker == 1)))
            .where(_clients.c.uuid.in_(uuids[start : start + 500]))
        )
        for row in rows.all():
            groups[row.uuid] = row.client_group
            if row.id is not None:
                open_rows[row.uuid] = row

    extend: list[int] = []
    close: list[dict[str, Any]] = []
    opened: list[dict[str, Any]] = []
    for uuid in uuids:
        if uuid not in groups:
            continue  # not stored (refused): nothing to attach an interval to
        event_id, group_id = reports[uuid], groups[uuid]
        current = open_rows.get(uuid)
        if current is not None:
            last = as_utc(current.last_seen_at) or now
            silent = now - last > PLAYBACK_GAP
            if not silent and current.event_id == event_id and current.group_id == group_id:
                if now - last >= PLAYBACK_EXTEND_EVERY:
                    extend.append(current.id)
                continue
            close.append({"iid": current.id, "ended": last if silent else now})
        opened.append({"client_uuid": uuid, "group_id": group_id, "event_id": event_id, "started_at": now,
                       "last_seen_at": now, "ended_at": None, "open_marker": 1})  # fmt: skip
    for start in range(0, len(extend), 500):
        await conn.execute(sa.update(_iv).where(_iv.c.id.in_(extend[start : start + 500])).values(last_seen_at=now))
    if close:
        await conn.execute(
            sa.update(_iv)
            .where(_iv.c.id == sa.bindparam("iid"))
            .values(ended_at=sa.bindparam("ended"), open_marker=sa.null()),
            close,
        )
    if opened:
        await conn.execute(sa.insert(_iv), opened)
        # Only a change of the reported event can start or end a mismatch here (plan changes: the refresh).
        await mark_content_mismatch(conn, now, [row["client_uuid"] for row in opened])
