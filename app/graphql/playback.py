"""Wiedergabeprotokoll over GraphQL: `playbackReport(groupId, start, end)` (app.domain.playback.report)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.playback import report as reports
from app.graphql.caller import caller
from app.graphql.context import Info


@strawberry.type(description="Minutes one display reported showing an event.")
class DisplayMinutes:
    uuid: str
    name: str
    minutes: float


@strawberry.type(description="One event of the report: planned minutes vs the minutes each display reported.")
class EventPlayback:
    event_id: int
    title: str
    planned_minutes: float
    displays: list[DisplayMinutes]


@strawberry.type(description="One display over the report's range: reported, matching, mismatching and gap minutes.")
class DisplayPlayback:
    uuid: str
    name: str
    reported_minutes: float = strawberry.field(description="Minutes covered by its reports.")
    matched_minutes: float = strawberry.field(description="Reported showing what the plan had (or nothing when idle).")
    mismatch_minutes: float = strawberry.field(description="Reported showing something the plan did not have.")
    gap_minutes: float = strawberry.field(description="Minutes without any report.")


@strawberry.type(description="Planned vs reported playback of a room over a range (proof of play).")
class PlaybackReport:
    group_id: int
    start: datetime
    end: datetime
    events: list[EventPlayback]
    displays: list[DisplayPlayback]


def _report(item: reports.PlaybackReport) -> PlaybackReport:
    return PlaybackReport(
        group_id=item.group_id,
        start=item.start,
        end=item.end,
        events=[
            EventPlayback(
                event_id=e.event_id,
                title=e.title,
                planned_minutes=e.planned_minutes,
                displays=[DisplayMinutes(uuid=d.uuid, name=d.name, minutes=d.minutes) for d in e.displays],
            )
            for e in item.events
        ],
        displays=[
            DisplayPlayback(
                uuid=d.uuid,
                name=d.name,
                reported_minutes=d.reported_minutes,
                matched_minutes=d.matched_minutes,
                mismatch_minutes=d.mismatch_minutes,
                gap_minutes=d.gap_minutes,
            )
            for d in item.displays
        ],
    )


@strawberry.type
class PlaybackQuery:
    @strawberry.field(description="Per event planned minutes vs what each display of the group reported, with gaps "
                      "and mismatches, over [start, end) (at most 400 days).")  # fmt: skip
    async def playback_report(self, info: Info, group_id: int, start: datetime, end: datetime) -> PlaybackReport:
        item = await reports.playback_report(info.context.container, caller(info), group_id, start, end)
        return _report(item)
