"""A simulated fleet for browser tests: many displays speaking the MQTT contract through one broker connection,
and a heartbeat loop that keeps them reporting while the test clicks."""

from __future__ import annotations

import json
import threading
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.support.display import FakeDisplay


@dataclass
class Fleet:
    """`count` displays announced on the discovery topic (hostname `<prefix>-NNN`, IP 10.<n>.<n>.<n>)."""

    link: FakeDisplay
    prefix: str
    uuids: list[str] = field(default_factory=list)

    def announce(self, count: int) -> Fleet:
        for n in range(count):
            uuid = str(uuidlib.uuid4())
            self.uuids.append(uuid)
            payload = {"uuid": uuid, "hostname": self.hostname(n), "ip": f"10.{n // 250}.{n % 250}.7"}
            self.link.client.publish("infoscreen/discovery", json.dumps(payload), qos=1).wait_for_publish(5)
        self.beat()
        return self

    def hostname(self, n: int) -> str:
        return f"{self.prefix}-{n:03d}"

    def beat(self, uuids: list[str] | None = None) -> None:
        body = json.dumps({"process_status": "running"})
        for uuid in uuids if uuids is not None else self.uuids:
            self.link.client.publish(f"infoscreen/{uuid}/heartbeat", body, qos=0)


@contextmanager
def reporting(fleet: Fleet, every: float = 2.0, uuids: list[str] | None = None) -> Iterator[list[int]]:
    """Heartbeats from every display each `every` seconds until the block ends; yields [rounds sent]."""
    stop = threading.Event()
    rounds = [0]

    def loop() -> None:
        while not stop.wait(every):
            fleet.beat(uuids)
            rounds[0] += 1

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield rounds
    finally:
        stop.set()
        thread.join(10)
