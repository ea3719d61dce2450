"""A fleet at the MQTT contract's real rates, in a child process, steerable while it runs.

Each display sends health every 5 s (QoS 0), a heartbeat every 65 s (QoS 1) and an info log line every 30 s;
every 20th display also a WARN line every 120 s. The contract takes the display's uuid from the topic
(`infoscreen/{uuid}/...`), so a few broker connections carry many displays (`per_connection`) and the
simulator stays bounded. While it runs the parent can crash a display's player (its health then reports
`status: crashed`) or silence a display (one last heartbeat, then nothing); each answer is the wall-clock
time (`time.time()`) of the publish that made the change, so a page's reaction can be timed from it.
"""

from __future__ import annotations

import heapq
import json
import multiprocessing as mp
import queue
import random
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho

PERIODS = {"health": 5.0, "heartbeat": 65.0, "info": 30.0, "warn": 120.0}
WARN_EVERY_NTH = 20


def _health(status: str) -> bytes:
    body = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "expected_state": {"event_id": 42},
        "actual_state": {"process": "display_manager", "pid": 1234, "status": status},
        "health_metrics": {"screen_health_status": "OK", "last_frame_update": time.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "broker_connection": {"broker_reachable": True, "reconnect_count": 0},
    }
    return json.dumps(body).encode()


_HEARTBEAT = json.dumps(
    {"current_process": "display_manager", "process_pid": 1234, "process_status": "running", "current_event_id": 42}
).encode()


def _log(level: str, seq: int) -> bytes:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps({"timestamp": stamp, "message": f"{level} line {seq}: slide advanced", "context": {}}).encode()


def _connect(port: int, name: str) -> paho.Client:
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"{name}-{uuidlib.uuid4().hex[:6]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port, keepalive=60)
    client.loop_start()
    return client


def _run(port: int, displays: list[tuple[str, str]], per_connection: int, periods: dict[str, float], commands: Any,
         answers: Any) -> None:  # fmt: skip
    """The child: announce every display, then publish the schedule and obey commands until told to stop."""
    links = [_connect(port, "fleet") for _ in range(0, len(displays), per_connection)]
    link_of = {uuid: links[i // per_connection] for i, (uuid, _) in enumerate(displays)}
    for n, (uuid, hostname) in enumerate(displays):
        body = {"uuid": uuid, "hostname": hostname, "ip": f"10.{n // 250}.{n % 250}.7"}
        link_of[uuid].publish("infoscreen/discovery", json.dumps(body), qos=1)
    rng = random.Random(17)
    heap: list[tuple[float, str, str]] = []
    start = time.monotonic()
    for n, (uuid, _) in enumerate(displays):
        heap.append((start + rng.uniform(0, 2.0), uuid, "heartbeat"))  # alive at once, then every 65 s
        heap.append((start + rng.uniform(0, periods["health"]), uuid, "health"))
        heap.append((start + rng.uniform(0, periods["info"]), uuid, "info"))
        if n % WARN_EVERY_NTH == WARN_EVERY_NTH - 1:
            heap.append((start + rng.uniform(0, periods["warn"]), uuid, "warn"))
    heapq.heapify(heap)
    crashed: set[str] = set()
    silent: set[str] = set()
    answers.put(("ready", time.time()))
    seq = 0
    while True:
        try:
            kind, uuid = commands.get_nowait()
        except queue.Empty:
            kind = ""
        if kind == "stop":
            break
        if kind == "crash":
            crashed.add(uuid)
            link_of[uuid].publish(f"infoscreen/{uuid}/health", _health("crashed"), qos=0).wait_for_publish(5)
            answers.put((uuid, time.time()))
        elif kind == "silence":
            link_of[uuid].publish(f"infoscreen/{uuid}/heartbeat", _HEARTBEAT, qos=1).wait_for_publish(5)
            answers.put((uuid, time.time()))
            silent.add(uuid)
        due, uuid, topic = heap[0]
        now = time.monotonic()
        if due > now:
            time.sleep(min(due - now, 0.05))
            continue
        heapq.heapreplace(heap, (due + periods[topic], uuid, topic))
        if uuid in silent:
            continue
        seq += 1
        link = link_of[uuid]
        if topic == "health":
            link.publish(f"infoscreen/{uuid}/health", _health("crashed" if uuid in crashed else "running"), qos=0)
        elif topic == "heartbeat":
            link.publish(f"infoscreen/{uuid}/heartbeat", _HEARTBEAT, qos=1)
        else:
            link.publish(f"infoscreen/{uuid}/logs/{topic}", _log(topic, seq), qos=1 if topic == "warn" else 0)
    for link in links:
        link.loop_stop()
        link.disconnect()


@dataclass
class RateFleet:
    """`displays`: (uuid, hostname) pairs. Use as a context manager; `crash`/`silence` return publish times.
    `periods` overrides the contract's periods (e.g. faster heartbeats for a short test)."""

    port: int
    displays: list[tuple[str, str]]
    per_connection: int = 50
    periods: dict[str, float] = field(default_factory=lambda: dict(PERIODS))
    _proc: Any = field(default=None, init=False)

    def __enter__(self) -> RateFleet:
        ctx = mp.get_context("spawn")
        self._commands, self._answers = ctx.Queue(), ctx.Queue()
        periods = {**PERIODS, **self.periods}
        args = (self.port, self.displays, self.per_connection, periods, self._commands, self._answers)
        self._proc = ctx.Process(target=_run, args=args, daemon=True)
        self._proc.start()
        kind, _ = self._answers.get(timeout=60)
        assert kind == "ready"
        return self

    def __exit__(self, *exc: object) -> None:
        self._commands.put(("stop", ""))
        self._proc.join(15)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(5)

    def _ask(self, kind: str, uuid: str) -> float:
        self._commands.put((kind, uuid))
        answered, at = self._answers.get(timeout=30)
        assert answered == uuid
        return float(at)

    def crash(self, uuid: str) -> float:
        """From now on the display reports a crashed player; the time of the first such health message."""
        return self._ask("crash", uuid)

    def silence(self, uuid: str) -> float:
        """One last heartbeat, then the display says nothing more; the time of that heartbeat."""
        return self._ask("silence", uuid)


def make_displays(count: int, prefix: str = "pi", targets: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """`count` displays named `<prefix>-NNN`, plus one per target name (`aa-<name>`: they sort first)."""
    named = [(str(uuidlib.uuid4()), f"aa-{name}") for name in targets]
    return named + [(str(uuidlib.uuid4()), f"{prefix}-{n:03d}") for n in range(count - len(named))]
