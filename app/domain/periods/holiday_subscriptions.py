"""Holiday subscriptions: an iCalendar URL whose holidays are kept in one academic period.

How holidays are tied to their source: every holiday a subscription brought carries its
`subscription_id`. A refresh reads the feed with the same rules as an iCalendar file import
(app.domain.periods.holiday_ics) and then replaces exactly that subscription's holidays:
- holidays entered by hand or imported from a file (subscription_id NULL) are never changed or removed;
  where the feed overlaps one of them, the hand-made entry wins and the feed's entry is reported as
  skipped (same name: "bereits erfasst"; another name: a conflict);
- editing a subscribed holiday by hand (or a file import merging it) takes it over: it becomes a manual
  holiday and later refreshes leave it alone; deleting one only lasts until the next refresh that still
  lists it — to drop a feed's holidays for good, delete the subscription (its holidays go with it);
- when the feed's holidays are what is stored already, nothing is written (no skip regeneration, no
  calendar reload).
A failed refresh (network, HTTP status, timeout, size, unreadable content, archived period) keeps the
stored holidays as they are and records the error on the subscription (last status, HTTP status, message).
Writes are admin+; the periodic refresh runs as the system (principal None).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from itertools import count
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.domain.clock import utcnow
from app.domain.errors import DomainError, NotFoundError
from app.domain.periods.feed_fetch import FeedError, FeedLimits, clean_feed_url, fetch_feed
from app.domain.periods.holiday_file import HolidayRow
from app.domain.periods.holiday_ics import looks_like_icalendar, parse_holiday_ics
from app.domain.periods.holiday_policy import Outcome, describe, plan_write
from app.domain.periods.holidays import (
    WRITE_ROLE,
    ImportSummary,
    announce_holidays_changed,
    inside_period,
    period_holidays,
    refresh_event_skips,
    row_text,
    school_zone,
    writable_period,
)
from app.domain.periods.models import AcademicPeriod, HolidaySubscription, SchoolHoliday
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

STATUS_OK = "ok"
STATUS_UNCHANGED = "unchanged"
STATUS_ERROR = "error"
MAX_ERROR_LENGTH = 1000


@dataclass
class _Pending:
    """A holiday the feed gives, before it is written (negative ids keep it apart from stored rows)."""

    id: int
    name: str
    region: str | None
    start_date: date
    end_date: date


def plan_feed_rows(
    rows: list[HolidayRow], period: AcademicPeriod, others: list[SchoolHoliday], summary: ImportSummary
) -> list[_Pending]:
    """The holidays a subscription should hold, planned against the period's other holidays (pure)."""
    pending: list[_Pending] = []
    ids = count(-1, -1)
    for row in rows:
        if not inside_period(period, row.start_date, row.end_date):
            summary.skipped += 1
            summary.skipped_lines.append(f"{row_text(row)} liegt außerhalb der Periode.")
            continue
        plan = plan_write(row.name, row.region, row.start_date, row.end_date, [*others, *pending])
        if plan.outcome is Outcome.CONFLICT:
            summary.conflicts += 1
            summary.skipped += 1
            listing = "; ".join(describe(h) for h in plan.others[:3])
            summary.conflict_lines.append(f"{row_text(row)} überschneidet sich mit {listing}")
            continue
        touched = plan.others if plan.outcome is Outcome.DUPLICATE else plan.absorbed
        if plan.outcome in (Outcome.DUPLICATE, Outcome.MERGE) and any(not isinstance(h, _Pending) for h in touched):
            summary.skipped += 1
            summary.skipped_lines.append(f"{row_text(row)} ist bereits erfasst (von Hand oder aus einer Datei).")
            continue
        if plan.outcome is Outcome.DUPLICATE:
            summary.skipped += 1
            summary.skipped_lines.append(f"{row_text(row)} steht doppelt im Feed.")
            continue
        if plan.outcome is Outcome.MERGE:
            survivor = plan.absorbed[0]
            assert isinstance(survivor, _Pending)
            gone = {h.id for h in plan.absorbed[1:]}
            pending = [p for p in pending if p.id not in gone]
            survivor.start_date, survivor.end_date = plan.start_date, plan.end_date
            summary.merged += 1
            continue
        pending.append(_Pending(next(ids), row.name, row.region, row.start_date, row.end_date))
        summary.inserted += 1
    return pending


def _key(h: Any) -> tuple[str, str | None, date, date]:
    return (h.name, h.region, h.start_date, h.end_date)


# --- reading ----------------------------------------------------------------------------------------


async def list_subscriptions(session: AsyncSession, period_id: int | None = None) -> list[HolidaySubscription]:
    stmt = select(HolidaySubscription).order_by(HolidaySubscription.id)
    if period_id is not None:
        stmt = stmt.where(HolidaySubscription.academic_period_id == period_id)
    return list((await session.scalars(stmt)).all())


