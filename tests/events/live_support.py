"""Helpers for end-to-end scheduler tests: a paho display waiting for a retained topic to reach a state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from tests.support.display import FakeDisplay, Received

CREATE = """mutation($input: EventInput!) { createEvent(input: $input) {
    __typename ... on Event { id } ... on Error { message } } }"""


async def wait_for(
    display: FakeDisplay, topic: str, accept: Callable[[Any], bool], timeout: float = 8.0
) -> tuple[Received, float]:
    """The first message on `topic` whose JSON satisfies `accept`, and how long it took to arrive."""
    started = time.monotonic()
    deadline = started + timeout
    seen: list[Any] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no matching message on {topic} within {timeout}s; saw {seen[-3:]}")
        try:
            msg = await asyncio.to_thread(display.expect, topic, min(remaining, 2.0))
        except AssertionError:
            continue
        body = msg.json() if msg.payload else None
        seen.append(body)
        if accept(body):
            return msg, time.monotonic() - started
