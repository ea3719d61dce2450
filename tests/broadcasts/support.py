"""Shared pieces of the Durchsage tests: a school in the database, GraphQL documents, retained reads."""

from __future__ import annotations

import asyncio
import json
import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.container import Container
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import EventType
from app.domain.events.models import Event
from tests.resilience.publish_support import retained_snapshot

EVENTS = "infoscreen/events/+"
INTENTS = "infoscreen/groups/+/power/intent"
BROADCAST_FIELDS = """id title message severity groupIds startedAt endsAt endedAt startedBy active eventId
    targetCount shownCount offlineCount pendingCount secondsTo50 secondsTo90 secondsTo100"""
START = (
    "mutation($input: BroadcastInput!) { startBroadcast(input: $input) { __typename "
    f"... on Broadcast {{ {BROADCAST_FIELDS} }} ... on Error {{ message code reason }} }} }}"
)
END = (
    "mutation($id: Int!) { endBroadcast(id: $id) { __typename "
    f"... on Broadcast {{ {BROADCAST_FIELDS} }} ... on Error {{ message code reason }} }} }}"
)
ONE = (
    "query($id: Int!) { broadcast(id: $id) { "
    f"{BROADCAST_FIELDS} receipts {{ clientUuid groupId status shownAt clientName groupName }} }} }}"
)


@dataclass
class School:
    group_ids: list[int]
    # Groups with a lesson running now (the others have nothing scheduled now: power off).
    busy: set[int]
    displays: dict[str, int]
    # group id -> id of its running event
    event_ids: dict[int, int]


async def seed_school(container: Container, groups: int, displays: int, *, alive: bool = True) -> School:
    """`groups` rooms; every even one has a lesson now; `displays` displays spread over them, heartbeat now."""
    now = utcnow()
    async with container.db.session() as session:
        rows = [ClientGroup(name=f"Raum {i:03d}") for i in range(groups)]
        session.add_all(rows)
        await session.flush()
        group_ids = [g.id for g in rows]
        events = [
            Event(group_id=gid, title=f"Unterricht {gid}", event_type=EventType.MESSAGE, message_text="Stunde",
                  start=now - timedelta(minutes=10), end=now + timedelta(hours=2))
            for i, gid in enumerate(group_ids) if i % 2 == 0
        ]  # fmt: skip
        session.add_all(events)
        await session.flush()
        event_ids = {e.group_id: e.id for e in events}
        assignments = {str(uuidlib.uuid4()): group_ids[i % len(group_ids)] for i in range(displays)}
        session.add_all(
            Client(uuid=u, group_id=g, is_active=True, hostname=f"pi-{n:03d}", last_alive=now if alive else None)
            for n, (u, g) in enumerate(assignments.items())
        )
    return School(group_ids, set(event_ids), assignments, event_ids)


def heads(snapshot: dict[str, bytes]) -> dict[int, list[dict[str, Any]]]:
    """group id -> the retained event list."""
    out: dict[int, list[dict[str, Any]]] = {}
    for topic, payload in snapshot.items():
        parts = topic.split("/")
        if len(parts) == 3 and parts[1] == "events":
            out[int(parts[2])] = json.loads(payload)
    return out


def intents(snapshot: dict[str, bytes]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for topic, payload in snapshot.items():
        parts = topic.split("/")
        if len(parts) == 5 and parts[1] == "groups" and parts[3] == "power":
            out[int(parts[2])] = json.loads(payload)
    return out


async def wait_retained(
    port: int, done: Callable[[dict[int, list[dict[str, Any]]], dict[int, dict[str, Any]]], bool], timeout: float = 30
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, dict[str, Any]]]:
    """Fresh retained snapshots (a display connecting now) until `done(lists, intents)`; the last one otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        snapshot = await asyncio.to_thread(retained_snapshot, port, (EVENTS, INTENTS), settle=0.3)
        lists, power = heads(snapshot), intents(snapshot)
        if done(lists, power) or time.monotonic() > deadline:
            return lists, power
        await asyncio.sleep(0.2)


async def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Await `check()` (a coroutine function) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s (last: {value!r})")
        await asyncio.sleep(0.2)
