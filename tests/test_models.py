"""The data model behaves the same on SQLite and MariaDB: UTC round trips, constraints, cascades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain.db import Database
from app.domain.enums import (
    CommandStatus,
    ConversionStatus,
    EventType,
    LogLevel,
    MediaType,
    ProcessStatus,
    Role,
    ScreenHealthStatus,
)
from app.domain.models import (
    Client,
    ClientCommand,
    ClientGroup,
    ClientLog,
    Conversion,
    Event,
    EventException,
    EventMedia,
    User,
)

UUID = "9b8d1856-ff34-4864-a726-12de072d0f77"


async def test_times_come_back_as_aware_utc(any_db: Database) -> None:
    vienna_summer = datetime(2026, 7, 1, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    async with any_db.session() as s:
        s.add(Client(uuid=UUID, hostname="pi-101", last_alive=vienna_summer))
    async with any_db.read_session() as s:
        client = await s.get(Client, UUID)
        assert client is not None
        assert client.last_alive == datetime(2026, 7, 1, 6, 0, 0, 123456, tzinfo=UTC)
        assert client.last_alive.tzinfo is not None
        assert client.screen_health_status is ScreenHealthStatus.UNKNOWN  # server default, as in the seeds
        assert client.is_active is True


async def test_enums_are_stored_as_the_seed_strings(any_db: Database) -> None:
    async with any_db.session() as s:
        s.add(Client(uuid=UUID, process_status=ProcessStatus.CRASHED))
        s.add(User(username="anna", password_hash="x", role=Role.EDITOR))
    async with any_db.read_session() as s:
        raw = (await s.execute(select(func.lower(Client.process_status)))).scalar_one()
        assert raw == "crashed"
        user = await s.scalar(select(User).where(User.username == "anna"))
        assert user is not None and user.role is Role.EDITOR and user.failed_login_attempts == 0


async def test_deleting_a_client_removes_its_logs_and_commands(any_db: Database) -> None:
    now = datetime.now(UTC)
    async with any_db.session() as s:
        s.add(Client(uuid=UUID))
        await s.flush()
        s.add(ClientLog(client_uuid=UUID, timestamp=now, level=LogLevel.ERROR, message="boom", context={"a": 1}))
        s.add(
            ClientCommand(
                command_id="5d1f8b4b-7e85-44fb-8f38-3f5d5da5e2e4",
                client_uuid=UUID,
                action="reboot_host",
                status=CommandStatus.QUEUED.value,
                issued_at=now,
                expires_at=now + timedelta(seconds=240),
            )
        )
    async with any_db.session() as s:
        client = await s.get(Client, UUID)
        await s.delete(client)
    async with any_db.read_session() as s:
        assert await s.scalar(select(func.count()).select_from(ClientLog)) == 0
        assert await s.scalar(select(func.count()).select_from(ClientCommand)) == 0


async def test_deleting_a_group_unassigns_its_clients(any_db: Database) -> None:
    async with any_db.session() as s:
        group = ClientGroup(name="Raum 101")
        s.add(group)
        await s.flush()
        s.add(Client(uuid=UUID, group_id=group.id))
    async with any_db.session() as s:
        group = await s.scalar(select(ClientGroup))
        await s.delete(group)
    async with any_db.read_session() as s:
        client = await s.get(Client, UUID)
        assert client is not None and client.group_id is None


async def test_command_ids_are_unique(any_db: Database) -> None:
    now = datetime.now(UTC)
    async with any_db.session() as s:
        s.add(Client(uuid=UUID))
    for _ in range(2):
        row = ClientCommand(
            command_id="5d1f8b4b-7e85-44fb-8f38-3f5d5da5e2e4",
            client_uuid=UUID,
            action="reboot_host",
            status="queued",
            issued_at=now,
            expires_at=now,
        )
        if _ == 0:
            async with any_db.session() as s:
                s.add(row)
        else:
            with pytest.raises(IntegrityError):
                async with any_db.session() as s:
                    s.add(row)


async def test_conversions_are_unique_per_media_format_and_hash(any_db: Database) -> None:
    async with any_db.session() as s:
        media = EventMedia(media_type=MediaType.PPTX, file_name="a.pptx", access_token="tok-1")
        s.add(media)
        await s.flush()
        s.add(Conversion(source_event_media_id=media.id, target_format="pdf", file_hash="h1"))
        media_id = media.id
    async with any_db.read_session() as s:
        conv = await s.scalar(select(Conversion))
        assert conv is not None and conv.status is ConversionStatus.PENDING
    with pytest.raises(IntegrityError):
        async with any_db.session() as s:
            s.add(Conversion(source_event_media_id=media_id, target_format="pdf", file_hash="h1"))
    with pytest.raises(IntegrityError):
        async with any_db.session() as s:
            s.add(Conversion(source_event_media_id=media_id, target_format="pdf", file_hash=None))  # type: ignore[arg-type]
    async with any_db.session() as s:  # a new upload of other content is a new conversion
        s.add(Conversion(source_event_media_id=media_id, target_format="pdf", file_hash="h2"))


async def test_event_exceptions_follow_their_event(any_db: Database) -> None:
    start = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)
    async with any_db.session() as s:
        group = ClientGroup(name="Aula")
        s.add(group)
        await s.flush()
        event = Event(
            group_id=group.id,
            title="Morgenkreis",
            event_type=EventType.MESSAGE,
            start=start,
            end=start + timedelta(hours=1),
            recurrence_rule="FREQ=WEEKLY;BYDAY=MO",
            message_text="Guten Morgen",
        )
        s.add(event)
        await s.flush()
        s.add(EventException(event_id=event.id, exception_start=start + timedelta(days=7), kind="deleted"))
    async with any_db.session() as s:
        event = await s.scalar(select(Event))
        await s.delete(event)
    async with any_db.read_session() as s:
        assert await s.scalar(select(func.count()).select_from(EventException)) == 0
