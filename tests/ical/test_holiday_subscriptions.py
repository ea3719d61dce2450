"""Holiday subscriptions against a real local HTTP server: create → refresh → 304 on an unchanged ETag →
the feed fails (500, timeout, too large, not a calendar) with the error kept and the holidays unchanged →
the feed is fixed and changed → recovered; manual holidays are never touched; the daily refresh is due-based."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings, load_settings
from app.domain.enums import Role
from app.domain.periods.models import HolidaySubscription
from app.tasks.holiday_refresh import refresh_due
from tests.graphql.test_holidays import add_period, create, listing
from tests.ical.feed_server import FeedServer, feed_server
from tests.ical.feeds import WIEN_2025_26, WIEN_EXPECTED
from tests.ical.support import add_group
from tests.support.api import Api

SUBSCRIPTION = """__typename ... on HolidaySubscription { id academicPeriodId url lastStatus lastHttpStatus lastError
    lastAttemptAt lastSuccessAt holidayCount lastSummary { inserted skipped refused refusedLines skippedLines } }
    ... on Error { message }"""
CREATE = f"""mutation($u: String!, $p: Int!) {{ createHolidaySubscription(url: $u, academicPeriodId: $p) {{
    {SUBSCRIPTION} }} }}"""
REFRESH = f"mutation($id: Int!) {{ refreshHolidaySubscription(id: $id) {{ {SUBSCRIPTION} }} }}"
DELETE = """mutation($id: Int!) { deleteHolidaySubscription(id: $id) { __typename
    ... on HolidaySubscriptionDeleted { id url } ... on Error { message } } }"""
LIST = "query($p: Int) { holidaySubscriptions(academicPeriodId: $p) { id url lastStatus holidayCount } }"
EVENT = """mutation($input: EventInput!) { createEvent(input: $input) { __typename
    ... on Event { id } ... on Error { message } } }"""
EXCEPTIONS = "query($id: Int!) { event(id: $id) { recurrenceExceptions } }"
HOLIDAYS = "query($p: Int) { holidays(academicPeriodId: $p) { id name subscriptionId } }"
UPDATE_HOLIDAY = """mutation($id: Int!, $i: SchoolHolidayInput!) { updateHoliday(id: $id, input: $i) { __typename
    ... on SchoolHoliday { id subscriptionId } ... on Error { message } } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # A short fetch deadline so the timeout case stays quick; the size limit is the default.
    return load_settings(DATA_DIR=str(tmp_path / "data"), SECRET_KEY="test-secret", HOLIDAY_FEED_TIMEOUT_SECONDS="1.5")


@pytest.fixture
async def feed() -> AsyncIterator[FeedServer]:
    async with feed_server(WIEN_2025_26.encode()) as running:
        yield running


async def refresh(api: Api, token: str, subscription_id: int) -> dict[str, Any]:
    return (await api.data(REFRESH, {"id": subscription_id}, token=token))["refreshHolidaySubscription"]


async def test_subscription_lifecycle_with_failures_and_recovery(api: Api, feed: FeedServer) -> None:
    admin = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    # Entered by hand before the subscription: the feed's copy of it must not replace or duplicate it.
    manual = await create(api, admin, period, "Herbstferien", "2025-10-27", "2025-10-31", "Wien")
    group = await add_group(api.container, "Aula")
    lesson = (
        await api.data(
            EVENT,
            {"input": {"groupId": group, "title": "Montagsansage", "eventType": "MESSAGE",
                       "messageText": "Guten Morgen", "start": "2025-12-01T07:00:00Z", "end": "2025-12-01T07:30:00Z",
                       "recurrenceRule": "FREQ=WEEKLY;COUNT=8", "skipHolidays": True, "academicPeriodId": period}},
            token=admin,
        )
    )["createEvent"]  # fmt: skip
    assert lesson["__typename"] == "Event", lesson

    created = (await api.data(CREATE, {"u": feed.url, "p": period}, token=admin))["createHolidaySubscription"]
    assert created["__typename"] == "HolidaySubscription", created
    assert (created["lastStatus"], created["lastHttpStatus"], created["lastError"]) == ("ok", 200, None)
    assert created["holidayCount"] == len(WIEN_EXPECTED) - 1  # the Herbstferien stay the hand-made ones
    assert created["lastSummary"]["refused"] == 2
    assert any("bereits erfasst" in line for line in created["lastSummary"]["skippedLines"])
    expected = [tuple(row) for row in WIEN_EXPECTED]
    assert await listing(api, admin, period) == expected
    # The series now skips the Christmas holidays the feed brought (29.12. and 5.1.).
    exceptions = (await api.data(EXCEPTIONS, {"id": lesson["id"]}, token=admin))["event"]["recurrenceExceptions"]
    assert exceptions == ["20251229T070000Z", "20260105T070000Z"]
    sub_id = created["id"]

    # Unchanged: the server sees the ETag and answers 304; nothing is rewritten.
    unchanged = await refresh(api, admin, sub_id)
    assert feed.requests[-1].get("If-None-Match") == feed.etag
    assert feed.requests[-1].get("If-Modified-Since") is not None
    assert (unchanged["lastStatus"], unchanged["lastHttpStatus"]) == ("unchanged", 304)
    assert unchanged["holidayCount"] == created["holidayCount"]
    last_success = unchanged["lastSuccessAt"]

    for mode, status, text, english in (
        ("error", 500, "HTTP 500", "The server answered with HTTP 500."),
        ("slow", None, "Zeitüberschreitung", "Timed out: no complete answer within"),
        ("huge", 200, "zu groß", "The feed is too large"),
        ("html", 200, "keinen iCalendar-Inhalt", "does not deliver iCalendar content"),
    ):
        feed.mode = mode
        feed.body = feed.body + b"\r\n"  # a new ETag: a conditional request cannot short-cut the failure
        failed = await refresh(api, admin, sub_id)
        assert failed["__typename"] == "HolidaySubscription", failed
        assert failed["lastStatus"] == "error" and text in failed["lastError"], (mode, failed)
        # Stored in German, read in the caller's language.
        listed = await api.client.post(
            "/graphql",
            json={"query": "query { holidaySubscriptions { id lastError } }"},
            headers={"Authorization": f"Bearer {admin}", "Accept-Language": "en"},
        )
        in_english = {s["id"]: s["lastError"] for s in listed.json()["data"]["holidaySubscriptions"]}[sub_id]
        assert english in in_english, (mode, in_english)
        assert failed["lastHttpStatus"] == status, (mode, failed)
        assert failed["lastSuccessAt"] == last_success and failed["lastAttemptAt"] > last_success
        assert failed["holidayCount"] == created["holidayCount"]
        assert await listing(api, admin, period) == expected

    # Fixed, and the state moved the Pfingstferien by a day: recovered, error cleared, holidays replaced.
    feed.mode = "ok"
    feed.body = WIEN_2025_26.replace("DTEND;VALUE=DATE:20260526", "DTEND;VALUE=DATE:20260527").encode()
    recovered = await refresh(api, admin, sub_id)
    assert (recovered["lastStatus"], recovered["lastHttpStatus"], recovered["lastError"]) == ("ok", 200, None)
    assert recovered["lastSuccessAt"] > last_success
    assert ("Pfingstferien", "Wien", "2026-05-23", "2026-05-26") in await listing(api, admin, period)
    listed = (await api.data(LIST, {"p": period}, token=admin))["holidaySubscriptions"]
    assert [(s["id"], s["lastStatus"], s["holidayCount"]) for s in listed] == [(sub_id, "ok", len(WIEN_EXPECTED) - 1)]

    # Editing a subscribed holiday by hand takes it over: later refreshes leave the edited one alone.
    easter = next(
        h for h in (await api.data(HOLIDAYS, {"p": period}, token=admin))["holidays"] if h["name"] == "Osterferien"
    )
    assert easter["subscriptionId"] == sub_id
    edited = (
        await api.data(
            UPDATE_HOLIDAY,
            {"id": easter["id"], "i": {"name": "Osterferien", "region": "Wien", "startDate": "2026-03-28",
                                       "endDate": "2026-04-07"}},
            token=admin,
        )
    )["updateHoliday"]  # fmt: skip
    assert edited["subscriptionId"] is None
    feed.body = feed.body + b"\r\n"  # a new ETag: fetched and read again
    again = await refresh(api, admin, sub_id)
    assert again["holidayCount"] == len(WIEN_EXPECTED) - 2
    assert any("Osterferien" in line and "bereits erfasst" in line for line in again["lastSummary"]["skippedLines"])
    assert ("Osterferien", "Wien", "2026-03-28", "2026-04-07") in await listing(api, admin, period)

    # Only admins manage subscriptions.
    editor = await api.token_for(Role.EDITOR)
    assert (await refresh(api, editor, sub_id))["__typename"] == "ForbiddenError"
    assert (await api.gql(LIST, {"p": period}, token=editor)).get("errors")

    # Deleting it removes what it brought; the hand-made Herbstferien stay.
    deleted = (await api.data(DELETE, {"id": sub_id}, token=admin))["deleteHolidaySubscription"]
    assert deleted["__typename"] == "HolidaySubscriptionDeleted"
    assert await listing(api, admin, period) == [
        ("Herbstferien", "Wien", "2025-10-27", "2025-10-31"),
        ("Osterferien", "Wien", "2026-03-28", "2026-04-07"),
    ]
    assert manual["__typename"] == "SchoolHoliday"


async def test_bad_addresses_are_refused_and_the_daily_refresh_fetches_only_due_feeds(
    api: Api, feed: FeedServer, settings: Settings
) -> None:
    admin = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    for url in ("ftp://example.org/ferien.ics", "kein link", ""):
        refused = (await api.data(CREATE, {"u": url, "p": period}, token=admin))["createHolidaySubscription"]
        assert refused["__typename"] == "ValidationError", refused
    missing = (await api.data(CREATE, {"u": feed.url, "p": 999}, token=admin))["createHolidaySubscription"]
    assert missing["__typename"] == "NotFoundError"

    created = (await api.data(CREATE, {"u": feed.url, "p": period}, token=admin))["createHolidaySubscription"]
    assert created["lastStatus"] == "ok"
    fetched = len(feed.requests)

    # Just refreshed: the periodic run leaves it alone.
    assert await refresh_due(api.container, settings) == 0
    assert len(feed.requests) == fetched
    # A day later it is due: fetched once (conditionally: 304, nothing rewritten).
    async with api.container.db.session() as session:
        row = await session.get(HolidaySubscription, created["id"])
        assert row is not None and row.last_attempt_at is not None
        row.last_attempt_at -= timedelta(hours=25)
    assert await refresh_due(api.container, settings) == 1
    assert len(feed.requests) == fetched + 1
    listed = (await api.data(LIST, {"p": period}, token=admin))["holidaySubscriptions"]
    assert listed[0]["lastStatus"] == "unchanged"
