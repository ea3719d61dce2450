"""Screenshots from `dashboard` (v2) and `screenshot`: files, retention, priority meta, hash, HTTP serving."""

from __future__ import annotations

import asyncio
import json

from app.domain.enums import Role
from app.domain.screenshots.storage import ScreenshotStore
from tests.conftest import Live
from tests.mqtt.ingest_support import JPEG, PNG, b64, client_row, eventually


def _dashboard(image: bytes, capture_type: str | None, *, as_object: bool = False) -> dict:
    shot = {"data": b64(image), "format": "jpeg"} if as_object else b64(image)
    metadata = {"schema_version": "2.0", "capture": {"type": capture_type}} if capture_type else {}
    return {"message": {}, "content": {"screenshot": shot}, "runtime": {}, "metadata": metadata}


async def test_dashboard_screenshots_files_meta_and_hash(live: Live) -> None:
    import hashlib

    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    store = ScreenshotStore(live.container.settings.screenshot_dir)

    display.publish("infoscreen/{uuid}/dashboard", _dashboard(JPEG, "periodic"))
    await eventually(lambda: _ready(store.latest_file(display.uuid)), what="latest screenshot")
    assert store.latest_path(display.uuid).read_bytes() == JPEG
    assert not store.priority_path(display.uuid).exists()

    display.publish("infoscreen/{uuid}/dashboard", _dashboard(PNG, "event_start", as_object=True))
    await eventually(lambda: _ready(store.priority_path(display.uuid).is_file()), what="priority screenshot")
    assert store.priority_path(display.uuid).read_bytes() == PNG
    meta = json.loads(store.meta_path(display.uuid).read_text())
    assert meta["latest_screenshot_type"] == "event_start" and meta["last_priority_type"] == "event_start"
    assert meta["last_priority_received_at"].endswith("Z") and meta["latest_received_at"].endswith("Z")

    async def hashed():  # type: ignore[no-untyped-def]
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.last_screenshot_hash == hashlib.md5(PNG).hexdigest() else None

    await eventually(hashed, what="last_screenshot_hash")

    # The screenshot topic: JSON with a type, and raw JPEG bytes.
    display.publish("infoscreen/{uuid}/screenshot", {"screenshot": b64(JPEG), "screenshot_type": "event_stop"})
    display.publish("infoscreen/{uuid}/screenshot", JPEG)
    await eventually(lambda: _ready(len(store.timestamped(display.uuid)) == 4), what="four timestamped files")
    kinds = [p.name.rsplit("_", 1)[-1] for p in store.timestamped(display.uuid)]
    assert sorted(kinds) == ["periodic.jpg", "periodic.jpg", "start.jpg", "stop.jpg"]
    assert json.loads(store.meta_path(display.uuid).read_text())["last_priority_type"] == "event_stop"
    display.close()


async def test_only_the_last_twenty_timestamped_screenshots_are_kept(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    store = ScreenshotStore(live.container.settings.screenshot_dir)
    ingest = live.container.extras["ingest"]
    before = ingest.stats.received["dashboard"]
    for _ in range(25):
        display.publish("infoscreen/{uuid}/dashboard", _dashboard(JPEG, None), qos=1)
    await eventually(lambda: _ready(ingest.stats.received["dashboard"] - before == 25), what="25 received")
    await eventually(lambda: _ready(ingest.handlers_idle()), what="screenshots written")
    assert len(store.timestamped(display.uuid)) == 20
    display.close()


async def test_screenshot_of_unknown_display_is_not_stored(live: Live) -> None:
    display = live.display()
    ingest = live.container.extras["ingest"]
    before = ingest.stats.dropped["unknown_client"]
    display.publish("infoscreen/{uuid}/dashboard", _dashboard(JPEG, "periodic"))
    await eventually(lambda: _ready(ingest.stats.dropped["unknown_client"] > before), what="drop")
    assert not (live.container.settings.screenshot_dir / f"{display.uuid}.jpg").exists()
    display.close()


async def test_screenshot_routes_need_a_login(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    http = live.api.client
    assert (await http.get(f"/screenshots/{display.uuid}.jpg")).status_code == 401
    assert (await http.get(f"/screenshots/{display.uuid}/priority")).status_code == 401
    bogus = {"Authorization": "Bearer iss_not-a-real-token"}
    assert (await http.get(f"/screenshots/{display.uuid}.jpg", headers=bogus)).status_code == 401

    token = await live.api.token_for(Role.USER)
    auth = {"Authorization": f"Bearer {token}"}
    assert (await http.get(f"/screenshots/{display.uuid}.jpg", headers=auth)).status_code == 404
    assert (await http.get("/screenshots/not-a-uuid.jpg", headers=auth)).status_code == 400

    display.publish("infoscreen/{uuid}/dashboard", _dashboard(JPEG, "periodic"))
    store = ScreenshotStore(live.container.settings.screenshot_dir)
    await eventually(lambda: _ready(store.latest_file(display.uuid)), what="stored")
    latest = await http.get(f"/screenshots/{display.uuid}.jpg", headers=auth)
    assert latest.status_code == 200 and latest.content == JPEG
    assert latest.headers["content-type"] == "image/jpeg"
    # No priority screenshot yet: the priority route falls back to the latest.
    fallback = await http.get(f"/screenshots/{display.uuid}/priority", headers={"Cookie": f"infoscreen_token={token}"})
    assert fallback.status_code == 200 and fallback.content == JPEG

    display.publish("infoscreen/{uuid}/dashboard", _dashboard(PNG, "event_start"))
    display.publish("infoscreen/{uuid}/dashboard", _dashboard(JPEG, "periodic"))
    await eventually(lambda: _ready(len(store.timestamped(display.uuid)) == 3), what="three screenshots")
    priority = await http.get(f"/screenshots/{display.uuid}/priority", headers=auth)
    assert priority.status_code == 200 and priority.content == PNG
    assert priority.headers["content-type"] == "image/png"
    display.close()


async def _ready(value: object) -> object:
    await asyncio.sleep(0)
    return value


def test_priority_screenshot_expires_after_the_ttl(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from app.domain.enums import ScreenshotType

    store = ScreenshotStore(tmp_path)
    uuid = "9b8d1856-ff34-4864-a726-12de072d0f77"
    t0 = datetime(2026, 4, 5, 8, 0, tzinfo=UTC)
    store.store(uuid, PNG, ScreenshotType.EVENT_START, now=t0)
    store.store(uuid, JPEG, ScreenshotType.PERIODIC, now=t0 + timedelta(seconds=5))
    assert store.priority_or_latest_file(uuid, ttl_seconds=120, now=t0 + timedelta(seconds=60)) == store.priority_path(
        uuid
    )
    state = store.state(uuid, ttl_seconds=120, now=t0 + timedelta(seconds=121))
    assert not state.has_active_priority and state.latest_type is ScreenshotType.PERIODIC
    assert store.priority_or_latest_file(uuid, ttl_seconds=120, now=t0 + timedelta(seconds=121)) == store.latest_path(
        uuid
    )
    names = [p.name for p in store.timestamped(uuid)]
    assert names == [f"{uuid}_20260405T080000000000_event_start.jpg", f"{uuid}_20260405T080005000000_periodic.jpg"]
