"""Vorschau over GraphQL: any logged-in user reads it, anonymous callers are refused; reasons and exact JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from app.domain.clock import iso_z
from app.domain.enums import AcademicPeriodType, EventType, Role
from app.domain.events import service as events
from app.domain.periods import holidays
from app.domain.periods.models import AcademicPeriod
from app.domain.users.tokens import Principal
from tests.events.seed import add_group
from tests.preview.seed import local
from tests.support.api import Api

PAYLOAD = """query($g: Int!, $at: DateTime!) { displayPayloadAt(groupId: $g, at: $at) {
    eventList powerIntent eventListJson powerIntentJson } }"""
SCHEDULE = """query($g: Int!, $s: DateTime!, $e: DateTime!) { groupSchedule(groupId: $g, start: $s, end: $e) {
    start end eventIds titles powerState reason } }"""


async def _school(api: Api) -> tuple[int, int]:
    admin_user = await api.make_user(Role.ADMIN, "preview-admin")
    admin = Principal(admin_user.id, admin_user.username, Role.ADMIN)
    async with api.container.db.session() as session:
        period = AcademicPeriod(name="2026/27", start_date=date(2026, 9, 1), end_date=date(2027, 6, 30),
                                period_type=AcademicPeriodType.SCHULJAHR, is_active=True)  # fmt: skip
        session.add(period)
        await session.flush()
        period_id = period.id
    values = holidays.HolidayValues("Schulfrei", date(2026, 9, 4), date(2026, 9, 4))
    await holidays.create_holiday(api.container, admin, holidays.CreateHoliday(period_id, values))
    group = await add_group(api.container, "Aula")
    made = await events.create_event(
        api.container,
        admin,
        events.CreateEvent({"group_id": group, "title": "Begrüßung", "event_type": EventType.MESSAGE,
                            "message_text": "Willkommen", "start": local(date(2026, 9, 2), 8, 0),
                            "end": local(date(2026, 9, 2), 9, 0), "academic_period_id": period_id}),
    )  # fmt: skip
    return group, made.event.id


async def test_anonymous_is_refused_and_a_user_reads_both(api: Api) -> None:
    group, event_id = await _school(api)
    at = iso_z(local(date(2026, 9, 2), 8, 30))
    span = {"g": group, "s": iso_z(local(date(2026, 8, 30), 0, 0)), "e": iso_z(local(date(2026, 9, 6), 0, 0))}
    for query, variables in ((PAYLOAD, {"g": group, "at": at}), (SCHEDULE, span)):
        anonymous = await api.gql(query, variables)
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert anonymous["data"] is None

    user = await api.token_for(Role.USER)
    payload = (await api.data(PAYLOAD, {"g": group, "at": at}, token=user))["displayPayloadAt"]
    assert [e["id"] for e in payload["eventList"]] == [event_id]
    assert payload["eventList"][0]["title"] == "Begrüßung"
    assert payload["eventListJson"] == json.dumps(payload["eventList"], separators=(",", ":"), ensure_ascii=False)
    assert payload["powerIntent"] is None and payload["powerIntentJson"] is None  # intents are off by default

    segments = (await api.data(SCHEDULE, span, token=user))["groupSchedule"]
    shape = [(s["start"], s["end"], s["eventIds"], s["powerState"], s["reason"]) for s in segments]

    def z(value: datetime) -> str:  # DateTime as GraphQL returns it
        return value.astimezone(UTC).isoformat()

    assert shape == [
        (z(local(date(2026, 8, 30), 0, 0)), z(local(date(2026, 9, 1), 0, 0)), [], "off", "OUTSIDE_PERIOD"),
        (z(local(date(2026, 9, 1), 0, 0)), z(local(date(2026, 9, 2), 8, 0)), [], "off", "NO_EVENT"),
        (z(local(date(2026, 9, 2), 8, 0)), z(local(date(2026, 9, 2), 9, 0)), [event_id], "on", "EVENT"),
        (z(local(date(2026, 9, 2), 9, 0)), z(local(date(2026, 9, 4), 0, 0)), [], "off", "NO_EVENT"),
        (z(local(date(2026, 9, 4), 0, 0)), z(local(date(2026, 9, 5), 0, 0)), [], "off", "HOLIDAY"),
        (z(local(date(2026, 9, 5), 0, 0)), z(local(date(2026, 9, 6), 0, 0)), [], "off", "NO_EVENT"),
    ]
    assert segments[2]["titles"] == ["Begrüßung"]


async def test_bad_ranges_and_unknown_groups_are_clear_errors(api: Api) -> None:
    group, _ = await _school(api)
    user = await api.token_for(Role.USER)
    start = local(date(2026, 9, 1), 0, 0)
    backwards = await api.gql(SCHEDULE, {"g": group, "s": iso_z(start), "e": iso_z(start)}, token=user)
    assert backwards["errors"][0]["extensions"]["code"] == "VALIDATION"
    too_long = {"g": group, "s": iso_z(start), "e": iso_z(start + timedelta(days=500))}
    assert (await api.gql(SCHEDULE, too_long, token=user))["errors"][0]["extensions"]["code"] == "VALIDATION"
    unknown = await api.gql(PAYLOAD, {"g": group + 99, "at": iso_z(start)}, token=user)
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
