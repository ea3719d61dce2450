"""Hostile and broken input is dropped and counted, never crashes the ingest and never touches stored data."""

from __future__ import annotations

import asyncio

from app.domain.enums import ProcessStatus
from tests.conftest import Live
from tests.mqtt.ingest_support import JPEG, b64, client_row, count_clients, eventually, logs_of


async def _drops(live: Live) -> int:
    return sum(live.container.extras["ingest"].stats.dropped.values())


async def test_garbage_is_dropped_and_ingest_keeps_working(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": "gut"})
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running", "process_pid": 10})

    async def ready():  # type: ignore[no-untyped-def]
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.process_pid == 10 else None

    before = await eventually(ready, what="known good state")
    clients_before = await count_clients(live.container)
    drops_before = await _drops(live)
    shots = live.container.settings.screenshot_dir
    huge = b'{"message": "' + b"x" * (300 * 1024) + b'"}'
    garbage: list[tuple[str, bytes | dict | list]] = [
        ("infoscreen/{uuid}/heartbeat", b"\xff\xfe not json"),
        ("infoscreen/{uuid}/heartbeat", b"[1, 2, 3]"),
        ("infoscreen/{uuid}/heartbeat", b'"just a string"'),
        ("infoscreen/{uuid}/heartbeat", b"[" * 100_000),
        ("infoscreen/{uuid}/heartbeat", {"process_pid": "zehn"}),
        ("infoscreen/{uuid}/heartbeat", {"process_pid": 2**40}),
        ("infoscreen/{uuid}/heartbeat", {"current_process": ["a"]}),
        ("infoscreen/{uuid}/health", {"actual_state": "kaputt"}),
        ("infoscreen/{uuid}/health", {"actual_state": {"pid": True}}),
        ("infoscreen/{uuid}/logs/error", huge),
        ("infoscreen/{uuid}/logs/error", {"message": {"nested": 1}}),
        ("infoscreen/{uuid}/logs/warn", {"context": {}}),
        ("infoscreen/{uuid}/service_failed", b"nope"),
        ("infoscreen/{uuid}/service_failed", {"unit": 5}),
        ("infoscreen/{uuid}/service_failed", {"unit": "a", "client_uuid": "00000000-0000-0000-0000-000000000000"}),
        ("infoscreen/discovery", {"uuid": "../../etc/passwd", "hostname": "x"}),
        ("infoscreen/discovery", {"uuid": display.uuid, "hostname": 12}),
        ("infoscreen/discovery", [display.uuid]),
        ("infoscreen/../../etc/heartbeat", {"process_status": "running"}),
        ("infoscreen/../heartbeat", {"process_status": "running"}),
        ("infoscreen/not-a-uuid/health", {"actual_state": {}}),
        ("infoscreen/{uuid}/dashboard", {"content": {"screenshot": "!!!not base64!!!"}}),
        ("infoscreen/{uuid}/dashboard", {"content": {"screenshot": b64(b"GIF89a" + b"0" * 100)}}),
        ("infoscreen/{uuid}/dashboard", {"content": {"screenshot": 42}}),
        ("infoscreen/{uuid}/screenshot", b"\x00\x01 raw but not an image"),
        ("infoscreen/{uuid}/commands/ack", b"{broken"),
        ("infoscreen/{uuid}/command/ack", b"[]"),
    ]
    for topic, payload in garbage:
        data = payload if isinstance(payload, bytes) else __import__("json").dumps(payload).encode()
        display.publish(topic, data)
    # `infoscreen/../../etc/heartbeat` matches no subscription: the broker never delivers it.
    expected = drops_before + len(garbage) - 1
    await eventually(lambda: _ge(_drops(live), expected), what="every garbage message dropped")

    # Path tricks in the screenshot type cannot escape the folder: the type falls back to `periodic`.
    display.publish("infoscreen/{uuid}/dashboard", {"content": {"screenshot": b64(JPEG)},
                                                    "metadata": {"capture": {"type": "../../../evil"}}})  # fmt: skip
    latest = shots / f"{display.uuid}.jpg"
    await eventually(lambda: _true(latest.is_file()), what="screenshot stored")
    names = sorted(p.name for p in shots.iterdir())
    assert all(n.startswith(display.uuid) for n in names), names
    assert any(n.endswith("_periodic.jpg") for n in names) and not any("evil" in n for n in names)
    assert not (shots.parent / "evil").exists()

    after = await client_row(live.container, display.uuid)
    assert after is not None
    assert (after.hostname, after.process_pid, after.process_status) == ("gut", 10, ProcessStatus.RUNNING)
    assert after.service_failed_at is None and after.current_process == before.current_process
    assert await logs_of(live.container, display.uuid) == []
    assert await count_clients(live.container) == clients_before
    stats = live.container.extras["ingest"].stats.dropped
    for reason in ("not_json", "not_object", "wrong_type", "out_of_range", "oversized", "bad_uuid",
                   "screenshot_bad_base64", "screenshot_not_an_image", "uuid_mismatch"):  # fmt: skip
        assert stats[reason] >= 1, (reason, dict(stats))

    # Still ingesting normally afterwards.
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "stopped", "process_pid": 11})

    async def recovered():  # type: ignore[no-untyped-def]
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.process_pid == 11 else None

    row = await eventually(recovered, what="ingest after garbage")
    assert row.process_status is ProcessStatus.STOPPED
    display.close()


async def test_unknown_enum_values_leave_the_column_alone(live: Live) -> None:
    display = live.display()
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "running", "process_pid": 1})
    await eventually(lambda: client_row(live.container, display.uuid), what="registered")
    display.publish("infoscreen/{uuid}/heartbeat", {"process_status": "hibernating", "process_pid": 2})

    async def second():  # type: ignore[no-untyped-def]
        row = await client_row(live.container, display.uuid)
        return row if row is not None and row.process_pid == 2 else None

    row = await eventually(second, what="second heartbeat")
    assert row.process_status is ProcessStatus.RUNNING
    display.close()


async def _ge(coro, n: int) -> bool:  # type: ignore[no-untyped-def]
    return (await coro) >= n


async def _true(value: bool) -> bool:
    await asyncio.sleep(0)
    return value
