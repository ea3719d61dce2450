"""Simulated displays that do what real ones do with a Durchsage: take the retained event list of their
group, show its first event and report that event's id (`current_event_id` in heartbeats).

One paho connection speaks for the whole fleet (hundreds of paho clients would drown two cores in threads);
each display still only reacts to its own group's list. Displays in `offline` neither report nor listen."""

from __future__ import annotations

import json
import threading
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho


@dataclass
class ShowingFleet:
    port: int
    # uuid -> group id
    displays: dict[str, int]
    offline: set[str] = field(default_factory=set)
    # Every display reports every `beat_every` seconds (the fleet is spread over ten phases of it).
    beat_every: float = 1.0
    # Also report at once when a new list arrives (False: only with the next periodic heartbeat).
    report_on_change: bool = True

    def __post_init__(self) -> None:
        self.lists: dict[int, list[dict[str, Any]]] = {}
        # group id -> monotonic time its latest list arrived
        self.list_arrived: dict[int, float] = {}
        self.showing: dict[str, int | None] = {}
        self.reported_at: dict[str, float] = {}
        self._by_group: dict[int, list[str]] = {}
        for uuid, group_id in self.displays.items():
            self._by_group.setdefault(group_id, []).append(uuid)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"fleet-{uuidlib.uuid4().hex[:8]}")
        self.client.max_queued_messages_set(0)
        self.client.on_connect = lambda *_a: self._connected.set()
        self.client.on_message = self._on_message
        self._beater = threading.Thread(target=self._beat_loop, daemon=True)

    def start(self) -> ShowingFleet:
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        assert self._connected.wait(10), "fleet could not connect"
        self.client.subscribe("infoscreen/events/+", qos=1)
        self._beater.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._beater.join(10)
        self.client.loop_stop()
        self.client.disconnect()

    def __enter__(self) -> ShowingFleet:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _on_message(self, _c: paho.Client, _u: object, msg: paho.MQTTMessage) -> None:
        group_id = int(msg.topic.rsplit("/", 1)[1])
        try:
            events = json.loads(msg.payload) if msg.payload else []
        except ValueError:
            return
        with self._lock:
            self.lists[group_id] = events
            self.list_arrived[group_id] = time.monotonic()
            uuids = [u for u in self._by_group.get(group_id, []) if u not in self.offline]
            shown = events[0]["id"] if events else None
            for uuid in uuids:
                self.showing[uuid] = shown
        if self.report_on_change:
            self._report(uuids)

    def _report(self, uuids: list[str]) -> None:
        for uuid in uuids:
            with self._lock:
                current = self.showing.get(uuid)
            body = {"process_status": "running", "current_event_id": current}
            self.client.publish(f"infoscreen/{uuid}/heartbeat", json.dumps(body), qos=0)
            self.reported_at[uuid] = time.monotonic()

    def _beat_loop(self) -> None:
        phases = 10
        ordered = sorted(self.displays)
        phase = 0
        while not self._stop.wait(self.beat_every / phases):
            self._report([u for u in ordered[phase::phases] if u not in self.offline])
            phase = (phase + 1) % phases

    def head_ids(self) -> dict[int, int | None]:
        with self._lock:
            return {g: (events[0]["id"] if events else None) for g, events in self.lists.items()}
