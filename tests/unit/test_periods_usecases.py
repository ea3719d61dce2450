"""Period, holiday, holiday-subscription, calendar-feed and settings use cases on fakes: admin (editor for
feed tokens) checked in the domain, audit rows, holiday changes announced after the commit and never for a
refused write, failures named by key with the German and English words at the edge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.bus import EVENTS_CHANGED, DomainEvent
from app.domain.calendar_feeds import tokens as feeds
from app.domain.clients.models import ClientGroup
from app.domain.enums import AcademicPeriodType, EventType, ExceptionKind, Role
from app.domain.errors import BlockedError, ConflictError, ForbiddenError, ValidationError
from app.domain.events import changes
from app.domain.events.models import Event, EventException
from app.domain.periods import holiday_subscriptions as subscriptions
from app.domain.periods import holidays
from app.domain.periods import service as periods
from app.domain.settings import service as settings
from app.domain.users.tokens import Principal
from tests.unit.fakes import FakeDeps, RecordingBus, add_user, audit_rows, memory_database, unit_settings


class CountingUpload:
    def __init__(self, data: bytes) -> None:
        self.data, self.reads = data, 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        return self.data


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    db = await memory_database()
    yield FakeDeps(db=db, settings=unit_settings(tmp_path))
    await db.dispose()


def _year(name: str = "2031/32") -> periods.PeriodValues:
    return periods.PeriodValues(name, None, date(2031, 8, 1), date(2032, 7, 31), AcademicPeriodType.SCHULJAHR)


async def _admin_with_period(deps: FakeDeps) -> tuple[Principal, int]:
    admin = await add_user(deps.db, Role.ADMIN, "sekretariat")
    period = await periods.create_period(deps, admin, periods.CreatePeriod(_year()))
    return admin, period.id


async def test_an_editor_may_not_run_the_period_lifecycle(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR)
    with pytest.raises(ForbiddenError) as refused:
        await periods.create_period(deps, editor, periods.CreatePeriod(_year()))
    assert refused.value.key == "auth.forbidden"
    assert refused.value.message == "Keine Berechtigung für diese Aktion."
    _, period_id = await _admin_with_period(deps)
    for use_case, command in [
        (periods.activate_period, periods.ActivatePeriod(period_id)),
        (periods.archive_period, periods.ArchivePeriod(period_id)),
        (periods.delete_period, periods.DeletePeriod(period_id)),
    ]:
        with pytest.raises(ForbiddenError):
            await use_case(deps, editor, command)  # type: ignore[operator]
    assert [r.action for r in await audit_rows(deps.db)] == ["period.create"]


async def test_the_lifecycle_is_audited_and_its_refusals_name_keys(deps: FakeDeps) -> None:
    admin, period_id = await _admin_with_period(deps)
    [created] = await audit_rows(deps.db, "period.create")
    assert (created.actor_username, created.object_id, created.ip) == ("sekretariat", str(period_id), "192.0.2.7")

    with pytest.raises(ConflictError) as taken:
        await periods.create_period(deps, admin, periods.CreatePeriod(_year()))
    assert taken.value.key == "period.name_taken"
    assert taken.value.message == 'Eine Periode mit dem Namen "2031/32" existiert bereits.'
    assert taken.value.text("en") == 'A period named "2031/32" already exists.'

    await periods.activate_period(deps, admin, periods.ActivatePeriod(period_id))
    with pytest.raises(BlockedError) as blocked:
        await periods.archive_period(deps, admin, periods.ArchivePeriod(period_id))
    assert (blocked.value.key, blocked.value.blockers) == ("period.archive_blocked", ["Die Periode ist aktiv."])
    assert [r.action for r in await audit_rows(deps.db)] == ["period.create", "period.activate"]
    assert deps.bus.published == []


async def test_holiday_changes_are_announced_after_the_commit_and_audited(deps: FakeDeps) -> None:
    admin, period_id = await _admin_with_period(deps)
    start = datetime(2031, 10, 1, 6, tzinfo=UTC)
    async with deps.db.session() as session:
        group = ClientGroup(name="Foyer")
        session.add(group)
        await session.flush()
        session.add(
            Event(
                group_id=group.id, title="Morgenkreis", event_type=EventType.MESSAGE, message_text="Guten Morgen",
                start=start, end=start + timedelta(minutes=30), recurrence_rule="FREQ=DAILY;COUNT=60",
                recurrence_end=start + timedelta(days=60), skip_holidays=True, academic_period_id=period_id,
            )
        )  # fmt: skip
        group_id = group.id
    skips_at_publish: list[int] = []

    async def count_skips(event: DomainEvent) -> None:
        async with deps.db.read_session() as session:
            rows = (await session.scalars(select(EventException))).all()
            skips_at_publish.append(len(rows))

    deps.bus = RecordingBus(count_skips)
    autumn = holidays.HolidayValues("Herbstferien", date(2031, 10, 13), date(2031, 10, 17))
    holiday = await holidays.create_holiday(deps, admin, holidays.CreateHoliday(period_id, autumn))
    assert deps.bus.published == [
        DomainEvent(EVENTS_CHANGED, {"group_ids": [group_id], "event_id": None, "change": changes.HOLIDAYS})
    ]
    assert skips_at_publish == [5]  # the five skipped mornings were committed before anyone heard of it
    async with deps.db.read_session() as session:
        kinds = {x.kind for x in (await session.scalars(select(EventException))).all()}
    assert kinds == {ExceptionKind.HOLIDAY}
    [row] = await audit_rows(deps.db, "holiday.create")
    assert row.object_id == str(holiday.id)

    outside = holidays.HolidayValues("Sommer", date(2032, 7, 20), date(2032, 8, 30))
    with pytest.raises(ValidationError) as refused:
        await holidays.create_holiday(deps, admin, holidays.CreateHoliday(period_id, outside))
    assert refused.value.key == "holiday.outside_period"
    assert (
        refused.value.message == "Die Ferien müssen innerhalb der Periode „2031/32“ liegen (2031-08-01 – 2032-07-31)."
    )
    with pytest.raises(ConflictError) as twice:
        await holidays.create_holiday(deps, admin, holidays.CreateHoliday(period_id, autumn))
    assert twice.value.key == "holiday.duplicate"
    assert len(deps.bus.published) == 1

    await holidays.delete_holiday(deps, admin, holidays.DeleteHoliday(holiday.id))
    assert [e.data["change"] for e in deps.bus.published] == [changes.HOLIDAYS, changes.HOLIDAYS]
    assert skips_at_publish == [5, 0]
    assert len(await audit_rows(deps.db, "holiday.delete")) == 1


async def test_holiday_writes_and_subscriptions_need_an_admin(deps: FakeDeps) -> None:
    _, period_id = await _admin_with_period(deps)
    editor = await add_user(deps.db, Role.EDITOR)
    values = holidays.HolidayValues("Herbstferien", date(2031, 10, 13), date(2031, 10, 17))
    with pytest.raises(ForbiddenError):
        await holidays.create_holiday(deps, editor, holidays.CreateHoliday(period_id, values))
    upload = CountingUpload(b"A,2031-10-13,2031-10-17")
    with pytest.raises(ForbiddenError):
        await holidays.import_holidays(deps, editor, holidays.ImportHolidays(period_id, upload))
    assert upload.reads == 0  # a refused caller's file is not even read
    with pytest.raises(ForbiddenError):
        command = subscriptions.CreateHolidaySubscription("https://example.org/ferien.ics", period_id)
        await subscriptions.create_subscription(deps, editor, command)
    with pytest.raises(ForbiddenError):
        await subscriptions.subscriptions_with_counts(deps, editor)
    assert deps.bus.published == []
    assert [r.action for r in await audit_rows(deps.db)] == ["period.create"]


async def test_an_import_is_one_audited_change_and_a_bad_file_names_its_line(deps: FakeDeps) -> None:
    admin, period_id = await _admin_with_period(deps)
    data = b"Herbstferien;2031-10-13;2031-10-17\nWeihnachten;22.12.2031;02.01.2032\n"
    command = holidays.ImportHolidays(period_id, CountingUpload(data), "ferien.csv")
    summary = await holidays.import_holidays(deps, admin, command)
    assert (summary.inserted, summary.skipped) == (2, 0)
    [row] = await audit_rows(deps.db, "holiday.import")
    assert row.details is not None and row.details["file"] == "ferien.csv"
    assert [e.data["change"] for e in deps.bus.published] == [changes.HOLIDAYS]

    with pytest.raises(ValidationError) as bad:
        bad_file = b"Pfingsten;2032-05-17;2032-05-21\nOstern;2032-13-01;2032-04-10\n"
        await holidays.import_holidays(deps, admin, holidays.ImportHolidays(period_id, bad_file))
    assert bad.value.key == "holiday_file.row_bad_date"
    assert bad.value.message == "Zeile 2: ungültiges Datum „2032-13-01“ (JJJJ-MM-TT oder TT.MM.JJJJ)."
    assert bad.value.text("en") == "Line 2: invalid date “2032-13-01” (YYYY-MM-DD or DD.MM.YYYY)."
    assert len(deps.bus.published) == 1


async def test_feed_tokens_need_an_editor_and_are_audited(deps: FakeDeps) -> None:
    async with deps.db.session() as session:
        group = ClientGroup(name="Foyer")
        session.add(group)
        await session.flush()
        group_id = group.id
    user, editor = await add_user(deps.db, Role.USER), await add_user(deps.db, Role.EDITOR)
    with pytest.raises(ForbiddenError):
        await feeds.create_feed_token(deps, user, feeds.CreateFeedToken(group_id))
    raw, token = await feeds.create_feed_token(deps, editor, feeds.CreateFeedToken(group_id, "Lehrerzimmer"))
    assert await feeds.token_opens_feed(deps, raw, group_id)
    await feeds.revoke_feed_token(deps, editor, feeds.RevokeFeedToken(token.id))
    assert not await feeds.token_opens_feed(deps, raw, group_id)
    with pytest.raises(ConflictError) as again:
        await feeds.revoke_feed_token(deps, editor, feeds.RevokeFeedToken(token.id))
    assert again.value.message == "Dieses Kalender-Abo wurde bereits widerrufen."
    assert [r.action for r in await audit_rows(deps.db)] == ["calendar_feed.create_token", "calendar_feed.revoke_token"]


async def test_settings_need_an_admin_are_audited_and_refusals_name_keys(deps: FakeDeps) -> None:
    editor, admin = await add_user(deps.db, Role.EDITOR), await add_user(deps.db, Role.ADMIN)
    with pytest.raises(ForbiddenError):
        await settings.set_setting(deps, editor, settings.SetSetting("video_volume", "0.5"))
    view = await settings.set_setting(deps, admin, settings.SetSetting("video_volume", " 0.5 "))
    assert view.value == "0.5"
    with pytest.raises(ValidationError) as too_high:
        await settings.set_setting(deps, admin, settings.SetSetting("video_volume", "1.5"))
    assert (too_high.value.key, too_high.value.field) == ("setting.above_maximum", "video_volume")
    assert too_high.value.message == "video_volume: darf höchstens 1 sein"
    assert too_high.value.text("en") == "video_volume: may be at most 1"
    with pytest.raises(ValidationError) as needs_url:
        await settings.set_supplement_table(deps, admin, settings.SetSupplementTable("", True))
    assert needs_url.value.key == "setting.supplement_needs_url"
    table = await settings.set_supplement_table(
        deps, admin, settings.SetSupplementTable("https://untis.example/plan", True)
    )
    assert table.enabled
    rows = await audit_rows(deps.db, "system_setting.set")
    assert [r.object_id for r in rows] == ["video_volume", "supplement_table_url", "supplement_table_enabled"]
