"""Putting every display's retained `infoscreen/{uuid}/group_id` back on the broker after a (re)connect.

A broker restarted without persistence has lost every retained message; a display that reconnects
without rediscovering would have no group. The scheduler leader calls `republish_group_ids` after each
(re)connect of its broker link (event lists and power intents come back with the forced tick, which applies
running Durchsagen from the database like every tick, so a broker that lost its retained state gets the
broadcast back, not the schedule it replaces).

Racing a concurrent assignment must never leave an old group retained:
- the same process: the outbox's `mark()` is taken before the database is read, and a topic that got a
  newer publish after that mark (discovery, an assignment on this connection) is skipped;
- another process (an `api` process assigning displays over its own connection): after the pass the
  assignments are read again and only displays whose group differs from what this pass published are
  published again (at most `_MAX_PASSES` times). Whoever committed a change publishes after its commit,
  and every pass reads after the previous one's publishes, so the last publish of each topic carries
  the committed value.
A display without a group gets an empty retained payload (clears a stale one), as on unassignment.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from sqlalchemy import select

from app.domain.clients.models import Client
from app.domain.db import Database
from app.mqtt import topics
from app.mqtt.connection import MqttConnection

log = logging.getLogger(__name__)

_MAX_PASSES = 4
# How many publishes one pass hands the outbox at once (the outbox keeps the broker's window).
_BATCH = 2000
_TIMEOUT = 30.0
_NONE = object()


@dataclass
class GroupIdReport:
    displays: int = 0
    published: int = 0
    republished: int = 0
    skipped_newer: int = 0
    failures: int = 0
    passes: int = 0
    seconds: float = 0.0


async def _assignments(db: Database) -> dict[str, int | None]:
    async with db.read_session() as session:
        rows = (await session.execute(select(Client.uuid, Client.group_id))).all()
    return {uuid: group_id for uuid, group_id in rows}


async def _publish(
    connection: MqttConnection,
    assignments: dict[str, int | None],
    mark: int,
    report: GroupIdReport,
    skipped: set[str],
) -> dict[str, int | None]:
    """Publish `assignments`; returns what the broker confirmed (skipped ones go to `skipped`)."""
    confirmed: dict[str, int | None] = {}
    items = list(assignments.items())
    for start in range(0, len(items), _BATCH):
        batch: list[tuple[str, int | None, asyncio.Future[None]]] = []
        for uuid, group_id in items[start : start + _BATCH]:
            topic = topics.GROUP_ID.format(uuid=uuid)
            if connection.outbox.submitted_after(topic, mark):
                report.skipped_newer += 1
                skipped.add(uuid)
                continue
            payload = b"" if group_id is None else str(group_id).encode()
            future = await connection.publish(topic, payload, qos=1, retain=True, wait=False, timeout=_TIMEOUT)
            batch.append((uuid, group_id, future))
        outcomes = await asyncio.gather(
            *(connection.confirm(future, _TIMEOUT) for _, _, future in batch), return_exceptions=True
        )
        for (uuid, group_id, _), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                report.failures += 1
            else:
                confirmed[uuid] = group_id
    return confirmed


async def republish_group_ids(db: Database, connection: MqttConnection) -> GroupIdReport:
    started = time.perf_counter()
    report = GroupIdReport()
    mark = connection.outbox.mark()
    current = await _assignments(db)
    report.displays = len(current)
    todo = current
    published: dict[str, int | None] = {}
    skipped: set[str] = set()  # someone published a newer value after our read: not ours to repeat
    while todo and report.passes < _MAX_PASSES:
        report.passes += 1
        confirmed = await _publish(connection, todo, mark, report, skipped)
        if report.passes == 1:
            report.published = len(confirmed)
        else:
            report.republished += len(confirmed)
        published.update(confirmed)
        mark = connection.outbox.mark()
        current = await _assignments(db)
        # Changed since it was read (another process assigned it meanwhile) or not confirmed: again.
        todo = {u: g for u, g in current.items() if u not in skipped and published.get(u, _NONE) != g}
        if report.failures and todo:
            await asyncio.sleep(1.0)
    report.seconds = time.perf_counter() - started
    log.info(
        "event=group_id_republish displays=%d published=%d republished=%d skipped_newer=%d failures=%d "
        "passes=%d seconds=%.2f",
        report.displays, report.published, report.republished, report.skipped_newer, report.failures,
        report.passes, report.seconds,
    )  # fmt: skip
    return report
