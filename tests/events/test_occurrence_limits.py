"""Hostile calendar windows get a bounded answer instead of millions of occurrences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.clients.models import ClientGroup
from app.domain.db import Database
from app.domain.enums import EventType
from app.domain.errors import ValidationError
from app.domain.events import recurrence
from app.domain.events.models import Event
from app.domain.events.service import list_occurrences

VIENNA = ZoneInfo("Europe/Vienna")
START = datetime(2026, 1, 1, tzinfo=UTC)


async def test_occurrence_listing_is_capped_and_windows_are_bounded(db: Database) -> None:
    async with db.session() as s:
        group = ClientGroup(name="Flur")
        s.add(group)
        await s.flush()
        for n in range(3):  # three hourly series: ~28,800 occurrences in 400 days
            s.add(
                Event(
                    group_id=group.id,
                    title=f"Stündlich {n}",
                    event_type=EventType.MESSAGE,
                    message_text="x",
                    start=START,
                    end=START + timedelta(minutes=30),
                    recurrence_rule="FREQ=HOURLY",
                )
            )
    async with db.read_session() as s:
        views = await list_occurrences(s, group_id=None, start=START, end=START + timedelta(days=400), tz=VIENNA)
        assert len(views) == recurrence.MAX_OCCURRENCES
        assert views == sorted(views, key=lambda v: (v.start, v.event.id))
        with pytest.raises(ValidationError):
            await list_occurrences(s, group_id=None, start=START, end=START + timedelta(days=401), tz=VIENNA)
        with pytest.raises(ValidationError):
            await list_occurrences(s, group_id=None, start=START, end=START, tz=VIENNA)