async def holiday_counts(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = (
        select(SchoolHoliday.subscription_id, func.count())
        .where(SchoolHoliday.subscription_id.in_(ids))
        .group_by(SchoolHoliday.subscription_id)
    )
    counts = {int(sub_id): int(n) for sub_id, n in (await session.execute(stmt)).all()}
    return {i: counts.get(i, 0) for i in ids}


async def subscriptions_with_counts(
    deps: UseCaseDeps, principal: Principal | None, period_id: int | None = None, *, only_id: int | None = None
) -> list[tuple[HolidaySubscription, int]]:
    """Subscriptions (optionally of one period, or just `only_id`) with how many holidays each brought (admin+)."""
    require_role(principal, WRITE_ROLE)
    async with deps.db.read_session() as session:
        if only_id is not None:
            rows = [await get_subscription(session, only_id)]
        else:
            rows = await list_subscriptions(session, period_id)
        counts = await holiday_counts(session, [r.id for r in rows])
    return [(r, counts[r.id]) for r in rows]


async def get_subscription(session: AsyncSession, subscription_id: int) -> HolidaySubscription:
    subscription = await session.get(HolidaySubscription, subscription_id)
    if subscription is None:
        raise NotFoundError("holiday_subscription.not_found")
    return subscription


# --- refreshing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshOptions:
    tz: tzinfo | None = None
    limits: FeedLimits = field(default_factory=FeedLimits)


def refresh_options(settings: Settings) -> RefreshOptions:
    """The school's zone and the fetch limits from the settings (what every caller uses)."""
    limits = FeedLimits(
        timeout_seconds=settings.holiday_feed_timeout_seconds, max_bytes=settings.holiday_feed_max_bytes
    )
    return RefreshOptions(tz=settings.tz, limits=limits)


def _options_for(deps: UseCaseDeps, given: RefreshOptions | None) -> RefreshOptions:
    if given is not None:
        return given
    settings = getattr(deps, "settings", None)
    return refresh_options(settings) if isinstance(settings, Settings) else RefreshOptions()


async def _record_failure(deps: UseCaseDeps, subscription_id: int, message: str, http_status: int | None) -> None:
    async with unit_of_work(deps, None) as uow:  # the subscription's status, a system write
        subscription = await uow.session.get(HolidaySubscription, subscription_id)
        if subscription is None:
            return
        subscription.last_attempt_at = utcnow()
        subscription.last_status = STATUS_ERROR
        subscription.last_http_status = http_status
        subscription.last_error = message[:MAX_ERROR_LENGTH]
    log.warning("event=holiday_subscription_failed id=%s status=%s error=%s", subscription_id, http_status, message)


async def _apply_feed(
    session: AsyncSession, subscription: HolidaySubscription, body: bytes, tz: tzinfo
) -> tuple[ImportSummary, bool]:
    """Replace the subscription's holidays by the feed's; returns the summary and whether anything changed."""
    if not looks_like_icalendar(body):
        raise FeedError("Die Adresse liefert keinen iCalendar-Inhalt (BEGIN:VCALENDAR fehlt).", 200)
    period = await writable_period(session, subscription.academic_period_id)
    parsed = parse_holiday_ics(body, (period.start_date, period.end_date), tz)
    summary = ImportSummary(file_format="ics")
    summary.refuse(parsed.refused)
    existing = await period_holidays(session, period.id)
    own = [h for h in existing if h.subscription_id == subscription.id]
    others = [h for h in existing if h.subscription_id != subscription.id]
    wanted = plan_feed_rows(parsed.rows, period, others, summary)
    if sorted(map(_key, wanted), key=str) == sorted(map(_key, own), key=str):
        return summary, False
    for holiday in own:
        await session.delete(holiday)
    await session.flush()
    now = utcnow()
    source = (parsed.calendar_name or subscription.url)[:255]
    for item in wanted:
        session.add(
            SchoolHoliday(
                academic_period_id=period.id, name=item.name, region=item.region, start_date=item.start_date,
                end_date=item.end_date, subscription_id=subscription.id, source_file_name=source, imported_at=now,
            )
        )  # fmt: skip
    await session.flush()
    return summary, True


@dataclass(frozen=True)
class RefreshHolidaySubscription:
    subscription_id: int
    options: RefreshOptions | None = None  # None: from deps.settings


async def refresh_subscription(
    deps: UseCaseDeps, principal: Principal | None, command: RefreshHolidaySubscription
) -> HolidaySubscription:
    """Fetch the feed and bring the subscription's holidays up to date; failures are kept on it, not raised.

    `principal` None is the periodic refresh (system); a person needs admin+.
    """
    if principal is not None:
        require_role(principal, WRITE_ROLE)
    subscription_id = command.subscription_id
    opts = _options_for(deps, command.options)
    async with deps.db.read_session() as session:
        current = await get_subscription(session, subscription_id)
        url, etag, last_modified = current.url, current.etag, current.last_modified
    try:
        response = await fetch_feed(url, etag=etag, last_modified=last_modified, limits=opts.limits)
    except FeedError as exc:
        await _record_failure(deps, subscription_id, exc.message, exc.http_status)
        return await _reload(deps, subscription_id)

    applied = False
    try:
        async with unit_of_work(deps, principal) as uow:
            session = uow.session
            now = utcnow()
            subscription = await _lock(session, subscription_id, now)
            if response.not_modified:
                status, summary = STATUS_UNCHANGED, None
            else:
                assert response.body is not None
                summary, applied = await _apply_feed(session, subscription, response.body, school_zone(opts.tz))
                status = STATUS_OK if applied else STATUS_UNCHANGED
                subscription.etag, subscription.last_modified = response.etag, response.last_modified
                subscription.last_summary = summary.as_dict()
            subscription.last_attempt_at = subscription.last_success_at = now
            subscription.last_status, subscription.last_http_status = status, response.status
            subscription.last_error = None
            if applied or principal is not None:
                await uow.audit(
                    "holiday_subscription.refresh",
                    "holiday_subscription",
                    subscription.id,
                    {
                        "status": status,
                        "http": response.status,
                        "changed": applied,
                        "holidays": summary.inserted if summary else None,
                    },
                )
            if applied:
                groups = await refresh_event_skips(session, subscription.academic_period_id)
                announce_holidays_changed(uow, groups)
    except FeedError as exc:
        await _record_failure(deps, subscription_id, exc.message, exc.http_status)
    except NotFoundError:
        raise
    except DomainError as exc:  # unreadable calendar, archived period: kept on the subscription
        await _record_failure(deps, subscription_id, exc.message, response.status)
    return await _reload(deps, subscription_id)


async def _lock(session: AsyncSession, subscription_id: int, now: datetime) -> HolidaySubscription:
    """Write to the subscription first: two refreshes of one feed (the button and the daily run) then apply
    one after the other (row lock on MariaDB, the write lock on SQLite), and the second sees the first's rows."""
    touched = await session.execute(
        update(HolidaySubscription).where(HolidaySubscription.id == subscription_id).values(last_attempt_at=now)
    )
    if not touched.rowcount:  # type: ignore[attr-defined]
        raise NotFoundError("holiday_subscription.not_found")
    stmt = select(HolidaySubscription).where(HolidaySubscription.id == subscription_id)
    subscription = (await session.scalars(stmt.execution_options(populate_existing=True))).one()
    return subscription


async def _reload(deps: UseCaseDeps, subscription_id: int) -> HolidaySubscription:
    async with deps.db.read_session() as session:
        return await get_subscription(session, subscription_id)


async def refresh_due_subscriptions(
    deps: UseCaseDeps, every: timedelta, options: RefreshOptions | None = None, *, now: datetime | None = None
) -> int:
    """Refresh every subscription whose last attempt is older than `every` (the periodic sweep)."""
    moment = now or utcnow()
    async with deps.db.read_session() as session:
        stmt = select(HolidaySubscription.id).where(
            HolidaySubscription.last_attempt_at.is_(None) | (HolidaySubscription.last_attempt_at <= moment - every)
        )
        due = list((await session.scalars(stmt.order_by(HolidaySubscription.id))).all())
    for subscription_id in due:
        try:
            await refresh_subscription(deps, None, RefreshHolidaySubscription(subscription_id, options))
        except NotFoundError:
            continue  # deleted meanwhile
    return len(due)


# --- managing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateHolidaySubscription:
    url: str
    period_id: int
    options: RefreshOptions | None = None  # None: from deps.settings


async def create_subscription(
    deps: UseCaseDeps, principal: Principal | None, command: CreateHolidaySubscription
) -> HolidaySubscription:
    """Add a subscription (admin+) and fetch it right away (a failing first fetch is kept as its status)."""
    principal = require_role(principal, WRITE_ROLE)
    period_id = command.period_id
    clean = clean_feed_url(command.url)
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        period = await writable_period(session, period_id)
        subscription = HolidaySubscription(academic_period_id=period.id, url=clean, created_by=principal.user_id)
        session.add(subscription)
        await session.flush()
        await uow.audit(
            "holiday_subscription.create",
            "holiday_subscription",
            subscription.id,
            {"url": clean, "period": period.id},
        )
        subscription_id = subscription.id
    return await refresh_subscription(deps, None, RefreshHolidaySubscription(subscription_id, command.options))


@dataclass(frozen=True)
class DeleteHolidaySubscription:
    subscription_id: int


async def delete_subscription(
    deps: UseCaseDeps, principal: Principal | None, command: DeleteHolidaySubscription
) -> HolidaySubscription:
    """Remove a subscription and the holidays it brought (admin+; hand-made ones stay)."""
    principal = require_role(principal, WRITE_ROLE)
    subscription_id = command.subscription_id
    async with unit_of_work(deps, principal) as uow:
        session = uow.session
        subscription = await get_subscription(session, subscription_id)
        own = (
            await session.execute(delete(SchoolHoliday).where(SchoolHoliday.subscription_id == subscription.id))
        ).rowcount
        await session.delete(subscription)
        await session.flush()
        await uow.audit(
            "holiday_subscription.delete",
            "holiday_subscription",
            subscription_id,
            {"url": subscription.url, "holidays": own},
        )
        if own:
            announce_holidays_changed(uow, await refresh_event_skips(session, subscription.academic_period_id))
    return subscription
