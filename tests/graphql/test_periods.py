"""Academic periods over /graphql: validation, the lifecycle and every blocker of seed-spec §7."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.domain.audit.models import AuditLogEntry
from app.domain.clients.models import ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import EventType, Role
from app.domain.events.models import Event
from app.domain.media.models import EventMedia
from tests.support.api import Api

PERIOD = "id name displayName startDate endDate periodType isActive isArchived archivedAt archivedBy"
BLOCKERS = "... on BlockedError { blockers }"
RESULT = "__typename ... on AcademicPeriod { " + PERIOD + " } ... on Error { message } " + BLOCKERS

CREATE = "mutation($i: AcademicPeriodInput!) { createAcademicPeriod(input: $i) { " + RESULT + " } }"
UPDATE = "mutation($id: Int!, $i: AcademicPeriodInput!) { updateAcademicPeriod(id: $id, input: $i) { " + RESULT + " } }"


def lifecycle(name: str) -> str:
    result = RESULT
    if name.startswith("delete"):
        result = "__typename ... on AcademicPeriodDeleted { id name } ... on Error { message } " + BLOCKERS
    return "mutation($id: Int!) { " + name + "(id: $id) { " + result + " } }"


async def create(api: Api, token: str, name: str, start: str, end: str, kind: str = "SCHULJAHR", **extra: str) -> dict:
    values = {"name": name, "startDate": start, "endDate": end, "periodType": kind, **extra}
    return (await api.data(CREATE, {"i": values}, token=token))["createAcademicPeriod"]


async def run(api: Api, token: str, mutation: str, period_id: int) -> dict:
    return (await api.data(lifecycle(mutation), {"id": period_id}, token=token))[mutation]


async def add_event(api: Api, period_id: int, *, rule: str | None, start: datetime, **fields: object) -> int:
    async with api.container.db.session() as session:
        group = await session.scalar(select(ClientGroup).limit(1))
        if group is None:
            group = ClientGroup(name="Raum 1")
            session.add(group)
            await session.flush()
        event = Event(
            group_id=group.id, academic_period_id=period_id, title="Stundenplan", event_type=EventType.WEBSITE,
            start=start, end=start + timedelta(hours=1), recurrence_rule=rule, website_url="https://example.org",
            **fields,
        )  # fmt: skip
        session.add(event)
        await session.flush()
        return event.id


async def test_create_validates_and_trims(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    sj = await create(api, token, "  Schuljahr  2030/31 ", "2030-09-01", "2031-07-01", displayName=" SJ 30/31 ")
    assert sj["__typename"] == "AcademicPeriod"
    assert (sj["name"], sj["displayName"], sj["periodType"], sj["isActive"]) == (
        "Schuljahr 2030/31", "SJ 30/31", "SCHULJAHR", False,
    )  # fmt: skip

    empty = await create(api, token, "  ", "2031-09-01", "2032-07-01")
    assert empty["__typename"] == "ValidationError" and "Name" in empty["message"]
    backwards = await create(api, token, "Rückwärts", "2033-07-01", "2032-09-01")
    assert backwards["__typename"] == "ValidationError" and "Startdatum" in backwards["message"]
    same_name = await create(api, token, "schuljahr 2030/31", "2040-09-01", "2041-07-01")
    assert same_name["__typename"] == "ConflictError"
    overlap = await create(api, token, "Schuljahr X", "2031-06-01", "2032-07-01")
    assert overlap["__typename"] == "ConflictError" and "überschneidet" in overlap["message"]
    # Overlaps are fine across period types.
    semester = await create(api, token, "Wintersemester 30", "2030-09-01", "2031-01-31", "SEMESTER")
    assert semester["__typename"] == "AcademicPeriod" and semester["periodType"] == "SEMESTER"
    bad_type = await api.gql(CREATE, {"i": {"name": "x", "startDate": "2050-01-01", "endDate": "2050-02-01",
                                            "periodType": "QUARTAL"}}, token=token)  # fmt: skip
    assert bad_type["errors"]
    bad_date = await api.gql(CREATE, {"i": {"name": "x", "startDate": "31.12.2050", "endDate": "2050-02-01"}},
                             token=token)  # fmt: skip
    assert bad_date["errors"]


async def test_listing_active_and_for_date(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    later = await create(api, token, "SJ B", "2031-09-01", "2032-07-01")
    earlier = await create(api, token, "SJ A", "2030-09-01", "2031-07-01")
    sem = await create(api, token, "Sem", "2030-09-01", "2031-01-31", "SEMESTER")
    reader = await api.token_for(Role.USER)
    listed = await api.data("{ academicPeriods { name } activeAcademicPeriod { id } }", token=reader)
    assert [p["name"] for p in listed["academicPeriods"]] == ["SJ A", "Sem", "SJ B"]
    assert listed["activeAcademicPeriod"] is None

    activated = await run(api, token, "activateAcademicPeriod", earlier["id"])
    assert activated["isActive"] is True
    switched = await run(api, token, "activateAcademicPeriod", later["id"])
    assert switched["isActive"] is True
    state = await api.data("{ academicPeriods { id isActive } activeAcademicPeriod { id } }", token=reader)
    assert [p["id"] for p in state["academicPeriods"] if p["isActive"]] == [later["id"]]  # exactly one active
    assert state["activeAcademicPeriod"]["id"] == later["id"]

    for_date = "query($d: Date!) { academicPeriodForDate(date: $d) { id } }"
    assert (await api.data(for_date, {"d": "2031-10-10"}, token=reader))["academicPeriodForDate"]["id"] == later["id"]
    # Two periods cover the date (different types): the latest-starting non-active one is still found.
    hit = (await api.data(for_date, {"d": "2030-10-10"}, token=reader))["academicPeriodForDate"]["id"]
    assert hit in (earlier["id"], sem["id"])
    assert (await api.data(for_date, {"d": "2040-01-01"}, token=reader))["academicPeriodForDate"] is None
    single = await api.data("query($id: Int!) { academicPeriod(id: $id) { name } }", {"id": sem["id"]}, token=reader)
    assert single["academicPeriod"]["name"] == "Sem"


async def test_archive_restore_delete_lifecycle(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await create(api, token, "SJ 20/21", "2020-09-01", "2021-07-01")
    pid = period["id"]
    await run(api, token, "activateAcademicPeriod", pid)

    blocked = await run(api, token, "archiveAcademicPeriod", pid)
    assert blocked["__typename"] == "BlockedError" and blocked["blockers"] == ["Die Periode ist aktiv."]
    not_archived = await run(api, token, "deleteAcademicPeriod", pid)
    assert not_archived["__typename"] == "BlockedError"
    assert "Nur archivierte Perioden können gelöscht werden." in not_archived["blockers"]

    other = await create(api, token, "SJ 21/22", "2021-09-01", "2022-07-01")
    await run(api, token, "activateAcademicPeriod", other["id"])
    archived = await run(api, token, "archiveAcademicPeriod", pid)
    assert archived["isArchived"] is True and archived["archivedAt"] and archived["archivedBy"]

    # Archived: hidden from the normal list, cannot be edited or activated.
    names = await api.data("{ academicPeriods { name } }", token=token)
    assert [p["name"] for p in names["academicPeriods"]] == ["SJ 21/22"]
    everything = await api.data("{ academicPeriods(includeArchived: true) { name } }", token=token)
    assert len(everything["academicPeriods"]) == 2
    only = await api.data("{ academicPeriods(archivedOnly: true) { name } }", token=token)
    assert [p["name"] for p in only["academicPeriods"]] == ["SJ 20/21"]
    values = {"name": "Neu", "startDate": "2020-09-01", "endDate": "2021-07-01", "periodType": "SCHULJAHR"}
    edit = (await api.data(UPDATE, {"id": pid, "i": values}, token=token))["updateAcademicPeriod"]
    assert edit["__typename"] == "ConflictError" and "Archivierte" in edit["message"]
    activate = await run(api, token, "activateAcademicPeriod", pid)
    assert activate["__typename"] == "ConflictError"

    # The archived name is free again; restoring the old one then clashes.
    twin = await create(api, token, "SJ 20/21", "2020-09-01", "2021-07-01")
    assert twin["__typename"] == "AcademicPeriod"
    clash = await run(api, token, "restoreAcademicPeriod", pid)
    assert clash["__typename"] == "ConflictError"
    assert (await run(api, token, "archiveAcademicPeriod", twin["id"]))["isArchived"] is True
    twin_deleted = await run(api, token, "deleteAcademicPeriod", twin["id"])
    assert twin_deleted["__typename"] == "AcademicPeriodDeleted"

    restored = await run(api, token, "restoreAcademicPeriod", pid)
    assert restored["isArchived"] is False and restored["isActive"] is False and restored["archivedAt"] is None
    assert (await run(api, token, "restoreAcademicPeriod", pid))["__typename"] == "ConflictError"

    # A linked event blocks deletion even after archiving.
    await add_event(api, pid, rule=None, start=datetime(2021, 3, 1, 8, tzinfo=UTC))
    await run(api, token, "archiveAcademicPeriod", pid)
    linked = await run(api, token, "deleteAcademicPeriod", pid)
    assert linked["__typename"] == "BlockedError" and linked["blockers"] == ["1 verknüpfte(r) Termin(e)."]
    missing = await run(api, token, "deleteAcademicPeriod", 9999)
    assert missing["__typename"] == "NotFoundError"

    async with api.container.db.session() as session:
        actions = list((await session.scalars(select(AuditLogEntry.action))).all())
    assert {"period.create", "period.activate", "period.archive", "period.restore", "period.delete"} <= set(actions)


async def test_recurrence_spillover_blocks_archive(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    today = utcnow().date()
    period = await create(api, token, "Laufend", (today - timedelta(days=300)).isoformat(), today.isoformat())
    pid = period["id"]
    series_start = utcnow() - timedelta(days=60)
    # A weekly series without end keeps showing after the period: archiving would hide it.
    running = await add_event(api, pid, rule="FREQ=WEEKLY", start=series_start)
    # A series that ended last month is no obstacle.
    until = (utcnow() - timedelta(days=30)).strftime("%Y%m%dT%H%M%SZ")
    await add_event(api, pid, rule=f"FREQ=DAILY;UNTIL={until}", start=series_start)
    usage_query = (
        "query($id: Int!) { academicPeriodUsage(id: $id) { linkedEvents linkedMedia activeRecurrences "
        "hasActiveRecurrence canArchive canDelete archiveBlockers deleteBlockers blockers } }"
    )
    usage = (await api.data(usage_query, {"id": pid}, token=token))["academicPeriodUsage"]
    assert usage["linkedEvents"] == 2 and usage["activeRecurrences"] == 1 and usage["hasActiveRecurrence"]
    assert usage["canArchive"] is False and usage["canDelete"] is False
    assert "Wiederholungsüberhang" in usage["archiveBlockers"][0]
    blocked = await run(api, token, "archiveAcademicPeriod", pid)
    assert blocked["__typename"] == "BlockedError" and "Wiederholungsüberhang" in blocked["blockers"][0]

    # Once the series is ended (UNTIL yesterday) the period can be archived.
    async with api.container.db.session() as session:
        event = await session.get(Event, running)
        assert event is not None
        event.recurrence_rule = f"FREQ=WEEKLY;UNTIL={(utcnow() - timedelta(days=1)).strftime('%Y%m%dT%H%M%SZ')}"
        session.add(EventMedia(academic_period_id=pid, media_type="pdf", file_name="a.pdf", access_token="tok-1"))
    usage = (await api.data(usage_query, {"id": pid}, token=token))["academicPeriodUsage"]
    assert usage["activeRecurrences"] == 0 and usage["canArchive"] is True and usage["linkedMedia"] == 1
    assert (await run(api, token, "archiveAcademicPeriod", pid))["isArchived"] is True


async def test_update_rules(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    a = await create(api, token, "A", "2030-09-01", "2031-07-01")
    await create(api, token, "B", "2031-09-01", "2032-07-01")
    values = {"name": "A neu", "startDate": "2030-08-01", "endDate": "2031-07-15", "periodType": "SCHULJAHR"}
    ok = (await api.data(UPDATE, {"id": a["id"], "i": values}, token=token))["updateAcademicPeriod"]
    assert ok["name"] == "A neu" and ok["startDate"] == "2030-08-01"  # its own range is no overlap
    values["endDate"] = "2031-10-01"
    overlap = (await api.data(UPDATE, {"id": a["id"], "i": values}, token=token))["updateAcademicPeriod"]
    assert overlap["__typename"] == "ConflictError"
    values.update(endDate="2031-07-15", name="B")
    same = (await api.data(UPDATE, {"id": a["id"], "i": values}, token=token))["updateAcademicPeriod"]
    assert same["__typename"] == "ConflictError"
    missing = (await api.data(UPDATE, {"id": 999, "i": values}, token=token))["updateAcademicPeriod"]
    assert missing["__typename"] == "NotFoundError"

    holiday = await api.data(
        'mutation($p: Int!) { createHoliday(academicPeriodId: $p, input: { name: "Herbstferien", '
        'startDate: "2030-10-27", endDate: "2030-11-02" }) { __typename } }',
        {"p": a["id"]},
        token=token,
    )
    assert holiday["createHoliday"]["__typename"] == "SchoolHoliday"
    values.update(name="A neu", startDate=date(2030, 11, 1).isoformat())
    shrink = (await api.data(UPDATE, {"id": a["id"], "i": values}, token=token))["updateAcademicPeriod"]
    assert shrink["__typename"] == "BlockedError" and "Herbstferien" in shrink["blockers"][0]


async def test_permissions(api: Api) -> None:
    anonymous = await api.gql("{ academicPeriods { id } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    admin = await api.token_for(Role.ADMIN)
    period = await create(api, admin, "SJ", "2030-09-01", "2031-07-01")
    for role in (Role.USER, Role.EDITOR):
        token = await api.token_for(role)
        assert (await api.data("{ academicPeriods { id } }", token=token))["academicPeriods"]
        denied = await create(api, token, "X", "2035-09-01", "2036-07-01")
        assert denied["__typename"] == "ForbiddenError"
        for mutation in ("activateAcademicPeriod", "archiveAcademicPeriod", "deleteAcademicPeriod"):
            assert (await run(api, token, mutation, period["id"]))["__typename"] == "ForbiddenError"
