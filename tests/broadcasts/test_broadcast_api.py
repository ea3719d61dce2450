"""Durchsage over GraphQL without a broker: who may start/end/read, typed errors, the audit trail, ends_at
expiry by the sweep, receipts from the telemetry path pushed by `broadcastUpdated`, and the preview showing
the override (same computation as the scheduler)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from app.domain.audit.models import AuditLogEntry
from app.domain.broadcasts import service
from app.domain.clients.telemetry import ClientStateChange, TelemetryBatch, TelemetryReason, apply_telemetry_batch
from app.domain.clock import iso_z, utcnow
from app.domain.enums import Role
from app.domain.monitoring.content_match import content_matches, refresh_content_plans
from app.domain.users.tokens import Principal
from app.graphql.context import GraphQLContext
from app.graphql.schema import schema
from tests.broadcasts.support import END, ONE, START, seed_school
from tests.support.api import Api

LIST = "query($a: Boolean) { broadcasts(activeOnly: $a) { id active severity shownCount } }"
PAYLOAD = "query($g: Int!, $at: DateTime!) { displayPayloadAt(groupId: $g, at: $at) { eventList powerIntent } }"
SCHEDULE = """query($g: Int!, $s: DateTime!, $e: DateTime!) { groupSchedule(groupId: $g, start: $s, end: $e) {
    start end eventIds titles powerState reason } }"""


async def test_only_admins_start_and_end_everyone_logged_in_reads(api: Api) -> None:
    school = await seed_school(api.container, 2, 2)
    editor = await api.token_for(Role.EDITOR)
    refused = (await api.data(START, {"input": {"message": "Hallo"}}, token=editor))["startBroadcast"]
    assert refused["__typename"] == "ForbiddenError" and refused["code"] == "FORBIDDEN"
    anonymous = await api.gql(START, {"input": {"message": "Hallo"}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    admin = await api.token_for(Role.ADMIN)
    started = (await api.data(START, {"input": {"message": "Hallo", "groupIds": [school.group_ids[0]]}}, token=admin))[
        "startBroadcast"
    ]
    assert started["__typename"] == "Broadcast" and started["groupIds"] == [school.group_ids[0]]
    assert started["targetCount"] == 1 and started["pendingCount"] == 1 and started["eventId"] > 2_000_000_000

    user = await api.token_for(Role.USER)
    listed = (await api.data(LIST, {"a": True}, token=user))["broadcasts"]
    assert [b["id"] for b in listed] == [started["id"]]
    ended = (await api.data(END, {"id": started["id"]}, token=editor))["endBroadcast"]
    assert ended["__typename"] == "ForbiddenError"
    ended = (await api.data(END, {"id": started["id"]}, token=admin))["endBroadcast"]
    assert ended["__typename"] == "Broadcast" and not ended["active"]
    assert (await api.data(LIST, {"a": True}, token=user))["broadcasts"] == []
    assert [b["id"] for b in (await api.data(LIST, {}, token=user))["broadcasts"]] == [started["id"]]

    async with api.container.db.read_session() as session:
        actions = (
            await session.scalars(sa.select(AuditLogEntry.action).where(AuditLogEntry.object_type == "broadcast"))
        ).all()
    assert sorted(actions) == ["broadcast.end", "broadcast.start"]


async def test_bad_input_gets_typed_errors_in_the_callers_language(api: Api) -> None:
    admin = await api.token_for(Role.ADMIN)
    cases = [
        ({"message": "   "}, "VALIDATION", "broadcast.message_required"),
        ({"message": "x" * 2001}, "VALIDATION", "broadcast.message_too_long"),
        ({"message": "x", "groupIds": []}, "VALIDATION", "broadcast.no_groups"),
        ({"message": "x", "groupIds": [999]}, "NOT_FOUND", "broadcast.group_not_found"),
        ({"message": "x", "endsAt": iso_z(utcnow() - timedelta(minutes=1))}, "VALIDATION", "broadcast.ends_at_past"),
    ]
    for given, code, reason in cases:
        got = (await api.data(START, {"input": given}, token=admin))["startBroadcast"]
        assert (got["code"], got["reason"]) == (code, reason), got
    missing = (await api.data(END, {"id": 4711}, token=admin))["endBroadcast"]
    assert missing["code"] == "NOT_FOUND" and "4711" in missing["message"]
    assert (await api.data(ONE, {"id": 4711}, token=admin))["broadcast"] is None


async def test_ends_at_expires_in_the_sweep(api: Api) -> None:
    await seed_school(api.container, 1, 1)
    user = await api.make_user(Role.SUPERADMIN, "chef")
    chef = Principal(user.id, user.username, Role.SUPERADMIN)
    command = service.StartBroadcast("Pause verlängert", "INFO", ends_at=utcnow() + timedelta(minutes=5))
    broadcast = await service.start_broadcast(api.container, chef, command)
    report = await service.sweep_broadcasts(api.container, None, utcnow())
    assert report.expired == []
    report = await service.sweep_broadcasts(api.container, None, utcnow() + timedelta(minutes=6))
    assert report.expired == [broadcast.id]
    token = await api.token_for(Role.USER)
    got = (await api.data(ONE, {"id": broadcast.id}, token=token))["broadcast"]
    assert got["active"] is False and got["endedAt"] is not None


async def test_receipts_from_telemetry_are_pushed_by_the_subscription(api: Api) -> None:
    school = await seed_school(api.container, 1, 2)
    user = await api.make_user(Role.ADMIN, "pusher")
    admin = Principal(user.id, user.username, Role.ADMIN)
    broadcast = await service.start_broadcast(api.container, admin, service.StartBroadcast("Feueralarm", "ALARM"))
    sub = await schema.subscribe(
        "subscription($id: Int) { broadcastUpdated(id: $id) { id shownCount pendingCount secondsTo100 } }",
        variable_values={"id": broadcast.id},
        context_value=GraphQLContext(api.container, principal=admin),
    )
    seen: list[int] = []

    async def collect() -> None:
        async for result in sub:  # type: ignore[union-attr]
            assert not result.errors, result.errors
            seen.append(result.data["broadcastUpdated"]["shownCount"])
            if seen[-1] == 2:
                return

    task = asyncio.create_task(collect())
    await asyncio.sleep(0.1)
    eid = 2_000_000_000 + broadcast.id
    for uuid in school.displays:
        change = ClientStateChange(uuid, TelemetryReason.HEARTBEAT, {"last_alive": utcnow(), "current_event_id": eid})
        await apply_telemetry_batch(api.container, None, TelemetryBatch([change]))
        await asyncio.sleep(0.4)
    await asyncio.wait_for(task, 10)
    await sub.aclose()  # type: ignore[union-attr]
    assert seen[-1] == 2 and 1 in seen
    # A normal event id is not a receipt.
    await apply_telemetry_batch(
        api.container, None, TelemetryBatch([ClientStateChange(next(iter(school.displays)), TelemetryReason.HEALTH,
                                                               {"current_event_id": 5})])
    )  # fmt: skip
    token = await api.token_for(Role.USER)
    got = (await api.data(ONE, {"id": broadcast.id}, token=token))["broadcast"]
    assert got["shownCount"] == 2 and got["secondsTo100"] is not None


async def test_preview_shows_the_broadcast_override(api: Api) -> None:
    school = await seed_school(api.container, 2, 0)
    busy = school.group_ids[0]
    user = await api.make_user(Role.ADMIN, "vorschau")
    admin = Principal(user.id, user.username, Role.ADMIN)
    before = utcnow()
    broadcast = await service.start_broadcast(
        api.container, admin, service.StartBroadcast("Gewitter", "WARNING", "Wetter", group_ids=(busy,))
    )
    token = await api.token_for(Role.USER)
    at = iso_z(utcnow() + timedelta(seconds=1))
    payload = (await api.data(PAYLOAD, {"g": busy, "at": at}, token=token))["displayPayloadAt"]
    assert [e["id"] for e in payload["eventList"]] == [2_000_000_000 + broadcast.id]
    assert payload["eventList"][0]["title"] == "[WARNING] Wetter"
    earlier = await api.data(PAYLOAD, {"g": busy, "at": iso_z(before - timedelta(minutes=1))}, token=token)
    assert [e["id"] for e in earlier["displayPayloadAt"]["eventList"]] == [school.event_ids[busy]]

    span = {"g": busy, "s": iso_z(before - timedelta(minutes=5)), "e": iso_z(before + timedelta(minutes=5))}
    segments = (await api.data(SCHEDULE, span, token=token))["groupSchedule"]
    assert [s["reason"] for s in segments] == ["EVENT", "BROADCAST"]
    assert segments[1]["eventIds"] == [2_000_000_000 + broadcast.id] and segments[1]["powerState"] == "on"

    await service.end_broadcast(api.container, admin, service.EndBroadcast(broadcast.id))
    segments = (await api.data(SCHEDULE, span, token=token))["groupSchedule"]
    assert [s["reason"] for s in segments] == ["EVENT", "BROADCAST", "EVENT"]
    assert segments[0]["eventIds"] == segments[2]["eventIds"] == [school.event_ids[busy]]


async def test_a_display_showing_the_broadcast_matches_its_plan(api: Api) -> None:
    """Soll/Ist: while a Durchsage runs, it is what a display should show (not a content mismatch)."""
    school = await seed_school(api.container, 2, 2)
    user = await api.make_user(Role.ADMIN, "sollist")
    admin = Principal(user.id, user.username, Role.ADMIN)
    broadcast = await service.start_broadcast(api.container, admin, service.StartBroadcast("Hitzefrei", "INFO"))
    await refresh_content_plans(api.container, utcnow())
    eid = 2_000_000_000 + broadcast.id
    showing, stale = sorted(school.displays)
    changes = [
        ClientStateChange(showing, TelemetryReason.HEARTBEAT, {"last_alive": utcnow(), "current_event_id": eid}),
        ClientStateChange(stale, TelemetryReason.HEARTBEAT, {"last_alive": utcnow(), "current_event_id": 5}),
    ]
    await apply_telemetry_batch(api.container, None, TelemetryBatch(changes))
    async with api.container.db.read_session() as session:
        matches = await content_matches(session, [showing, stale])
    assert matches[showing].expected_event_ids == [eid] and matches[showing].matches
    assert matches[stale].expected_event_ids == [eid] and not matches[stale].matches
