"""Soll/Ist: what each group's displays should show now, and since when a display reports something else.

The plan comes from the code a scheduler tick runs (`app.domain.preview.payload`: the published event list
and power intent of each group at `now`), refreshed every poll interval by `refresh_content_plans` into
`group_content_plans`. Whether a display matches is then one SQL condition over its reported
`current_event_id` and its group's plan (`mismatch_sql`), applied in two places:

- at ingest (`mark_content_mismatch`, in the telemetry unit of work) for the displays whose report changed;
- at each plan refresh for every display (the plan moved on while the display still shows the old event).

The refresh also splits the playback intervals of displays moved to another room (app.domain.playback.moves).
`content_mismatch_since` keeps the first instant a mismatch was seen (None while it matches); the health rule
(app.domain.monitoring.classify) flags CONTENT_MISMATCH once it is older than the grace. A display without a
group, or whose group has no plan yet, matches. A display reporting no event matches only a plan without
events; one reporting an event matches when that event is in the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.domain.broadcasts.override import load_running
from app.domain.broadcasts.rules import winners
from app.domain.clients.models import Client
from app.domain.clock import as_utc
from app.domain.events.active import ActiveEventsCalculator
from app.domain.events.ports import ScheduleDeps
from app.domain.monitoring.models import GroupContentPlan, GroupContentPlanEvent
from app.domain.playback.moves import reattribute_moved_displays
from app.domain.power.intent import OFF
from app.domain.preview.payload import calculator_for, payload_from_snapshot
from app.domain.usecase import unit_of_work

_plan = GroupContentPlan.__table__
_plan_events = GroupContentPlanEvent.__table__
_clients = Client.__table__


def mismatch_sql() -> Any:
    """True where a display's reported event differs from its group's plan (false where there is no plan)."""
    mine = _plan_events.c.group_id == _clients.c.group_id
    has_plan = sa.exists().where(_plan.c.group_id == _clients.c.group_id)
    plans_any = sa.exists().where(mine)
    plans_reported = sa.exists().where(mine, _plan_events.c.event_id == _clients.c.current_event_id)
    reported = _clients.c.current_event_id
    return and_(has_plan, or_(and_(reported.is_(None), plans_any), and_(reported.is_not(None), ~plans_reported)))


async def mark_content_mismatch(
    conn: AsyncConnection, now: datetime, uuids: Sequence[str] | None = None, *, also: dict[str, Any] | None = None
) -> None:
    """Set `content_mismatch_since` (kept while the mismatch lasts) or clear it, for `uuids` (None: all).

    `also`: further column values for the same rows (then every row of `uuids` is written, in one statement)."""
    mismatch = mismatch_sql()
    since = _clients.c.content_mismatch_since
    changed = or_(and_(mismatch, since.is_(None)), and_(~mismatch, since.is_not(None)))
    stmt = update(_clients).values(
        content_mismatch_since=case((mismatch, sa.func.coalesce(since, now)), else_=sa.null()), **(also or {})
    )
    if uuids is None:
        await conn.execute(stmt.where(changed))
        return
    for start in range(0, len(uuids), 500):
        chunk = _clients.c.uuid.in_(uuids[start : start + 500])
        await conn.execute(stmt.where(chunk) if also else stmt.where(chunk, changed))


@dataclass(frozen=True, slots=True)
class PlanRefresh:
    groups: int
    planned_off: int


_calculators: dict[int, ActiveEventsCalculator] = {}


async def refresh_content_plans(deps: ScheduleDeps, now: datetime) -> PlanRefresh:
    """Recompute every group's plan at `now` and each display's mismatch mark and planned-off flag (a system
    write, idempotent; run every poll interval by the sweep scheduler)."""
    now = as_utc(now) or now
    settings = deps.settings
    calculator = _calculators.setdefault(id(settings), calculator_for(settings))
    # Two transactions, so no lock cycle with the ingest (which locks clients, then reads the plans): the
    # first writes only the plans that changed, the second the displays' flags from them.
    async with unit_of_work(deps, None) as uow:
        session = uow.session
        snapshot = await calculator.compute(session, now)
        # A running Durchsage is what the scheduler publishes, so it is the plan too.
        overrides = winners(await load_running(session, now), snapshot.groups, now)
        wanted: dict[int, tuple[bool, frozenset[int]]] = {}
        for group_id in snapshot.groups:
            payload = payload_from_snapshot(settings, snapshot, group_id, overrides.get(group_id))
            ids = frozenset(int(item["id"]) for item in payload.event_list if isinstance(item.get("id"), int))
            off = payload.power_intent is not None and payload.power_intent.get("desired_state") == OFF
            wanted[group_id] = (off, ids)
        conn = await session.connection()
        stored: dict[int, tuple[bool, set[int]]] = {
            gid: (bool(off), set()) for gid, off in (await conn.execute(select(_plan.c.group_id, _plan.c.planned_off)))
        }
        for gid, event_id in await conn.execute(select(_plan_events.c.group_id, _plan_events.c.event_id)):
            stored.setdefault(gid, (False, set()))[1].add(event_id)
        stale = [g for g in stored if g not in wanted or stored[g] != (wanted[g][0], set(wanted[g][1]))]
        fresh = [g for g in wanted if g not in stored or g in stale]
        for start in range(0, len(stale), 500):
            chunk = stale[start : start + 500]
            await conn.execute(sa.delete(_plan_events).where(_plan_events.c.group_id.in_(chunk)))
            await conn.execute(sa.delete(_plan).where(_plan.c.group_id.in_(chunk)))
        if fresh:
            await conn.execute(
                sa.insert(_plan), [{"group_id": g, "planned_off": wanted[g][0], "computed_at": now} for g in fresh]
            )
            events = [{"group_id": g, "event_id": i} for g in fresh for i in sorted(wanted[g][1])]
            if events:
                await conn.execute(sa.insert(_plan_events), events)
    async with unit_of_work(deps, None) as uow:
        conn = await uow.session.connection()
        planned = select(_plan.c.planned_off).where(_plan.c.group_id == _clients.c.group_id).scalar_subquery()
        flag = sa.func.coalesce(planned, sa.false())
        await conn.execute(update(_clients).where(_clients.c.planned_off != flag).values(planned_off=flag))
        await mark_content_mismatch(conn, now)
        await reattribute_moved_displays(conn, now)
    return PlanRefresh(len(wanted), sum(1 for off, _ in wanted.values() if off))


@dataclass(frozen=True, slots=True)
class ContentMatch:
    expected_event_ids: list[int]
    reported_event_id: int | None
    matches: bool
    since: datetime | None


async def content_matches(session: AsyncSession, uuids: Sequence[str]) -> dict[str, ContentMatch]:
    """Expected vs reported for some displays (a read; displays without a plan have no expected ids)."""
    result: dict[str, ContentMatch] = {}
    conn = await session.connection()
    for start in range(0, len(uuids), 500):
        rows = (
            await conn.execute(
                select(_clients.c.uuid, _clients.c.group_id, _clients.c.current_event_id,
                       _clients.c.content_mismatch_since).where(_clients.c.uuid.in_(uuids[start : start + 500]))
            )
        ).all()  # fmt: skip
        groups = {row.group_id for row in rows if row.group_id is not None}
        expected: dict[int, list[int]] = {}
        if groups:
            found = await conn.execute(
                select(_plan_events.c.group_id, _plan_events.c.event_id)
                .where(_plan_events.c.group_id.in_(groups))
                .order_by(_plan_events.c.group_id, _plan_events.c.event_id)
            )
            for group_id, event_id in found.all():
                expected.setdefault(group_id, []).append(event_id)
        for row in rows:
            since = as_utc(row.content_mismatch_since)
            result[row.uuid] = ContentMatch(expected.get(row.group_id, []), row.current_event_id, since is None, since)
    return result
