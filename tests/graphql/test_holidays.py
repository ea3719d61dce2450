"""School holidays over /graphql: the period-scoped merge/conflict policy and the CSV/TXT import."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.domain.bus import EVENTS_CHANGED
from app.domain.clients.models import ClientGroup
from app.domain.enums import AcademicPeriodType, EventType, ExceptionKind, Role
from app.domain.events.models import Event, EventException
from app.domain.periods.models import AcademicPeriod, SchoolHoliday
from tests.support.api import Api

HOLIDAY = "id academicPeriodId name region startDate endDate sourceFileName"
RESULT = "__typename ... on SchoolHoliday { " + HOLIDAY + " } ... on Error { message }"
CREATE = (
    "mutation($p: Int!, $i: SchoolHolidayInput!) { createHoliday(academicPeriodId: $p, input: $i) { " + RESULT + " } }"
)
UPDATE = "mutation($id: Int!, $i: SchoolHolidayInput!) { updateHoliday(id: $id, input: $i) { " + RESULT + " } }"
IMPORT = (
    "mutation($p: Int!, $f: Upload!) { importHolidays(academicPeriodId: $p, file: $f) { __typename "
    "... on HolidayImportSummary { inserted updated merged skipped conflicts conflictLines skippedLines } "
    "... on Error { message } } }"
)


async def add_period(api: Api, name: str = "SJ 25/26", *, archived: bool = False, active: bool = True) -> int:
    async with api.container.db.session() as session:
        period = AcademicPeriod(
            name=name, start_date=datetime(2025, 9, 1).date(), end_date=datetime(2026, 7, 3).date(),
            period_type=AcademicPeriodType.SCHULJAHR, is_archived=archived, is_active=active,
        )  # fmt: skip
        session.add(period)
        await session.flush()
        return period.id


async def create(api: Api, token: str, period: int, name: str, start: str, end: str, region: str | None = None) -> dict:
    values = {"name": name, "startDate": start, "endDate": end, "region": region}
    return (await api.data(CREATE, {"p": period, "i": values}, token=token))["createHoliday"]


async def listing(api: Api, token: str, period: int | None = None) -> list[tuple[str, str | None, str, str]]:
    data = await api.data(
        "query($p: Int) { holidays(academicPeriodId: $p) { name region startDate endDate } }",
        {"p": period},
        token=token,
    )
    return [(h["name"], h["region"], h["startDate"], h["endDate"]) for h in data["holidays"]]


async def upload(api: Api, token: str, period: int, content: bytes, filename: str = "ferien.csv") -> dict:
    """A real multipart request per the GraphQL multipart request spec."""
    operations = json.dumps({"query": IMPORT, "variables": {"p": period, "f": None}})
    response = await api.client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (filename, content, "text/csv")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["importHolidays"]


async def test_manual_writes_merge_and_refuse(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    autumn = await create(api, token, period, " Herbstferien ", "2025-10-27", "2025-10-31")
    assert autumn["__typename"] == "SchoolHoliday" and autumn["name"] == "Herbstferien"

    # Same name (other spelling) and adjacent: one merged holiday, not two.
    merged = await create(api, token, period, "herbstferien", "2025-11-01", "2025-11-02")
    assert merged["id"] == autumn["id"] and (merged["startDate"], merged["endDate"]) == ("2025-10-27", "2025-11-02")
    overlapping = await create(api, token, period, "Herbstferien", "2025-10-30", "2025-11-04")
    assert overlapping["id"] == autumn["id"] and overlapping["endDate"] == "2025-11-04"

    duplicate = await create(api, token, period, "Herbstferien", "2025-10-28", "2025-10-29")
    assert duplicate["__typename"] == "ConflictError" and "bereits erfasst" in duplicate["message"]
    other_name = await create(api, token, period, "Allerheiligen", "2025-11-01", "2025-11-01")
    assert other_name["__typename"] == "ConflictError" and "Herbstferien" in other_name["message"]
    other_region = await create(api, token, period, "Herbstferien", "2025-11-03", "2025-11-05", "Tirol")
    assert other_region["__typename"] == "ConflictError"
    outside = await create(api, token, period, "Sommerferien", "2026-07-04", "2026-09-06")
    assert outside["__typename"] == "ValidationError" and "innerhalb der Periode" in outside["message"]
    backwards = await create(api, token, period, "X", "2026-01-10", "2026-01-01")
    assert backwards["__typename"] == "ValidationError"
    nameless = await create(api, token, period, "  ", "2026-01-01", "2026-01-02")
    assert nameless["__typename"] == "ValidationError"
    missing = await create(api, token, 999, "X", "2026-01-01", "2026-01-02")
    assert missing["__typename"] == "NotFoundError"

    christmas = await create(api, token, period, "Weihnachtsferien", "2025-12-24", "2026-01-06")
    semester = await create(api, token, period, "Semesterferien", "2026-02-09", "2026-02-14")
    # Moving one holiday onto another of a different name is refused; extending next to itself merges.
    clash = (
        await api.data(
            UPDATE,
            {"id": semester["id"], "i": {"name": "Semesterferien", "startDate": "2026-01-05", "endDate": "2026-01-10"}},
            token=token,
        )
    )["updateHoliday"]
    assert clash["__typename"] == "ConflictError" and "Weihnachtsferien" in clash["message"]
    second = await create(api, token, period, "Semesterferien", "2026-02-16", "2026-02-20")
    assert second["__typename"] == "SchoolHoliday" and second["id"] != semester["id"]
    joined = (
        await api.data(
            UPDATE,
            {"id": semester["id"], "i": {"name": "Semesterferien", "startDate": "2026-02-09", "endDate": "2026-02-15"}},
            token=token,
        )
    )["updateHoliday"]
    assert (joined["startDate"], joined["endDate"]) == ("2026-02-09", "2026-02-20")

    assert await listing(api, token, period) == [
        ("Herbstferien", None, "2025-10-27", "2025-11-04"),
        ("Weihnachtsferien", None, "2025-12-24", "2026-01-06"),
        ("Semesterferien", None, "2026-02-09", "2026-02-20"),
    ]
    assert await listing(api, token) == await listing(api, token, period)  # default: the active period

    deleted = await api.data(
        "mutation($id: Int!) { deleteHoliday(id: $id) { __typename ... on HolidayDeleted { name } } }",
        {"id": christmas["id"]},
        token=token,
    )
    assert deleted["deleteHoliday"] == {"__typename": "HolidayDeleted", "name": "Weihnachtsferien"}
    assert len(await listing(api, token, period)) == 2


async def test_archived_periods_and_permissions(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    archived = await add_period(api, "Alt", archived=True, active=False)
    refused = await create(api, admin, archived, "Ferien", "2025-10-27", "2025-10-31")
    assert refused["__typename"] == "ConflictError"
    period = await add_period(api, "Neu")
    anonymous = await api.gql("{ holidays { id } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    user = await api.token_for(Role.USER)
    assert await listing(api, user, period) == []
    assert (await create(api, user, period, "X", "2025-10-27", "2025-10-31"))["__typename"] == "ForbiddenError"
    assert (await upload(api, user, period, b"X;2025-10-27;2025-10-31\n"))["__typename"] == "ForbiddenError"


async def test_import_semicolon_german_dates_with_header_and_bom(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    await create(api, token, period, "Herbstferien", "2025-10-27", "2025-10-31")
    await create(api, token, period, "Weihnachtsferien", "2025-12-24", "2026-01-06")
    content = (
        "\ufeffBezeichnung;Beginn;Ende;Bundesland\n"
        "HERBSTFERIEN;27.10.2025;31.10.2025;\n"  # same holiday, other spelling: updated
        "Herbstferien;01.11.2025;02.11.2025;\n"  # adjacent: merged
        "Semesterferien;09.02.2026;14.02.2026;Wien\n"  # new
        "Semesterferien;09.02.2026;14.02.2026;Wien\n"  # duplicate within the file: skipped
        "Skikurs;05.01.2026;09.01.2026;\n"  # overlaps the Christmas holidays: conflict
        "Sommerferien;04.07.2026;06.09.2026;\n"  # outside the period: skipped
        "\n"
    ).encode()
    summary = await upload(api, token, period, content)
    assert summary["__typename"] == "HolidayImportSummary"
    assert (summary["inserted"], summary["updated"], summary["merged"]) == (1, 1, 1)
    assert (summary["skipped"], summary["conflicts"]) == (3, 1)
    assert summary["conflictLines"] == [
        "Zeile 6: „Skikurs“ 2026-01-05 – 2026-01-09 überschneidet sich mit „Weihnachtsferien“ (2025-12-24 – 2026-01-06)"
    ]
    assert any("Zeile 7" in line and "außerhalb" in line for line in summary["skippedLines"])
    assert await listing(api, token, period) == [
        ("Herbstferien", None, "2025-10-27", "2025-11-02"),
        ("Weihnachtsferien", None, "2025-12-24", "2026-01-06"),
        ("Semesterferien", "Wien", "2026-02-09", "2026-02-14"),
    ]
    data = await api.data("query($p: Int) { holidays(academicPeriodId: $p) { sourceFileName } }", {"p": period},
                          token=token)  # fmt: skip
    assert data["holidays"][2]["sourceFileName"] == "ferien.csv"


async def test_import_comma_and_tab_without_header(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    comma = b'"Ferien, lang",2025-10-27,2025-10-31\nOstern,2026-03-28,2026-04-06\n'
    summary = await upload(api, token, period, comma, "ferien.txt")
    assert (summary["inserted"], summary["skipped"], summary["conflicts"]) == (2, 0, 0)
    tab = "Pfingsten\t23.05.2026\t25.05.2026\tWien\n".encode("cp1252")
    assert (await upload(api, token, period, tab, "ferien.txt"))["inserted"] == 1
    names = [h[0] for h in await listing(api, token, period)]
    assert names == ["Ferien, lang", "Ostern", "Pfingsten"]
    again = await upload(api, token, period, comma)
    assert (again["inserted"], again["skipped"]) == (0, 2)


async def test_bad_files_are_refused_whole(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    cases = {
        b"Herbst;2025-10-27;2025-10-31\nWinter;31.02.2026;2026-03-01\n": "Zeile 2: ungültiges Datum",
        b"Herbst;2025-10-31;2025-10-27\n": "Startdatum",
        b"": "keine Ferien",
        b"just one column\n": "Keine Spalten",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00": "keine Textdatei",
        b"Name;Start;Ende\n": "Kopfzeile",
        b"x;2025-10-27;2025-10-31\n" * 60_000: "zu groß",
    }
    for content, expected in cases.items():
        result = await upload(api, token, period, content)
        assert result["__typename"] == "ValidationError", expected
        assert expected in result["message"], (expected, result["message"])
    assert await listing(api, token, period) == []  # nothing of the first (half-valid) file was written
    missing = await upload(api, token, 999, b"Herbst;2025-10-27;2025-10-31\n")
    assert missing["__typename"] == "NotFoundError"


async def test_holiday_changes_regenerate_event_skips(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    async with api.container.db.session() as session:
        group = ClientGroup(name="Raum 1")
        session.add(group)
        await session.flush()
        event = Event(
            group_id=group.id, academic_period_id=period, title="Stundenplan", event_type=EventType.WEBSITE,
            website_url="https://example.org", start=datetime(2025, 9, 1, 6, tzinfo=UTC),
            end=datetime(2025, 9, 1, 7, tzinfo=UTC), recurrence_rule="FREQ=DAILY", skip_holidays=True,
        )  # fmt: skip
        session.add(event)
        await session.flush()
        event_id, group_id = event.id, group.id

    async def skips() -> int:
        async with api.container.db.session() as session:
            stmt = select(func.count()).where(
                EventException.event_id == event_id, EventException.kind == ExceptionKind.HOLIDAY
            )
            return int(await session.scalar(stmt) or 0)

    changes = api.container.bus.subscribe(EVENTS_CHANGED)
    try:
        holiday = await create(api, token, period, "Herbstferien", "2025-10-27", "2025-10-31")
        assert await skips() == 5  # one daily occurrence per holiday day
        event_change = changes.queue.get_nowait()
        assert event_change.data == {"group_ids": [group_id], "event_id": None, "change": "holidays"}
        await api.data(
            UPDATE,
            {"id": holiday["id"], "i": {"name": "Herbstferien", "startDate": "2025-10-27", "endDate": "2025-11-02"}},
            token=token,
        )
        assert await skips() == 7
        await api.data("mutation($id: Int!) { deleteHoliday(id: $id) { __typename } }", {"id": holiday["id"]},
                       token=token)  # fmt: skip
        assert await skips() == 0
        assert changes.queue.qsize() == 2
    finally:
        await changes.aclose()
    async with api.container.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SchoolHoliday)) == 0
