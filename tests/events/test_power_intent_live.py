"""End to end: retained power intents with the exact Phase-1 field set, transitions and takeover continuity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.clock import iso_z, parse_iso, utcnow
from app.domain.enums import Role
from app.domain.power.intent import PAYLOAD_FIELDS
from app.mqtt.scheduler import Scheduler
from tests.conftest import Live
from tests.events.live_support import CREATE, wait_for
from tests.events.seed import add_group


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"POWER_INTENT_PUBLISH_ENABLED": "true"}


async def test_power_intent_on_heartbeat_off_and_takeover(live: Live) -> None:
    api = live.api
    editor = await api.token_for(Role.EDITOR)
    group = await add_group(live.container, "Turnsaal")
    topic = f"infoscreen/groups/{group}/power/intent"
    display = live.display()
    display.subscribe(topic)
    try:
        # No events yet: OFF with null windows.
        off_msg, _ = await wait_for(display, topic, lambda b: b["desired_state"] == "off")
        off = off_msg.json()
        assert tuple(off) == PAYLOAD_FIELDS and off_msg.qos == 1
        assert off["reason"] == "no_active_event" and off["active_event_ids"] == []
        assert off["event_window_start"] is None and off["event_window_end"] is None

        now = utcnow().replace(microsecond=0)
        fields = {
            "groupId": group,
            "title": "Sport",
            "eventType": "WEBSITE",
            "websiteUrl": "https://sport.example",
            "start": iso_z(now - timedelta(minutes=1)),
            "end": iso_z(now + timedelta(hours=1)),
        }
        made = (await api.data(CREATE, {"input": fields}, token=editor))["createEvent"]
        on_msg, _ = await wait_for(display, topic, lambda b: b["desired_state"] == "on")
        on = on_msg.json()
        assert set(on) == set(PAYLOAD_FIELDS)
        assert on["schema_version"] == "1.0" and on["group_id"] == group and on["reason"] == "active_event"
        assert on["intent_id"] != off["intent_id"]
        assert on["active_event_ids"] == [made["id"]]
        assert (on["event_window_start"], on["event_window_end"]) == (fields["start"], fields["end"])
        assert on["poll_interval_sec"] == 1
        issued, expires = parse_iso(on["issued_at"]), parse_iso(on["expires_at"])
        assert issued and expires and expires - issued == timedelta(seconds=90)
        assert on["issued_at"].endswith("Z") and on["expires_at"].endswith("Z")

        # Heartbeat: the same intent_id with a fresh issued_at.
        beat_msg, _ = await wait_for(display, topic, lambda b: b["issued_at"] != on["issued_at"])
        beat = beat_msg.json()
        assert beat["intent_id"] == on["intent_id"] and beat["desired_state"] == "on"

        # A late subscriber gets the retained intent.
        late = live.display()
        late.subscribe(topic)
        retained, _ = await wait_for(late, topic, lambda b: b["intent_id"] == on["intent_id"])
        assert retained.retain
        late.close()

        # A new scheduler (restart or takeover by another process) keeps the intent_id from the database.
        old = live.container.extras["scheduler"]
        assert isinstance(old, Scheduler)
        await old.stop()
        successor = Scheduler(live.container, live.service.connection)
        await successor.start()
        try:
            taken, _ = await wait_for(display, topic, lambda b: b["issued_at"] > beat["issued_at"])
            assert taken.json()["intent_id"] == on["intent_id"]

            # Deleting the event is a transition: OFF with a new intent_id.
            await api.data("mutation($id: Int!) { deleteEvent(id: $id) }", {"id": made["id"]}, token=editor)
            gone, took = await wait_for(display, topic, lambda b: b["desired_state"] == "off")
            assert gone.json()["intent_id"] not in (on["intent_id"], off["intent_id"])
            assert took < 3.0
        finally:
            await successor.stop()
            await old.start()  # the fixture stops the registered component at teardown
    finally:
        display.close()
