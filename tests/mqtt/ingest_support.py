"""Helpers for the ingest tests: polling the database, reading retained broker state, tiny images."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import paho.mqtt.client as paho
from sqlalchemy import func, select

from app.container import Container
from app.domain.clients.models import Client
from app.domain.monitoring.models import ClientLog

T = TypeVar("T")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + os.urandom(512) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(256)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def eventually(probe: Callable[[], Awaitable[T]], *, timeout: float = 10.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s (last: {value!r})")
        await asyncio.sleep(0.05)


async def client_row(container: Container, uuid: str) -> Client | None:
    async with container.db.read_session() as session:
        return await session.get(Client, uuid, populate_existing=True)


async def logs_of(container: Container, uuid: str) -> list[ClientLog]:
    async with container.db.read_session() as session:
        rows = await session.scalars(select(ClientLog).where(ClientLog.client_uuid == uuid).order_by(ClientLog.id))
        return list(rows)


async def count_clients(container: Container) -> int:
    async with container.db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(Client)) or 0)


def retained(port: int, topic: str, *, wait: float = 1.0) -> bytes | None:
    """The retained payload on `topic` as a brand-new subscriber sees it (None if nothing is retained)."""
    got: list[bytes] = []
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"probe-{time.monotonic_ns()}")
    client.on_message = lambda _c, _u, msg: got.append(bytes(msg.payload)) if msg.retain else None
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        deadline = time.monotonic() + wait
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.loop_stop()
        client.disconnect()
    return got[0] if got else None


def ingest_of(container: Container) -> Any:
    return container.extras["ingest"]
