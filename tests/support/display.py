"""A simulated display: an independent paho-mqtt client that speaks the contract from the device side."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho


@dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool
    qos: int

    def json(self) -> Any:
        return json.loads(self.payload)


@dataclass
class FakeDisplay:
    port: int
    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    protocol: int = paho.MQTTv311

    def __post_init__(self) -> None:
        self.inbox: queue.Queue[Received] = queue.Queue()
        self._connected = threading.Event()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"display-{self.uuid[:8]}-{id(self)}",
                                  protocol=self.protocol)  # fmt: skip
        self.client.on_message = self._on_message
        self.client.on_connect = lambda *a: self._connected.set()
        self.ack_statuses: tuple[str, ...] = ()

    def _on_message(self, _c: paho.Client, _u: object, msg: paho.MQTTMessage) -> None:
        received = Received(msg.topic, bytes(msg.payload), bool(msg.retain), msg.qos)
        if self.ack_statuses and msg.topic == f"infoscreen/{self.uuid}/commands":
            command_id = received.json().get("command_id")
            for status in self.ack_statuses:  # from paho's thread: publish without waiting for the broker
                ack = json.dumps({"command_id": command_id, "status": status}).encode()
                self.client.publish(f"infoscreen/{self.uuid}/commands/ack", ack, qos=1)
        self.inbox.put(received)

    def answer_commands(self, *statuses: str) -> None:
        """Acknowledge every command the instant it arrives, as a fast display does (subscribes to commands)."""
        self.ack_statuses = statuses
        self.subscribe("infoscreen/{uuid}/commands")

    def connect(self) -> FakeDisplay:
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        assert self._connected.wait(10), "display could not connect to the broker"
        return self

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def subscribe(self, topic: str, qos: int = 1) -> None:
        self.client.subscribe(topic.format(uuid=self.uuid), qos=qos)
        time.sleep(0.2)

    def publish(self, topic: str, payload: Any, *, qos: int = 1, retain: bool = False) -> None:
        data = payload if isinstance(payload, bytes | bytearray) else json.dumps(payload).encode()
        self.client.publish(topic.format(uuid=self.uuid), data, qos=qos, retain=retain).wait_for_publish(5)

    def expect(self, topic: str, timeout: float = 10.0) -> Received:
        """The next message on `topic` ({uuid} is filled in); other messages are kept for later."""
        wanted = topic.format(uuid=self.uuid)
        deadline = time.monotonic() + timeout
        skipped: list[Received] = []
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no message on {wanted} within {timeout}s (saw {[m.topic for m in skipped]})")
                try:
                    msg = self.inbox.get(timeout=remaining)
                except queue.Empty:
                    continue
                if msg.topic == wanted:
                    return msg
                skipped.append(msg)
        finally:
            for msg in skipped:
                self.inbox.put(msg)
