"""Events through /graphql: every type with defaults, validation, roles, occurrences, delete and detach."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.domain.audit.models import AuditLogEntry
from app.domain.enums import MediaType, Role
from tests.events.seed import add_group, add_holiday, add_media, add_period, set_setting
from tests.support.api import Api

EVENT_FIELDS = """
    __typename
    ... on Event {
        id groupId title eventType start end recurrenceRule recurrenceEnd recurrenceExceptions skipHolidays
        academicPeriodId websiteUrl mediaId messageText slideInterval pageProgress autoProgress
        autoplay loop volume muted description isActive detachedFromEventId
    }
    ... on Error { message }
    ... on ValidationError { field }
"""
CREATE = f"mutation($input: EventInput!) {{ createEvent(input: $input) {{ {EVENT_FIELDS} }} }}"
UPDATE = f"mutation($id: Int!, $input: EventInput!) {{ updateEvent(id: $id, input: $input) {{ {EVENT_FIELDS} }} }}"
DELETE_OCC = f"""mutation($id: Int!, $at: DateTime!) {{
    deleteOccurrence(id: $id, occurrenceStart: $at) {{ {EVENT_FIELDS} }} }}"""
DETACH = f"""mutation($id: Int!, $at: DateTime!, $input: EventInput!) {{
    detachOccurrence(id: $id, occurrenceStart: $at, input: $input) {{ {EVENT_FIELDS} }} }}"""
OCCURRENCES = """query($g: Int, $s: DateTime!, $e: DateTime!) {
    eventOccurrences(groupId: $g, start: $s, end: $e) { eventId start end title eventType isRecurring isDetached
        detachedFromEventId } }"""

# Mondays 08:00–08:50 Vienna in autumn 2026 (CEST until 25.10., then CET).
MONDAY = {"start": "2026-09-07T06:00:00Z", "end": "2026-09-07T06:50:00Z"}


async def create(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    return (await api.data(CREATE, {"input": fields}, token=token))["createEvent"]


@pytest.fixture
async def editor(api: Api) -> str:
    return await api.token_for(Role.EDITOR)


async def test_every_event_type_is_created_with_settings_defaults(api: Api, editor: str) -> None:
    group = await add_group(api.container, "Aula")
    deck = await add_media(api.container, MediaType.PPTX, "folien.pptx", converted=True)
    clip = await add_media(api.container, MediaType.VIDEO, "film.mp4")
    await set_setting(api.container, "presentation_interval", "25")
    await set_setting(api.container, "video_volume", "0.5")
    await set_setting(api.container, "supplement_table_url", "https://untis.example/vertretung")

    pres = await create(api, editor, groupId=group, title="Folien", eventType="PRESENTATION", mediaId=deck, **MONDAY)
    assert pres["__typename"] == "Event", pres
    assert (pres["slideInterval"], pres["pageProgress"], pres["autoProgress"]) == (25, True, True)
    assert pres["start"].startswith("2026-09-07T06:00:00") and pres["mediaId"] == deck

    own = await create(
        api,
        editor,
        groupId=group,
        title="Eigene",
        eventType="PRESENTATION",
        mediaId=deck,
        slideInterval=5,
        pageProgress=False,
        **MONDAY,
    )
    assert (own["slideInterval"], own["pageProgress"], own["autoProgress"]) == (5, False, True)

    video = await create(api, editor, groupId=group, title="Film", eventType="VIDEO", mediaId=clip, **MONDAY)
    assert (video["autoplay"], video["loop"], video["volume"], video["muted"]) == (True, True, 0.5, False)

    site = await create(
        api, editor, groupId=group, title="Web", eventType="WEBSITE", websiteUrl="https://schule.example", **MONDAY
    )
    assert site["websiteUrl"] == "https://schule.example" and site["mediaId"] is None

    untis = await create(api, editor, groupId=group, title="Vertretung", eventType="WEBUNTIS", **MONDAY)
    assert untis["websiteUrl"] == "https://untis.example/vertretung"

    msg = await create(
        api, editor, groupId=group, title="Hinweis", eventType="MESSAGE", messageText=" Hallo ", **MONDAY
    )
    assert msg["messageText"] == "Hallo" and msg["slideInterval"] is None

    # Later settings changes do not touch existing events (defaults apply at creation only).
    await set_setting(api.container, "presentation_interval", "60")
    got = await api.data("query($id: Int!) { event(id: $id) { slideInterval } }", {"id": pres["id"]}, token=editor)
    assert got["event"]["slideInterval"] == 25
    async with api.container.db.session() as session:
        actions = (
            await session.scalars(select(AuditLogEntry.action).where(AuditLogEntry.object_type == "event"))
        ).all()
    assert actions.count("event.create") == 6


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end": "2026-09-07T05:00:00Z"}, "end"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"recurrenceRule": "FREQ=MINUTELY"}, "recurrenceRule"),
        ({"recurrenceRule": "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY"}, "recurrenceRule"),
        ({"eventType": "WEBSITE", "websiteUrl": "javascript:alert(1)"}, "websiteUrl"),
        ({"eventType": "WEBSITE", "websiteUrl": "ftp://files.example"}, "websiteUrl"),
        ({"eventType": "VIDEO", "mediaId": "CLIP", "volume": 1.5}, "volume"),
        ({"eventType": "VIDEO", "mediaId": "DECK"}, "mediaId"),
        ({"eventType": "PRESENTATION", "mediaId": "CLIP"}, "mediaId"),
        ({"eventType": "PRESENTATION"}, "mediaId"),
        ({"eventType": "PRESENTATION", "mediaId": 99999}, "mediaId"),
        ({"eventType": "WEBUNTIS"}, "eventType"),  # no supplement_table_url configured
        ({"messageText": ""}, "messageText"),
        ({"groupId": 99999}, "groupId"),
        ({"academicPeriodId": 99999}, "academicPeriodId"),
    ],
)
async def test_invalid_events_are_refused_with_the_offending_field(
    api: Api, editor: str, overrides: dict[str, Any], field: str
) -> None:
    group = await add_group(api.container, "Raum")
    media = {
        "DECK": await add_media(api.container, MediaType.PDF, "plan.pdf"),
        "CLIP": await add_media(api.container, MediaType.VIDEO, "clip.mp4"),
    }
    fields: dict[str, Any] = {"groupId": group, "title": "T", "eventType": "MESSAGE", "messageText": "Hi", **MONDAY}
    fields.update(overrides)
    if isinstance(fields.get("mediaId"), str):
        fields["mediaId"] = media[fields["mediaId"]]
    result = await create(api, editor, **fields)
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    events = await api.data("{ events { id } }", token=editor)
    assert events["events"] == []


async def test_roles_users_read_editors_write_anonymous_nothing(api: Api, editor: str) -> None:
    group = await add_group(api.container, "Raum")
    reader = await api.token_for(Role.USER)
    fields = {"groupId": group, "title": "T", "eventType": "MESSAGE", "messageText": "Hi", **MONDAY}
    refused = await create(api, reader, **fields)
    assert refused["__typename"] == "ForbiddenError"
    made = await create(api, editor, **fields)
    assert (await api.data("{ events { id title } }", token=reader))["events"] == [{"id": made["id"], "title": "T"}]
    denied = await api.gql("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": made["id"]}, token=reader)
    assert denied["errors"] and denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.gql("{ events { id } }")
    assert anonymous["errors"] and anonymous["data"] is None
    assert (await api.data("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": made["id"]}, token=editor))[
        "deleteEvent"
    ] is True
    assert (await api.data("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": made["id"]}, token=editor))[
        "deleteEvent"
    ] is False


async def test_update_changes_only_given_fields_and_can_switch_type(api: Api, editor: str) -> None:
    group = await add_group(api.container, "Raum")
    other = await add_group(api.container, "Andere")
    made = await create(
        api,
        editor,
        groupId=group,
        title="T",
        eventType="WEBSITE",
        websiteUrl="https://a.example",
        description="Notiz",
        **MONDAY,
    )
    base = {"groupId": other, "title": "Neu", "eventType": "WEBSITE", **MONDAY}
    updated = (await api.data(UPDATE, {"id": made["id"], "input": base}, token=editor))["updateEvent"]
    assert (updated["groupId"], updated["title"], updated["websiteUrl"], updated["description"]) == (
        other,
        "Neu",
        "https://a.example",
        "Notiz",
    )
    switched = (
        await api.data(
            UPDATE, {"id": made["id"], "input": {**base, "eventType": "MESSAGE", "messageText": "Text"}}, token=editor
        )
    )["updateEvent"]
    assert switched["eventType"] == "MESSAGE" and switched["websiteUrl"] is None
    missing = (await api.data(UPDATE, {"id": 4242, "input": base}, token=editor))["updateEvent"]
    assert missing["__typename"] == "NotFoundError"


async def test_series_with_holidays_deleted_and_detached_occurrences(api: Api, editor: str) -> None:
    group = await add_group(api.container, "Klasse 1A")
    period = await add_period(api.container, date(2026, 9, 1), date(2027, 7, 2))
    await add_holiday(api.container, period, date(2026, 10, 26), date(2026, 10, 30), "Herbstferien")
    deck = await add_media(api.container, MediaType.PDF, "stundenplan.pdf")
    series = await create(
        api,
        editor,
        groupId=group,
        title="Montag",
        eventType="PRESENTATION",
        mediaId=deck,
        slideInterval=7,
        autoProgress=False,
        recurrenceRule="FREQ=WEEKLY;COUNT=10",
        skipHolidays=True,
        academicPeriodId=period,
        **MONDAY,
    )
    assert series["__typename"] == "Event", series
    # 10 Mondays from 7.9.: the last is 9.11. 08:00 CET = 07:00Z; the 26.10. is a holiday (07:00Z, after DST).
    assert series["recurrenceEnd"].startswith("2026-11-09T07:50:00")
    assert series["recurrenceExceptions"] == ["20261026T070000Z"]

    window = {"g": group, "s": "2026-09-01T00:00:00Z", "e": "2026-12-01T00:00:00Z"}
    occ = (await api.data(OCCURRENCES, window, token=editor))["eventOccurrences"]
    assert len(occ) == 9 and all(o["isRecurring"] for o in occ)
    assert {o["start"][:19] for o in occ} >= {"2026-09-07T06:00:00", "2026-11-02T07:00:00"}

    deleted = (await api.data(DELETE_OCC, {"id": series["id"], "at": "2026-09-14T06:00:00Z"}, token=editor))[
        "deleteOccurrence"
    ]
    assert deleted["recurrenceExceptions"] == ["20260914T060000Z", "20261026T070000Z"]
    wrong = (await api.data(DELETE_OCC, {"id": series["id"], "at": "2026-09-15T06:00:00Z"}, token=editor))[
        "deleteOccurrence"
    ]
    assert wrong["__typename"] == "ValidationError" and wrong["field"] == "occurrenceStart"

    moved = {
        "groupId": group,
        "title": "Verschoben",
        "eventType": "PRESENTATION",
        "start": "2026-09-21T08:00:00Z",
        "end": "2026-09-21T09:00:00Z",
    }
    detached = (
        await api.data(DETACH, {"id": series["id"], "at": "2026-09-21T06:00:00Z", "input": moved}, token=editor)
    )["detachOccurrence"]
    assert detached["__typename"] == "Event", detached
    assert detached["detachedFromEventId"] == series["id"] and detached["recurrenceRule"] is None
    # The standalone keeps the presentation settings of the series.
    assert (detached["mediaId"], detached["slideInterval"], detached["autoProgress"]) == (deck, 7, False)
    again = (await api.data(DETACH, {"id": series["id"], "at": "2026-09-21T06:00:00Z", "input": moved}, token=editor))[
        "detachOccurrence"
    ]
    assert again["__typename"] == "ConflictError"

    occ = (await api.data(OCCURRENCES, window, token=editor))["eventOccurrences"]
    starts = [(o["start"][:19], o["isDetached"]) for o in occ]
    assert ("2026-09-14T06:00:00", False) not in starts
    assert ("2026-09-21T06:00:00", False) not in starts
    assert ("2026-09-21T08:00:00", True) in starts
    assert len(occ) == 8

    masters = await api.data(
        "query($g: Int) { events(groupId: $g) { id recurrenceExceptions } }", {"g": group}, token=editor
    )
    by_id = {e["id"]: e for e in masters["events"]}
    assert by_id[series["id"]]["recurrenceExceptions"] == ["20260914T060000Z", "20260921T060000Z", "20261026T070000Z"]
    assert by_id[detached["id"]]["recurrenceExceptions"] == []

    # Turning holiday skipping off brings the 26.10. back but keeps the deleted and detached ones.
    update = {"groupId": group, "title": "Montag", "eventType": "PRESENTATION", "skipHolidays": False, **MONDAY}
    kept = (await api.data(UPDATE, {"id": series["id"], "input": update}, token=editor))["updateEvent"]
    assert kept["recurrenceExceptions"] == ["20260914T060000Z", "20260921T060000Z"]


async def test_events_query_filters_by_group_and_window(api: Api, editor: str) -> None:
    a = await add_group(api.container, "A")
    b = await add_group(api.container, "B")
    msg = {"eventType": "MESSAGE", "messageText": "x"}
    single = await create(api, editor, groupId=a, title="einmal", **msg, **MONDAY)
    weekly = await create(api, editor, groupId=a, title="wöchentlich", recurrenceRule="FREQ=WEEKLY", **msg, **MONDAY)
    await create(api, editor, groupId=b, title="anders", **msg, **MONDAY)
    query = "query($g: Int, $s: DateTime, $e: DateTime) { events(groupId: $g, start: $s, end: $e) { id } }"
    later = {"g": a, "s": "2027-01-01T00:00:00Z", "e": "2027-02-01T00:00:00Z"}
    assert [e["id"] for e in (await api.data(query, later, token=editor))["events"]] == [weekly["id"]]
    around = {"g": a, "s": "2026-09-07T00:00:00Z", "e": "2026-09-08T00:00:00Z"}
    assert {e["id"] for e in (await api.data(query, around, token=editor))["events"]} == {single["id"], weekly["id"]}
    too_long = await api.gql(
        OCCURRENCES, {"g": a, "s": "2026-01-01T00:00:00Z", "e": "2028-01-01T00:00:00Z"}, token=editor
    )
    assert too_long["errors"]
