"""An MQTT 5 display with its own login that reports SUBACK/PUBACK reason codes, for ACL tests."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

GRANTED_QOS1 = 1
NOT_AUTHORIZED = 0x87


@dataclass
class Message:
    topic: str
    payload: bytes
    retain: bool

    def json(self) -> Any:
        return json.loads(self.payload)


class SecureDisplay:
    def __init__(self, port: int, client_id: str, username: str, password: str) -> None:
        self.port = port
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.connack: ReasonCode | None = None
        self._connack = threading.Event()
        self._disconnected = threading.Event()
        self._suback: dict[int, list[ReasonCode]] = {}
        self._puback: dict[int, ReasonCode] = {}
        self._events = threading.Condition()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
        self.client.username_pw_set(username, password)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_a: self._disconnected.set()
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish
        self.client.on_message = lambda _c, _u, m: self.inbox.put(Message(m.topic, bytes(m.payload), bool(m.retain)))
        # Reconnecting on its own would hide a revoked login.
        self.client.reconnect_delay_set(60, 60)

    def _on_connect(self, _c: object, _u: object, _f: object, reason: ReasonCode, _p: object) -> None:
        self.connack = reason
        self._connack.set()

    def _on_subscribe(self, _c: object, _u: object, mid: int, codes: list[ReasonCode], _p: object) -> None:
        with self._events:
            self._suback[mid] = codes
            self._events.notify_all()

    def _on_publish(self, _c: object, _u: object, mid: int, reason: ReasonCode, _p: object) -> None:
        with self._events:
            self._puback[mid] = reason
            self._events.notify_all()

    def connect(self) -> SecureDisplay:
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        assert self._connack.wait(10), "no CONNACK"
        return self

    @property
    def accepted(self) -> bool:
        return self.connack is not None and not self.connack.is_failure

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def wait_disconnected(self, timeout: float = 10) -> bool:
        return self._disconnected.wait(timeout)

    def subscribe(self, topic: str, qos: int = 1) -> int:
        """The SUBACK reason code value (1 = granted QoS 1, 0x87 = not authorized)."""
        _rc, mid = self.client.subscribe(topic, qos=qos)
        with self._events:
            assert self._events.wait_for(lambda: mid in self._suback, 10), f"no SUBACK for {topic}"
            return int(self._suback[mid][0].value)

    def subscribe_eventually(self, topic: str, timeout: float = 10) -> int:
        """Subscribe until granted (rights are added right after the server committed a discovery)."""
        deadline = time.monotonic() + timeout
        while True:
            code = self.subscribe(topic)
            if code == GRANTED_QOS1 or time.monotonic() > deadline:
                return code
            time.sleep(0.2)

    def publish(self, topic: str, payload: Any, *, qos: int = 1, retain: bool = False) -> int:
        """The PUBACK reason code value (0 = success, 0x87 = not authorized)."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.client.publish(topic, data, qos=qos, retain=retain)
        with self._events:
            assert self._events.wait_for(lambda: info.mid in self._puback, 10), f"no PUBACK for {topic}"
            return int(self._puback[info.mid].value)

    def expect(self, topic: str, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no message on {topic} within {timeout}s")
            try:
                message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if message.topic == topic:
                return message

    def nothing_on(self, topic: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                return True
            if message.topic == topic:
                return False
        return True
