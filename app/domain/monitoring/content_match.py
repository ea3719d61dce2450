"""Soll/Ist: what each group's displays should show now, and since when a display reports something else.

The plan comes from the code a scheduler tick runs (`app.domain.preview.payload`: the published event list
and power intent of each group at `now`), refreshed every poll interval by `refresh_content_plans` into
`group_content_plans`. Whether a display matches is then one SQL condition over its reported
`current_event_id` and its group's plan (`mismatch_sql`), applied in two places:

- at ingest (`mark_content_mismatch`, in the telemetry unit of work) for the displays that just reported;
- at each plan refresh for every display (the plan moved on while the display still shows the old event).

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
from sqlalchemy import and_, case, cast, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import as_utc
from app.domain.events.active import ActiveEventsCalculator
from app.domain.events.ports import ScheduleDeps
from app.domain.monitoring.models import GroupContentPlan
from app.domain.power.intent import OFF
from app.domain.preview.payload import calculator_for, payload_from_snapshot
from app.domain.usecase import unit_of_work

_plan = GroupContentPlan.__table__
_clients = Client.__table__


def encode_ids(ids: Sequence[int]) -> str:
    return ",".join(str(i) for i in sorted(set(ids)))


def decode_ids(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").split(",") if part]


def mismatch_sql() -> Any:
    """True where a display's reported event differs from its group's plan (NULL/false where no plan)."""
    plan_ids = select(_plan.c.event_ids).where(_plan.c.group_id == _clients.c.group_id).scalar_subquery()
    reported = cast(_clients.c.current_event_id, sa.String)
    wrapped = sa.literal(",") + plan_ids + sa.literal(",")
    return or_(
        and_(_clients.c.current_event_id.is_(None), plan_ids != ""),
        and_(_clients.c.current_event_id.is_not(None), ~wrapped.like(sa.literal("%,") + reported + sa.literal(",%"))),
    )


async def mark_content_mismatch(conn: AsyncConnection, now: datetime, uuids: Sequence[str] | None = None) -> None:
    """Set `content_mismatch_since` (kept while the mismatch lasts) or clear it, for `uuids` (None: all)."""
    mismatch = mismatch_sql()
    since = _clients.c.content_mismatch_since
    changed = or_(and_(mismatch, since.is_(None)), and_(~sa.func.coalesce(mismatch, sa.false()), since.is_not(None)))
    stmt = update(_clients).values(
        content_mismatch_since=case((mismatch, sa.func.coalesce(since, now)), else_=sa.null())
    )
    if uuids is None:
        await conn.execute(stmt.where(changed))
        return
    for start in range(0, len(uuids), 500):
        await conn.execute(stmt.where(_clients.c.uuid.in_(uuids[start : start + 500]), changed))


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
    async with unit_of_work(deps, None) as uow:
        session = uow.session
        snapshot = await calculator.compute(session, now)
        rows = []
        for group_id in snapshot.groups:
            payload = payload_from_snapshot(settings, snapshot, group_id)
            ids = [int(item["id"]) for item in payload.event_list if isinstance(item.get("id"), int)]
            off = payload.power_intent is not None and payload.power_intent.get("desired_state") == OFF
            rows.append({"group_id": group_id, "event_ids": encode_ids(ids), "planned_off": off, "computed_at": now})
        conn = await session.connection()
        await conn.execute(sa.delete(_plan).where(_plan.c.group_id.not_in(select(ClientGroup.id))))
        existing = set((await conn.execute(select(_plan.c.group_id))).scalars().all())
        new = [r for r in rows if r["group_id"] not in existing]
        old = [{**r, "gid": r["group_id"]} for r in rows if r["group_id"] in existing]
        if new:
            await conn.execute(sa.insert(_plan), new)
        if old:
            await conn.execute(
                update(_plan)
                .where(_plan.c.group_id == sa.bindparam("gid"))
                .values(
                    event_ids=sa.bindparam("event_ids"),
                    planned_off=sa.bindparam("planned_off"),
                    computed_at=sa.bindparam("computed_at"),
                ),
                old,
            )
        planned = select(_plan.c.planned_off).where(_plan.c.group_id == _clients.c.group_id).scalar_subquery()
        flag = sa.func.coalesce(planned, sa.false())
        await conn.execute(update(_clients).where(_clients.c.planned_off != flag).values(planned_off=flag))
        await mark_content_mismatch(conn, now)
    return PlanRefresh(len(rows), sum(1 for r in rows if r["planned_off"]))


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
        rows = await conn.execute(
            select(_clients.c.uuid, _clients.c.current_event_id, _clients.c.content_mismatch_since, _plan.c.event_ids)
            .select_from(_clients.outerjoin(_plan, _plan.c.group_id == _clients.c.group_id))
            .where(_clients.c.uuid.in_(uuids[start : start + 500]))
        )
        for uuid, reported, since, ids in rows.all():
            result[uuid] = ContentMatch(decode_ids(ids), reported, since is None, as_utc(since))
    return result
