"""A group's schedule as iCalendar: exported over HTTP with a feed token, parsed with `icalendar`, expanded with
the brute-force RFC 5545 reference of the recurrence tests (`tests/events/rfc5545_reference.py`, which shares
no code with the application or dateutil) and compared with what `eventOccurrences` returns; tokens are
revocable and never reveal whether a group exists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
from sqlalchemy import update

from app.domain.enums import Role
from app.domain.users.models import User
from tests.events import rfc5545_reference
from tests.ical.support import add_group, add_holiday, add_period
from tests.support.api import Api

EVENT = "__typename ... on Event { id recurrenceExceptions } ... on Error { message }"
CREATE = f"mutation($input: EventInput!) {{ createEvent(input: $input) {{ {EVENT} }} }}"
DELETE_OCC = f"mutation($id: Int!, $at: DateTime!) {{ deleteOccurrence(id: $id, occurrenceStart: $at) {{ {EVENT} }} }}"
DETACH = (
    "mutation($id: Int!, $at: DateTime!, $input: EventInput!) { "
    f"detachOccurrence(id: $id, occurrenceStart: $at, input: $input) {{ {EVENT} }} }}"
)
OCCURRENCES = """query($g: Int, $s: DateTime!, $e: DateTime!) {
    eventOccurrences(groupId: $g, start: $s, end: $e) { eventId title start end } }"""
CREATE_TOKEN = """mutation($g: Int!, $l: String) { createCalendarFeedToken(groupId: $g, label: $l) { __typename
    ... on CalendarFeedTokenCreated { token url feedToken { id tokenPrefix path revokedAt } }
    ... on Error { message } } }"""
REVOKE = """mutation($id: Int!) { revokeCalendarFeedToken(id: $id) { __typename
    ... on CalendarFeedToken { id revokedAt } ... on Error { message } } }"""
TOKENS = "query($g: Int!) { calendarFeedTokens(groupId: $g) { id label tokenPrefix revokedAt lastUsedAt } }"

WINDOW = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 8, 31, tzinfo=UTC))


async def create_event(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    result = (await api.data(CREATE, {"input": fields}, token=token))["createEvent"]
    assert result["__typename"] == "Event", result
    return result


async def build_schedule(api: Api, editor: str) -> tuple[int, int, int]:
    """Group "Aula" with three series (holiday skips, a deleted and a detached occurrence) and a single event."""
    c = api.container
    aula, other = await add_group(c, "Aula"), await add_group(c, "Raum 101")
    period = await add_period(c, date(2026, 9, 1), date(2027, 7, 2))
    await add_holiday(c, period, date(2026, 10, 26), date(2026, 10, 30), "Herbstferien")
    await add_holiday(c, period, date(2026, 12, 24), date(2027, 1, 6), "Weihnachtsferien")
    base = {"groupId": aula, "eventType": "MESSAGE", "messageText": "Hausordnung", "academicPeriodId": period}
    # Monday and Wednesday 08:00–08:50 Vienna (CEST, then CET after 25.10.) until the end of January.
    lessons = await create_event(
        api, editor, title="Morgenansage", start="2026-09-07T06:00:00Z", end="2026-09-07T06:50:00Z",
        recurrenceRule="FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270131T225959Z", skipHolidays=True, **base,
    )  # fmt: skip
    assert "20261026T070000Z" in lessons["recurrenceExceptions"]  # a holiday skip, later an EXDATE
    # Daily 12:30–13:00 for 60 days across the October switch, skipping holidays.
    await create_event(
        api, editor, title="Mittagsmenü", start="2026-10-01T10:30:00Z", end="2026-10-01T11:00:00Z",
        recurrenceRule="FREQ=DAILY;COUNT=60", skipHolidays=True, **base,
    )  # fmt: skip
    # First Friday of each month, open-ended, 10:00–11:30.
    await create_event(
        api, editor, title="Elternsprechstunde", start="2026-09-04T08:00:00Z", end="2026-09-04T09:30:00Z",
        recurrenceRule="FREQ=MONTHLY;BYDAY=1FR", **base,
    )  # fmt: skip
    await create_event(api, editor, title="Schulfest", start="2027-06-18T13:00:00Z", end="2027-06-18T18:00:00Z", **base)
    await create_event(
        api, editor, title="Anderer Raum", start="2026-09-08T06:00:00Z", end="2026-09-08T07:00:00Z",
        **{**base, "groupId": other},
    )  # fmt: skip
    deleted = (await api.data(DELETE_OCC, {"id": lessons["id"], "at": "2026-09-09T06:00:00Z"}, token=editor))[
        "deleteOccurrence"
    ]
    assert deleted["__typename"] == "Event", deleted
    moved = {**base, "title": "Morgenansage (verschoben)", "start": "2026-09-14T07:00:00Z"}
    moved["end"] = "2026-09-14T08:00:00Z"
    detached = (
        await api.data(DETACH, {"id": lessons["id"], "at": "2026-09-14T06:00:00Z", "input": moved}, token=editor)
    )["detachOccurrence"]
    assert detached["__typename"] == "Event", detached
    # Another occurrence moves to the other room: an EXDATE here, an event of its own in that group's feed.
    elsewhere = {**moved, "groupId": other, "title": "Morgenansage (Raum 101)", "start": "2026-09-16T06:00:00Z"}
    elsewhere["end"] = "2026-09-16T06:50:00Z"
    moved_away = (
        await api.data(DETACH, {"id": lessons["id"], "at": "2026-09-16T06:00:00Z", "input": elsewhere}, token=editor)
    )["detachOccurrence"]
    assert moved_away["__typename"] == "Event", moved_away
    return aula, other, lessons["id"]


async def feed_token(api: Api, token: str, group: int, label: str | None = None) -> dict[str, Any]:
    created = (await api.data(CREATE_TOKEN, {"g": group, "l": label}, token=token))["createCalendarFeedToken"]
    assert created["__typename"] == "CalendarFeedTokenCreated", created
    return created


def _dates(component: icalendar.cal.Component, name: str) -> set[datetime]:
    raw = component.get(name, [])
    return {d.dt.astimezone(UTC) for prop in (raw if isinstance(raw, list) else [raw]) for d in prop.dts}


def instants(calendar: icalendar.Calendar) -> set[tuple[str, datetime, datetime]]:
    """Expand the parsed feed as a calendar app would: RRULE by the reference, minus EXDATEs, with the
    RECURRENCE-ID overrides in place of the instances they replace; occurrences overlapping WINDOW."""
    tz = next(iter(calendar.timezones)).to_tz()
    events = list(calendar.walk("VEVENT"))
    overrides = {(str(e["UID"]), e["RECURRENCE-ID"].dt.astimezone(UTC)) for e in events if "RECURRENCE-ID" in e}
    result: set[tuple[str, datetime, datetime]] = set()
    for event in events:
        start = event["DTSTART"].dt.astimezone(UTC)
        duration = event["DTEND"].dt.astimezone(UTC) - start
        starts = [start]
        if "RRULE" in event:
            rule = event["RRULE"].to_ical().decode()
            horizon = WINDOW[1] + timedelta(days=1)
            excluded = _dates(event, "EXDATE") | {at for uid, at in overrides if uid == str(event["UID"])}
            starts = [s for s in rfc5545_reference.instants(rule, start, tz, horizon) if s not in excluded]
        title = str(event["SUMMARY"])
        result |= {(title, s, s + duration) for s in starts if s < WINDOW[1] and s + duration > WINDOW[0]}
    return result


async def test_export_round_trip_matches_event_occurrences(api: Api) -> None:
    editor = await api.token_for(Role.EDITOR)
    aula, other, lessons_id = await build_schedule(api, editor)
    created = await feed_token(api, editor, aula, "Outlook Sekretariat")
    assert created["url"] == f"/ical/groups/{aula}.ics?token={created['token']}"

    response = await api.client.get(created["url"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)

    # The school zone travels with the feed, and every local time refers to it.
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Vienna"]
    assert calendar.get_missing_tzids() == set()
    events = list(calendar.walk("VEVENT"))
    assert all("DTSTAMP" in e and "UID" in e for e in events)
    assert "Anderer Raum" not in {str(e["SUMMARY"]) for e in events}
    lessons = [e for e in events if str(e["UID"]).startswith(f"event-{lessons_id}@")]
    master = next(e for e in lessons if "RRULE" in e)
    override = next(e for e in lessons if "RECURRENCE-ID" in e)
    assert master["DTSTART"].params["TZID"] == "Europe/Vienna"
    assert override["RECURRENCE-ID"].dt == datetime(2026, 9, 14, 8, 0, tzinfo=master["DTSTART"].dt.tzinfo)
    raw = master.get("EXDATE", [])
    exdates = {d.dt.astimezone(UTC) for prop in (raw if isinstance(raw, list) else [raw]) for d in prop.dts}
    # The deleted occurrence and the holiday skips are EXDATEs; the detached one is the override instead.
    assert datetime(2026, 9, 9, 6, 0, tzinfo=UTC) in exdates
    assert datetime(2026, 10, 26, 7, 0, tzinfo=UTC) in exdates
    assert datetime(2026, 12, 28, 7, 0, tzinfo=UTC) in exdates
    assert datetime(2026, 9, 14, 6, 0, tzinfo=UTC) not in exdates
    assert datetime(2026, 9, 16, 6, 0, tzinfo=UTC) in exdates

    expected: set[tuple[str, datetime, datetime]] = set()
    occurrences = (
        await api.data(OCCURRENCES, {"g": aula, "s": WINDOW[0].isoformat(), "e": WINDOW[1].isoformat()}, token=editor)
    )["eventOccurrences"]
    for o in occurrences:
        start, end = (datetime.fromisoformat(o[k].replace("Z", "+00:00")).astimezone(UTC) for k in ("start", "end"))
        expected.add((o["title"], start, end))
    assert len(occurrences) == len(expected) > 100
    assert instants(calendar) == expected
    moved_start = datetime(2026, 9, 16, 6, tzinfo=UTC)
    assert not any(start == moved_start for _, start, _ in expected)

    # The other room's feed holds its own event and the occurrence that moved there, nothing of the Aula.
    other_feed = await feed_token(api, editor, other)
    other_calendar = icalendar.Calendar.from_ical((await api.client.get(other_feed["url"])).content)
    other_occurrences = (
        await api.data(OCCURRENCES, {"g": other, "s": WINDOW[0].isoformat(), "e": WINDOW[1].isoformat()}, token=editor)
    )["eventOccurrences"]
    assert instants(other_calendar) == {
        (o["title"], *(datetime.fromisoformat(o[k].replace("Z", "+00:00")) for k in ("start", "end")))
        for o in other_occurrences
    }
    assert {str(e["SUMMARY"]) for e in other_calendar.walk("VEVENT")} == {"Anderer Raum", "Morgenansage (Raum 101)"}

    # UIDs are stable: the next refresh of the feed names the same events.
    again = icalendar.Calendar.from_ical((await api.client.get(created["url"])).content)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(str(e["UID"]) for e in events)


async def test_tokens_are_revocable_and_reveal_nothing(api: Api) -> None:
    editor = await api.token_for(Role.EDITOR)
    aula, other, _ = await build_schedule(api, editor)
    created = await feed_token(api, editor, aula)
    token = created["token"]
    first = await api.client.get(f"/ical/groups/{aula}.ics?token={token}")
    assert first.status_code == 200 and first.headers["etag"]
    # A calendar app polling an unchanged schedule gets 304 (DTSTAMP moves, the schedule did not); HEAD works.
    headers = {"If-None-Match": first.headers["etag"]}
    assert (await api.client.get(f"/ical/groups/{aula}.ics?token={token}", headers=headers)).status_code == 304
    head = await api.client.head(f"/ical/groups/{aula}.ics?token={token}")
    assert head.status_code == 200 and head.headers["etag"] == first.headers["etag"]
    await create_event(
        api, editor, groupId=aula, title="Neu", eventType="MESSAGE", messageText="x",
        start="2026-12-01T09:00:00Z", end="2026-12-01T10:00:00Z",
    )  # fmt: skip
    changed = await api.client.get(f"/ical/groups/{aula}.ics?token={token}", headers=headers)
    assert changed.status_code == 200 and "SUMMARY:Neu" in changed.text

    # A token opens its own group only; a wrong token, or any token for a missing group, is the same 404.
    assert (await api.client.get(f"/ical/groups/{other}.ics?token={token}")).status_code == 404
    assert (await api.client.get(f"/ical/groups/{aula}.ics?token=isc_wrong")).status_code == 404
    missing = await api.client.get(f"/ical/groups/99999.ics?token={token}")
    wrong = await api.client.get(f"/ical/groups/{aula}.ics?token=x")
    assert missing.status_code == 404 and missing.text == wrong.text
    # No token and no login: 401. A login (bearer or dashboard cookie) downloads without a token.
    assert (await api.client.get(f"/ical/groups/{aula}.ics")).status_code == 401
    viewer = await api.token_for(Role.USER)
    download = await api.client.get(
        f"/ical/groups/{aula}.ics?download=1", headers={"Authorization": f"Bearer {viewer}"}
    )
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]

    listed = (await api.data(TOKENS, {"g": aula}, token=editor))["calendarFeedTokens"]
    assert [(t["id"], t["tokenPrefix"], t["revokedAt"]) for t in listed] == [
        (created["feedToken"]["id"], token[:12], None)
    ]
    assert listed[0]["lastUsedAt"] is not None
    assert token not in str(listed)

    # Only editors and above manage tokens.
    refused = (await api.data(CREATE_TOKEN, {"g": aula, "l": None}, token=viewer))["createCalendarFeedToken"]
    assert refused["__typename"] == "ForbiddenError"
    revoked = (await api.data(REVOKE, {"id": created["feedToken"]["id"]}, token=editor))["revokeCalendarFeedToken"]
    assert revoked["__typename"] == "CalendarFeedToken" and revoked["revokedAt"]
    assert (await api.client.get(f"/ical/groups/{aula}.ics?token={token}")).status_code == 404
    twice = (await api.data(REVOKE, {"id": created["feedToken"]["id"]}, token=editor))["revokeCalendarFeedToken"]
    assert twice["__typename"] == "ConflictError"


async def test_a_token_dies_with_its_creators_account(api: Api) -> None:
    editor = await api.token_for(Role.EDITOR, "lehrerin")
    group = await add_group(api.container, "Foyer")
    created = await feed_token(api, editor, group)
    assert (await api.client.get(created["url"])).status_code == 200
    async with api.container.db.session() as session:
        await session.execute(update(User).where(User.username == "lehrerin").values(is_active=False))
    assert (await api.client.get(created["url"])).status_code == 404
