"""Logs and the monitoring overview over /graphql: filters, permissions, status rules, screenshot state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event

from app.domain.clock import utcnow
from app.domain.enums import LogLevel, ProcessStatus, Role, ScreenHealthStatus, ScreenshotType
from app.domain.monitoring.log_ingest import ClientLogEntry, insert_logs
from app.domain.screenshots.storage import ScreenshotStore
from tests.graphql.fleet import add_client, add_group, new_uuid
from tests.support.api import Api

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def add_logs(api: Api, uuid: str, *entries: tuple[LogLevel, str, timedelta], now: datetime | None = None) -> None:
    """(level, message, age before `now`) per entry, stored the way display logs are ingested."""
    now = now or utcnow()
    async with api.container.db.session() as session:
        await insert_logs(
            session,
            [
                ClientLogEntry(uuid, level, message, timestamp=now - age, context={"n": i})
                for i, (level, message, age) in enumerate(entries)
            ],
        )


async def test_client_logs_filters_and_permissions(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    uuid = await add_client(api.container, description="Tafel")
    await add_logs(
        api,
        uuid,
        (LogLevel.INFO, "boot", timedelta(hours=3)),
        (LogLevel.ERROR, "player died", timedelta(hours=2)),
        (LogLevel.WARN, "slow", timedelta(hours=1)),
        (LogLevel.ERROR, "player died again", timedelta(minutes=5)),
    )
    query = (
        "query($u: String!, $l: LogLevel, $s: DateTime, $n: Int) { clientLogs(uuid: $u, level: $l, since: $s, "
        "limit: $n) { clientUuid level message context timestamp } }"
    )
    every = (await api.data(query, {"u": uuid}, token=token))["clientLogs"]
    assert [e["message"] for e in every] == ["player died again", "slow", "player died", "boot"]
    assert every[0]["level"] == "ERROR" and every[0]["context"] == {"n": 3} and every[0]["clientUuid"] == uuid
    errors = (await api.data(query, {"u": uuid, "l": "ERROR"}, token=token))["clientLogs"]
    assert [e["message"] for e in errors] == ["player died again", "player died"]
    since = (utcnow() - timedelta(minutes=90)).isoformat()
    recent = (await api.data(query, {"u": uuid, "s": since}, token=token))["clientLogs"]
    assert [e["message"] for e in recent] == ["player died again", "slow"]
    assert len((await api.data(query, {"u": uuid, "n": 1}, token=token))["clientLogs"]) == 1

    bad_limit = await api.gql(query, {"u": uuid, "n": 0}, token=token)
    assert bad_limit["errors"][0]["extensions"]["code"] == "VALIDATION"
    unknown = await api.gql(query, {"u": new_uuid()}, token=token)
    assert unknown["errors"][0]["message"] == "Client nicht gefunden"
    bad_level = await api.gql(query, {"u": uuid, "l": "FATAL"}, token=token)
    assert bad_level["errors"]
    editor = await api.token_for(Role.EDITOR)
    for q in (query, "{ recentErrors { id } }", "{ clientLogSummary { clientUuid } }"):
        denied = await api.gql(q, {"u": uuid}, token=editor)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    recent_errors = await api.data("{ recentErrors(limit: 5) { message client { description } } }", token=token)
    assert recent_errors["recentErrors"] == [
        {"message": "player died again", "client": {"description": "Tafel"}},
        {"message": "player died", "client": {"description": "Tafel"}},
    ]


async def test_log_summary_counts_the_last_24_hours(api: Api) -> None:
    token = await api.token_for(Role.ADMIN)
    a = await add_client(api.container)
    b = await add_client(api.container)
    await add_logs(
        api,
        a,
        (LogLevel.ERROR, "x", timedelta(hours=1)),
        (LogLevel.ERROR, "x", timedelta(hours=2)),
        (LogLevel.DEBUG, "x", timedelta(hours=3)),
        (LogLevel.ERROR, "old", timedelta(hours=30)),
    )
    await add_logs(api, b, (LogLevel.WARN, "x", timedelta(minutes=1)))
    data = await api.data("{ clientLogSummary { clientUuid counts { error warn info debug total } } }", token=token)
    by_uuid = {row["clientUuid"]: row["counts"] for row in data["clientLogSummary"]}
    assert by_uuid == {
        a: {"error": 2, "warn": 0, "info": 0, "debug": 1, "total": 3},
        b: {"error": 0, "warn": 1, "info": 0, "debug": 0, "total": 1},
    }


OVERVIEW = """query($h: Int, $s: [ClientHealth!]) { monitoringOverview(hours: $h, status: $s) {
  windowHours gracePeriodSeconds
  summary { totalClients healthy warning critical offline activePriorityScreenshots errorLogs warnLogs }
  clients { uuid description groupName status isAlive processStatus screenHealthStatus latestScreenshotType
            priorityScreenshotType priorityScreenshotReceivedAt hasActivePriorityScreenshot latestScreenshotUrl
            logCounts { error warn } latestLog { message level } latestError { message }
            mqttReconnectCount mqttLastDisconnectAt lastErrorLogAt lastWarnLogAt }
} }"""


async def test_monitoring_overview_classifies_every_display(api: Api) -> None:
    token = await api.token_for(Role.SUPERADMIN)
    now = utcnow()
    ok = dict(process_status=ProcessStatus.RUNNING, screen_health_status=ScreenHealthStatus.OK)
    gid = await add_group(api.container, "Aula")
    c = api.container
    healthy = await add_client(c, description="01 healthy", group_id=gid, mqtt_reconnect_count=2, **ok)
    offline = await add_client(c, description="02 offline", last_alive=now - timedelta(hours=1), **ok)
    crashed = await add_client(c, description="03 crashed", process_status=ProcessStatus.CRASHED,
                               screen_health_status=ScreenHealthStatus.OK)  # fmt: skip
    black = await add_client(c, description="04 black", process_status=ProcessStatus.RUNNING,
                             screen_health_status=ScreenHealthStatus.BLACK)  # fmt: skip
    erroring = await add_client(c, description="05 errors", **ok)
    warned = await add_client(c, description="06 warn", **ok)
    starting = await add_client(c, description="07 starting", process_status=ProcessStatus.STARTING,
                                screen_health_status=ScreenHealthStatus.OK)  # fmt: skip
    unknown = await add_client(c, description="08 unknown", process_status=ProcessStatus.RUNNING,
                               screen_health_status=ScreenHealthStatus.UNKNOWN)  # fmt: skip
    await add_logs(
        api,
        erroring,
        (LogLevel.INFO, "fine", timedelta(hours=2)),
        (LogLevel.ERROR, "boom", timedelta(hours=1)),
        (LogLevel.INFO, "later", timedelta(minutes=1)),
        now=now,
    )
    await add_logs(api, warned, (LogLevel.WARN, "hm", timedelta(minutes=30)), now=now)
    # An old error of the healthy display is outside the 24 h window.
    await add_logs(api, healthy, (LogLevel.ERROR, "yesterday", timedelta(hours=30)), now=now)

    store = ScreenshotStore(api.container.settings.screenshot_dir)
    store.store(healthy, JPEG, ScreenshotType.EVENT_START, now=now - timedelta(seconds=30))
    store.store(healthy, JPEG, ScreenshotType.PERIODIC, now=now - timedelta(seconds=10))
    store.store(black, JPEG, ScreenshotType.EVENT_STOP, now=now - timedelta(minutes=10))  # past the 120 s TTL

    data = (await api.data(OVERVIEW, token=token))["monitoringOverview"]
    status = {row["uuid"]: row["status"] for row in data["clients"]}
    assert status == {
        healthy: "HEALTHY", offline: "OFFLINE", crashed: "CRITICAL", black: "CRITICAL", erroring: "CRITICAL",
        warned: "WARNING", starting: "WARNING", unknown: "WARNING",
    }  # fmt: skip
    assert data["summary"] == {
        "totalClients": 8, "healthy": 1, "warning": 3, "critical": 3, "offline": 1,
        "activePriorityScreenshots": 1, "errorLogs": 1, "warnLogs": 1,
    }  # fmt: skip
    assert data["windowHours"] == 24 and data["gracePeriodSeconds"] == 180
    rows = {row["uuid"]: row for row in data["clients"]}
    first = rows[healthy]
    assert first["groupName"] == "Aula" and first["mqttReconnectCount"] == 2
    assert first["latestScreenshotType"] == "PERIODIC" and first["priorityScreenshotType"] == "EVENT_START"
    assert first["hasActivePriorityScreenshot"] is True and first["priorityScreenshotReceivedAt"]
    assert first["latestScreenshotUrl"] == f"/screenshots/{healthy}.jpg"
    assert first["latestLog"] is None and first["latestError"] is None
    assert rows[black]["priorityScreenshotType"] == "EVENT_STOP" and rows[black]["hasActivePriorityScreenshot"] is False
    assert rows[erroring]["latestLog"] == {"message": "later", "level": "INFO"}
    assert rows[erroring]["latestError"] == {"message": "boom"}
    assert rows[erroring]["logCounts"] == {"error": 1, "warn": 0}
    # When each display last complained, even outside the window (yesterday's error of the healthy one).
    assert (rows[erroring]["lastErrorLogAt"], rows[erroring]["lastWarnLogAt"]) == (iso(now - timedelta(hours=1)), None)
    assert (rows[warned]["lastErrorLogAt"], rows[warned]["lastWarnLogAt"]) == (None, iso(now - timedelta(minutes=30)))
    assert rows[healthy]["lastErrorLogAt"] == iso(now - timedelta(hours=30))
    listed = await api.data("{ clients { uuid lastErrorLogAt lastWarnLogAt } }", token=token)
    assert {c["uuid"]: (c["lastErrorLogAt"], c["lastWarnLogAt"]) for c in listed["clients"]}[warned] == (
        None, iso(now - timedelta(minutes=30)),
    )  # fmt: skip
    assert rows[unknown]["latestScreenshotType"] is None

    # A 48 h window sees yesterday's error: the healthy display turns critical.
    wide = (await api.data(OVERVIEW, {"h": 48}, token=token))["monitoringOverview"]
    assert {r["uuid"]: r["status"] for r in wide["clients"]}[healthy] == "CRITICAL"
    only = (await api.data(OVERVIEW, {"s": ["WARNING", "OFFLINE"]}, token=token))["monitoringOverview"]
    assert {r["uuid"] for r in only["clients"]} == {warned, starting, unknown, offline}
    assert only["summary"]["totalClients"] == 8

    bad = await api.gql(OVERVIEW, {"h": 0}, token=token)
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION"
    admin = await api.token_for(Role.ADMIN)
    denied = await api.gql(OVERVIEW, token=admin)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_overview_costs_a_constant_number_of_statements(api: Api) -> None:
    token = await api.token_for(Role.SUPERADMIN)
    await api.data("{ version }", token=token)
    statements: list[Any] = []

    def count(*_args: object) -> None:
        statements.append(_args)

    async def measure() -> int:
        statements.clear()
        engine = api.container.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            await api.data(OVERVIEW, token=token)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(3):
        uuid = await add_client(api.container)
        await add_logs(api, uuid, (LogLevel.ERROR, "x", timedelta(minutes=1)))
    small = await measure()
    for _ in range(40):
        uuid = await add_client(api.container)
        await add_logs(api, uuid, (LogLevel.ERROR, "x", timedelta(minutes=1)), (LogLevel.WARN, "y", timedelta(0)))
    assert await measure() == small <= 6


PAGE = """query($s: [ClientHealth!], $l: Int, $o: Int!) {
  monitoringOverview(status: $s, limit: $l, offset: $o) {
    matchingClients summary { totalClients critical warning }
    clients { description status logCounts { error warn info debug total } latestError { message } }
} }"""


async def test_overview_pages_through_filtered_displays_and_always_counts_all(api: Api) -> None:
    token = await api.token_for(Role.SUPERADMIN)
    ok = dict(process_status=ProcessStatus.RUNNING, screen_health_status=ScreenHealthStatus.OK)
    for i in range(5):
        uuid = await add_client(api.container, description=f"crit {i}", **ok)
        await add_logs(
            api,
            uuid,
            (LogLevel.ERROR, f"boom {i}", timedelta(minutes=5)),
            (LogLevel.INFO, "fine", timedelta(minutes=1)),
            (LogLevel.DEBUG, "dbg", timedelta(0)),
        )
    for i in range(3):
        uuid = await add_client(api.container, description=f"warn {i}", **ok)
        await add_logs(api, uuid, (LogLevel.WARN, "hm", timedelta(minutes=2)))

    page = (await api.data(PAGE, {"s": ["CRITICAL"], "l": 2, "o": 1}, token=token))["monitoringOverview"]
    assert page["matchingClients"] == 5
    assert page["summary"] == {"totalClients": 8, "critical": 5, "warning": 3}
    assert [c["description"] for c in page["clients"]] == ["crit 1", "crit 2"]
    assert page["clients"][0]["logCounts"] == {"error": 1, "warn": 0, "info": 1, "debug": 1, "total": 3}
    assert page["clients"][1]["latestError"] == {"message": "boom 2"}

    tail = (await api.data(PAGE, {"s": ["WARNING"], "l": 10, "o": 2}, token=token))["monitoringOverview"]
    assert [c["description"] for c in tail["clients"]] == ["warn 2"] and tail["matchingClients"] == 3
    mixed = (await api.data(PAGE, {"l": 3, "o": 4}, token=token))["monitoringOverview"]
    assert [(c["description"], c["status"]) for c in mixed["clients"]] == [
        ("crit 4", "CRITICAL"), ("warn 0", "WARNING"), ("warn 1", "WARNING"),
    ]  # fmt: skip
    assert mixed["clients"][1]["logCounts"] == {"error": 0, "warn": 1, "info": 0, "debug": 0, "total": 1}
    beyond = (await api.data(PAGE, {"l": 5, "o": 50}, token=token))["monitoringOverview"]
    assert beyond["clients"] == [] and beyond["matchingClients"] == 8
    bad = await api.gql(PAGE, {"l": -1, "o": 0}, token=token)
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_a_summary_only_poll_reads_nothing_per_display(api: Api) -> None:
    token = await api.token_for(Role.SUPERADMIN)
    for i in range(4):
        uuid = await add_client(api.container, description=f"d{i}")
        await add_logs(api, uuid, (LogLevel.ERROR, "x", timedelta(minutes=1)))
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    engine = api.container.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        data = await api.data("{ monitoringOverview { summary { totalClients critical } } }", token=token)
        classified = list(statements)
        statements.clear()
        with_totals = await api.data("{ monitoringOverview { summary { critical errorLogs } } }", token=token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert data["monitoringOverview"]["summary"] == {"totalClients": 4, "critical": 4}
    assert with_totals["monitoringOverview"]["summary"] == {"critical": 4, "errorLogs": 4}
    # One GROUP BY over the displays' own columns classifies the fleet: no log is read, no page, no details.
    reads = [s for s in classified if "client_logs" in s or "clients" in s]
    assert len(reads) == 1 and "GROUP BY" in reads[0] and "client_logs" not in reads[0], reads
    # The log totals cost one more statement, only when asked for.
    reads = [s for s in statements if "client_logs" in s or "clients" in s]
    assert len(reads) == 2 and sum("FROM client_logs" in s for s in reads) == 1, reads
