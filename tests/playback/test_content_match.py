"""Soll/Ist against a real Mosquitto: a simulated display that shows the wrong event is flagged
CONTENT_MISMATCH once the grace is over and recovers when it shows the plan; a silent display whose group is
off by plan is "aus (geplant)", not offline — over GraphQL, the monitoring overview and the SQL rule alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.enums import EventType, Role
from app.domain.events import service as events
from app.domain.monitoring.content_match import refresh_content_plans
from app.domain.monitoring.service import monitoring_overview
from app.domain.users.tokens import Principal
from tests.conftest import Live
from tests.events.seed import add_group
from tests.mqtt.ingest_support import client_row, eventually
from tests.support.display import FakeDisplay

QUERY = """query ($uuid: String!) { client(uuid: $uuid) {
  plannedOff health { status reasons } contentMatch { expectedEventIds reportedEventId matches since } } }"""


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"CONTENT_MISMATCH_GRACE_SECONDS": "2", "POWER_INTENT_PUBLISH_ENABLED": "true"}


async def _running_event(live: Live, admin: Principal, group_id: int, title: str) -> int:
    now = utcnow()
    values: events.EventValues = {
        "group_id": group_id, "title": title, "event_type": EventType.MESSAGE, "message_text": title,
        "start": now - timedelta(minutes=30), "end": now + timedelta(hours=2),
    }  # fmt: skip
    made = await events.create_event(live.container, admin, events.CreateEvent(values))
    return made.event.id


async def _admin(live: Live) -> Principal:
    user = await live.api.make_user(Role.ADMIN, "soll-admin")
    return Principal(user.id, user.username, Role.ADMIN)


def _report(display: FakeDisplay, event_id: int | None) -> None:
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running", "current_event_id": event_id})
    display.publish(
        "infoscreen/{uuid}/health",
        {"actual_state": {"status": "running"}, "health_metrics": {"screen_health_status": "OK"}},
    )


async def _state(live: Live, token: str, uuid: str) -> dict[str, Any]:
    return (await live.api.data(QUERY, {"uuid": uuid}, token=token))["client"]


async def test_wrong_event_becomes_content_mismatch_after_the_grace_and_recovers(live: Live) -> None:
    admin = await _admin(live)
    token = await live.api.token_for(Role.SUPERADMIN)
    group = await add_group(live.container, "Aula")
    planned = await _running_event(live, admin, group, "Planned")
    other_group = await add_group(live.container, "Bibliothek")
    wrong = await _running_event(live, admin, other_group, "Wrong")
    display = live.display()
    try:
        _report(display, planned)
        await eventually(lambda: client_row(live.container, display.uuid), what="display registered")
        async with live.container.db.session() as session:
            await session.execute(update(Client).where(Client.uuid == display.uuid).values(group_id=group))
        await refresh_content_plans(live.container, utcnow())

        state = await _state(live, token, display.uuid)
        assert state["contentMatch"] == {
            "expectedEventIds": [planned],
            "reportedEventId": planned,
            "matches": True,
            "since": None,
        }

        # It shows another room's event: a mismatch at once, a health finding only after the grace (2 s).
        _report(display, wrong)

        async def mismatched() -> dict[str, Any] | None:
            found = await _state(live, token, display.uuid)
            return found if not found["contentMatch"]["matches"] else None

        state = await eventually(mismatched, what="mismatch seen")
        assert state["contentMatch"]["reportedEventId"] == wrong
        assert state["contentMatch"]["expectedEventIds"] == [planned]

        async def flagged() -> dict[str, Any] | None:
            found = await _state(live, token, display.uuid)
            return found if "CONTENT_MISMATCH" in found["health"]["reasons"] else None

        state = await eventually(flagged, timeout=15, what="CONTENT_MISMATCH after the grace")
        assert state["health"] == {"status": "WARNING", "reasons": ["CONTENT_MISMATCH"]}
        overview = await _overview(live)
        assert overview[display.uuid] == ("warning", "warning")

        # Back to the plan: recovered on the next report.
        _report(display, planned)

        async def recovered() -> dict[str, Any] | None:
            # The row behind `health` and the one behind `contentMatch` are read a moment apart in one
            # request: wait until a response shows both after the report.
            found = await _state(live, token, display.uuid)
            return found if found["contentMatch"]["matches"] and found["health"]["status"] == "HEALTHY" else None

        state = await eventually(recovered, what="recovery")
        assert state["health"] == {"status": "HEALTHY", "reasons": []}
        assert (await _overview(live))[display.uuid] == ("healthy", "healthy")

        # The plan moves on (the event is deleted) while the display keeps reporting it: the refresh flags it.
        await events.delete_event(live.container, admin, events.DeleteEvent(planned))
        # (The live stack's own sweep refreshes too, every second: whichever runs last, the plan is empty.)

        async def moved_on() -> dict[str, Any] | None:
            await refresh_content_plans(live.container, utcnow())
            found = await _state(live, token, display.uuid)
            return found if found["contentMatch"]["expectedEventIds"] == [] else None

        state = await eventually(moved_on, what="plan without the deleted event")
        assert state["contentMatch"]["matches"] is False
    finally:
        display.close()


async def _overview(live: Live) -> dict[str, tuple[str, str]]:
    """uuid → (SQL status, Python status) from the monitoring overview."""
    settings = live.container.settings
    async with live.container.db.read_session() as session:
        overview = await monitoring_overview(
            session, now=utcnow(), hours=24, grace_seconds=settings.heartbeat_grace_seconds,
            screenshot_dir=settings.screenshot_dir, priority_ttl_seconds=60,
            content_grace_seconds=settings.content_mismatch_grace_seconds,
        )  # fmt: skip
    return {row.client.uuid: (row.status.value, row.health.status.value) for row in overview.clients}


async def test_silent_display_of_a_group_off_by_plan_is_planned_off(live: Live) -> None:
    admin = await _admin(live)
    token = await live.api.token_for(Role.SUPERADMIN)
    idle = await add_group(live.container, "Turnsaal")  # no event: the power intent is off
    busy = await add_group(live.container, "Aula")
    await _running_event(live, admin, busy, "Läuft")
    displays = [live.display(), live.display()]
    try:
        for display in displays:
            _report(display, None)
        for display in displays:
            await eventually(lambda d=display: client_row(live.container, d.uuid), what="display registered")
        stale = utcnow() - timedelta(hours=1)
        async with live.container.db.session() as session:
            for display, group in zip(displays, (idle, busy), strict=True):
                await session.execute(
                    update(Client).where(Client.uuid == display.uuid).values(group_id=group, last_alive=stale)
                )
        await refresh_content_plans(live.container, utcnow())
        off, down = [await _state(live, token, d.uuid) for d in displays]
        assert off["health"] == {"status": "PLANNED_OFF", "reasons": ["PLANNED_OFF"]}
        assert off["plannedOff"] is True
        assert down["health"] == {"status": "OFFLINE", "reasons": ["HEARTBEAT_STALE"]}
        overview = await _overview(live)
        assert overview[displays[0].uuid] == ("planned_off", "planned_off")
        assert overview[displays[1].uuid] == ("offline", "offline")
    finally:
        for display in displays:
            display.close()
