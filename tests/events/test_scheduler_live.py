"""End to end: events edited over GraphQL reach a display as retained `infoscreen/events/{group_id}`."""

from __future__ import annotations

from datetime import timedelta

from app.domain.clock import iso_z, utcnow
from app.domain.enums import MediaType, Role
from app.mqtt.scheduler import Scheduler
from tests.conftest import Live
from tests.events.live_support import CREATE, wait_for
from tests.events.seed import add_group, add_media

UPDATE = """mutation($id: Int!, $input: EventInput!) { updateEvent(id: $id, input: $input) {
    __typename ... on Event { id title } } }"""
DELETE = "mutation($id: Int!) { deleteEvent(id: $id) }"
# POLL_INTERVAL_SECONDS=1 in the live stack; allow generous scheduling slack on a busy CI box.
ONE_POLL = 3.0


async def test_event_list_follows_create_edit_and_delete(live: Live) -> None:
    api = live.api
    editor = await api.token_for(Role.EDITOR)
    group = await add_group(live.container, "Aula")
    topic = f"infoscreen/events/{group}"
    display = live.display()
    display.subscribe(topic)
    try:
        now = utcnow().replace(microsecond=0)
        fields = {
            "groupId": group,
            "title": "Willkommen",
            "eventType": "MESSAGE",
            "messageText": "Guten Morgen",
            "start": iso_z(now - timedelta(minutes=5)),
            "end": iso_z(now + timedelta(hours=1)),
        }
        made = (await api.data(CREATE, {"input": fields}, token=editor))["createEvent"]
        assert made["__typename"] == "Event", made
        msg, _ = await wait_for(display, topic, lambda body: bool(body))
        assert msg.retain or msg.qos == 1
        (event,) = msg.json()
        assert event == {
            "id": made["id"],
            "title": "Willkommen",
            "start": fields["start"],
            "end": fields["end"],
            "group_id": group,
            "event_type": "message",
            "recurrence_rule": None,
            "recurrence_end": None,
            "detached_from_event_id": None,
            "message": {"text": "Guten Morgen"},
        }

        # A display that connects later reads the same list: it is retained.
        late = live.display()
        late.subscribe(topic)
        retained, _ = await wait_for(late, topic, lambda body: bool(body))
        assert retained.retain and retained.json() == msg.json()
        late.close()

        edited = await api.data(UPDATE, {"id": made["id"], "input": {**fields, "title": "Neu"}}, token=editor)
        assert edited["updateEvent"]["title"] == "Neu"
        _, took = await wait_for(display, topic, lambda body: bool(body) and body[0]["title"] == "Neu")
        assert took < ONE_POLL

        assert (await api.data(DELETE, {"id": made["id"]}, token=editor))["deleteEvent"] is True
        _, took = await wait_for(display, topic, lambda body: body == [])
        assert took < ONE_POLL
    finally:
        display.close()


async def test_presentation_payload_and_restart_republishes(live: Live) -> None:
    api = live.api
    editor = await api.token_for(Role.EDITOR)
    group = await add_group(live.container, "Foyer")
    deck = await add_media(live.container, MediaType.PDF, "hausordnung.pdf", size=4321)
    topic = f"infoscreen/events/{group}"
    now = utcnow().replace(microsecond=0)
    fields = {
        "groupId": group,
        "title": "Hausordnung",
        "eventType": "PRESENTATION",
        "mediaId": deck,
        "recurrenceRule": "FREQ=DAILY",
        "start": iso_z(now - timedelta(days=3, minutes=10)),
        "end": iso_z(now - timedelta(days=3) + timedelta(hours=1)),
    }
    made = (await api.data(CREATE, {"input": fields}, token=editor))["createEvent"]
    assert made["__typename"] == "Event", made
    display = live.display()
    display.subscribe(topic)
    try:
        msg, _ = await wait_for(display, topic, lambda body: bool(body))
        (event,) = msg.json()
        # Today's occurrence of the daily series, with the settings' presentation defaults.
        assert event["start"] == iso_z(now - timedelta(minutes=10))
        assert event["recurrence_rule"] == "FREQ=DAILY"
        presentation = event["presentation"]
        assert presentation["type"] == "slideshow"
        assert (presentation["slide_interval"], presentation["page_progress"], presentation["auto_progress"]) == (
            10,
            True,
            True,
        )
        (file,) = presentation["files"]
        assert file["name"] == "hausordnung.pdf" and file["size"] == 4321
        assert file["url"].startswith(f"/api/eventmedia/stream/{deck}/")

        # Restarting the scheduler component republishes the current state at once.
        scheduler = live.container.extras["scheduler"]
        assert isinstance(scheduler, Scheduler)
        await scheduler.stop()
        await scheduler.start()
        again, took = await wait_for(display, topic, lambda body: bool(body))
        assert again.json() == msg.json() and took < ONE_POLL
    finally:
        display.close()
