"""RFC 5545 recurrence end to end: createEvent/eventOccurrences/deleteOccurrence over /graphql at the Vienna DST
switches, and the scheduler's active events agreeing with eventOccurrences minute by minute around them."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.clients.models import ClientGroup
from app.domain.db import Database
from app.domain.enums import EventType, ExceptionKind, Role
from app.domain.events.active import ActiveEventsCalculator
from app.domain.events.models import Event, EventException
from app.domain.events.recurrence import normalize_rule
from app.domain.events.service import list_occurrences
from tests.events import rfc5545_reference as reference
from tests.events.seed import add_group
from tests.events.test_recurrence_differential import SPAN, random_dtstart, random_rule
from tests.support.api import Api

VIENNA = ZoneInfo("Europe/Vienna")
FIELDS = """__typename ... on Event { id start recurrenceEnd recurrenceExceptions }
    ... on Error { message } ... on ValidationError { field }"""
CREATE = f"mutation($input: EventInput!) {{ createEvent(input: $input) {{ {FIELDS} }} }}"
DELETE_OCC = f"mutation($id: Int!, $at: DateTime!) {{ deleteOccurrence(id: $id, occurrenceStart: $at) {{ {FIELDS} }} }}"
OCCURRENCES = """query($g: Int, $s: DateTime!, $e: DateTime!) {
    eventOccurrences(groupId: $g, start: $s, end: $e) { eventId start end } }"""


@pytest.fixture
async def editor(api: Api) -> str:
    return await api.token_for(Role.EDITOR)


def _message(group: int, title: str, start: str, end: str, rule: str) -> dict[str, object]:
    return {
        "groupId": group,
        "title": title,
        "eventType": "MESSAGE",
        "messageText": title,
        "start": start,
        "end": end,
        "recurrenceRule": rule,
    }


async def _occurrence_starts(api: Api, token: str, group: int, start: str, end: str) -> list[str]:
    rows = (await api.data(OCCURRENCES, {"g": group, "s": start, "e": end}, token=token))["eventOccurrences"]
    return [r["start"][:19] for r in rows]


async def test_autumn_fold_start_is_kept_listed_and_deletable(api: Api, editor: str) -> None:
    group = await add_group(api.container, "Aula")
    # 25.10.2026 02:30 in the second pass (CET, after the clocks went back) = 01:30Z.
    series = (
        await api.data(
            CREATE,
            {"input": _message(group, "Nacht", "2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z", "FREQ=DAILY;COUNT=3")},
            token=editor,
        )
    )["createEvent"]
    assert series["__typename"] == "Event", series
    assert series["recurrenceEnd"].startswith("2026-10-27T01:45:00")
    starts = await _occurrence_starts(api, editor, group, "2026-10-24T00:00:00Z", "2026-10-30T00:00:00Z")
    # The start keeps its own instant (not the summer-time 02:30 an hour earlier), then 02:30 CET daily.
    assert starts == ["2026-10-25T01:30:00", "2026-10-26T01:30:00", "2026-10-27T01:30:00"]

    deleted = (await api.data(DELETE_OCC, {"id": series["id"], "at": "2026-10-25T01:30:00Z"}, token=editor))[
        "deleteOccurrence"
    ]
    assert deleted["__typename"] == "Event", deleted
    assert deleted["recurrenceExceptions"] == ["20261025T013000Z"]
    # The first pass of 02:30 (00:30Z) is no occurrence of this series.
    wrong = (await api.data(DELETE_OCC, {"id": series["id"], "at": "2026-10-25T00:30:00Z"}, token=editor))[
        "deleteOccurrence"
    ]
    assert wrong["__typename"] == "ValidationError" and wrong["field"] == "occurrenceStart"
    starts = await _occurrence_starts(api, editor, group, "2026-10-24T00:00:00Z", "2026-10-30T00:00:00Z")
    assert starts == ["2026-10-26T01:30:00", "2026-10-27T01:30:00"]


async def test_spring_gap_and_weekly_bysetpos_over_graphql(api: Api, editor: str) -> None:
    group = await add_group(api.container, "Klasse 2B")
    # Daily 02:30 from Friday 27.3.2026: the 29.3. has no 02:30 and is neither shown nor counted.
    gap = (
        await api.data(
            CREATE,
            {"input": _message(group, "Früh", "2026-03-27T01:30:00Z", "2026-03-27T01:40:00Z", "FREQ=DAILY;COUNT=4")},
            token=editor,
        )
    )["createEvent"]
    assert gap["__typename"] == "Event", gap
    assert gap["recurrenceEnd"].startswith("2026-03-31T00:40:00")
    starts = await _occurrence_starts(api, editor, group, "2026-03-26T00:00:00Z", "2026-04-05T00:00:00Z")
    assert starts == ["2026-03-27T01:30:00", "2026-03-28T01:30:00", "2026-03-30T00:30:00", "2026-03-31T00:30:00"]
    gap_day = (await api.data(DELETE_OCC, {"id": gap["id"], "at": "2026-03-29T01:30:00Z"}, token=editor))[
        "deleteOccurrence"
    ]
    assert gap_day["__typename"] == "ValidationError" and gap_day["field"] == "occurrenceStart"

    # The rule from issue #15, from Tuesday 3.3.2026 08:00: exactly one occurrence, not refused.
    other = await add_group(api.container, "Klasse 3C")
    rule = "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TU,WE,SA,SU;BYSETPOS=2;UNTIL=20260315T000000Z"
    weekly = (
        await api.data(
            CREATE,
            {"input": _message(other, "Woche", "2026-03-03T07:00:00Z", "2026-03-03T08:00:00Z", rule)},
            token=editor,
        )
    )["createEvent"]
    assert weekly["__typename"] == "Event", weekly
    assert weekly["recurrenceEnd"].startswith("2026-03-03T08:00:00")
    assert await _occurrence_starts(api, editor, other, "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z") == [
        "2026-03-03T07:00:00"
    ]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY"),
        ("FREQ=DAILY;BYYEARDAY=100", "BYYEARDAY"),
        ("FREQ=WEEKLY;BYDAY=2MO", "BYDAY"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "keinen einzigen"),
        ("FREQ=DAILY;UNTIL=20200101T000000Z", "UNTIL"),
    ],
)
async def test_invalid_rules_are_refused_with_the_reason(api: Api, editor: str, rule: str, reason: str) -> None:
    group = await add_group(api.container, f"G-{secrets.token_hex(3)}")
    result = (
        await api.data(
            CREATE,
            {"input": _message(group, "X", "2026-03-03T07:00:00Z", "2026-03-03T08:00:00Z", rule)},
            token=editor,
        )
    )["createEvent"]
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "recurrenceRule" and reason in result["message"]


async def test_scheduler_and_event_occurrences_agree_around_dst_switches(db: Database) -> None:
    rules = [
        ("FREQ=DAILY", datetime(2026, 3, 20, 1, 30, tzinfo=UTC), timedelta(minutes=45)),  # 02:30 CET daily
        ("FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=0,30", datetime(2026, 3, 27, 0, 0, tzinfo=UTC), timedelta(minutes=20)),
        ("FREQ=HOURLY;INTERVAL=2", datetime(2026, 10, 24, 20, 15, tzinfo=UTC), timedelta(minutes=50)),
        ("FREQ=DAILY;COUNT=5", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), timedelta(minutes=30)),  # fold start
        (
            "FREQ=MONTHLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30;BYSETPOS=-1",
            datetime(2026, 1, 25, 1, 30, tzinfo=UTC),
            timedelta(hours=1),
        ),
    ]
    async with db.session() as s:
        groups = [ClientGroup(name=f"DST{i}") for i in range(len(rules))]
        s.add_all(groups)
        await s.flush()
        events = [
            Event(
                group_id=group.id,
                title=rule,
                event_type=EventType.MESSAGE,
                message_text="x",
                start=start,
                end=start + length,
                recurrence_rule=rule,
            )
            for group, (rule, start, length) in zip(groups, rules, strict=True)
        ]
        s.add_all(events)
        await s.flush()
        # One deleted occurrence: the fold series' second day (02:30 CET on 26.10.).
        s.add(
            EventException(
                event_id=events[3].id,
                exception_start=datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
                kind=ExceptionKind.DELETED,
            )
        )
    calc = ActiveEventsCalculator(VIENNA)
    checked = 0
    for day_start in (datetime(2026, 3, 28, 20, 0, tzinfo=UTC), datetime(2026, 10, 24, 20, 0, tzinfo=UTC)):
        window_end = day_start + timedelta(hours=34)
        async with db.read_session() as s:
            listed = await list_occurrences(s, group_id=None, start=day_start, end=window_end, tz=VIENNA)
        now = day_start
        while now < window_end:
            async with db.read_session() as s:
                snap = await calc.compute(s, now)
            active = sorted((o.event.id, o.start, o.end) for schedule in snap.groups.values() for o in schedule.active)
            expected = sorted((v.event.id, v.start, v.end) for v in listed if v.start <= now < v.end)
            assert active == expected, f"at {now.isoformat()}"
            checked += len(active)
            now += timedelta(minutes=10)
    assert checked > 40  # the switch days really had occurrences running


async def test_random_rules_over_graphql_match_the_rfc5545_reference(api: Api, editor: str) -> None:
    """As an integrator checks it: rules created with createEvent, read back with eventOccurrences."""
    rng = random.Random(15)
    group = await add_group(api.container, "Zufall")
    compared = 0
    for _ in range(60):
        start = random_dtstart(rng)
        rule = random_rule(rng, start)
        begin, finish = start.strftime("%Y-%m-%dT%H:%M:%SZ"), (start + timedelta(minutes=40))
        created = (
            await api.data(
                CREATE,
                {"input": _message(group, "R", begin, finish.strftime("%Y-%m-%dT%H:%M:%SZ"), rule)},
                token=editor,
            )
        )["createEvent"]
        canonical = normalize_rule(rule, VIENNA)
        assert canonical is not None
        window_end = start + min(SPAN[reference.parse(canonical).freq], timedelta(days=399))
        if created["__typename"] == "ValidationError":
            assert created["field"] == "recurrenceRule"
            hits = reference.instants(canonical, start, VIENNA, start + timedelta(days=366 * 10), pattern_only=True)
            assert not hits, f"{rule} from {begin} refused ({created['message']}) but RFC 5545 gives {hits[0]}"
            continue
        assert created["__typename"] == "Event", created
        want = reference.instants(canonical, start, VIENNA, window_end)
        rows = (
            await api.data(
                OCCURRENCES,
                {"g": group, "s": begin, "e": window_end.strftime("%Y-%m-%dT%H:%M:%SZ")},
                token=editor,
            )
        )["eventOccurrences"]
        got = [datetime.fromisoformat(r["start"].replace("Z", "+00:00")) for r in rows if r["eventId"] == created["id"]]
        assert got == [w for w in want if w < window_end], f"RRULE:{rule} DTSTART={begin}"
        compared += 1
        await api.data("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": created["id"]}, token=editor)
    assert compared > 40
