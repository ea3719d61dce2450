"""Media fixtures: a small upload limit, and a real Dramatiq worker (StubBroker + InProcessWorker)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.config import Settings, load_settings
from app.tasks.broker import configure_broker
from app.tasks.runtime import bind_container, unbind_container
from app.tasks.worker import InProcessWorker
from tests.support.api import Api

MAX_UPLOAD_MB = 2


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        DATA_DIR=str(tmp_path / "data"),
        DEFAULT_SUPERADMIN_PASSWORD="superadmin-pass",
        SECRET_KEY="test-secret",
        MAX_UPLOAD_MB=str(MAX_UPLOAD_MB),
        CONVERSION_TIMEOUT_SECONDS="120",
    )


@pytest.fixture
async def conversion_worker(api: Api) -> AsyncIterator[InProcessWorker]:
    """The production path: the GraphQL mutation enqueues through the ConversionQueue port, a Dramatiq
    worker thread runs the async actor on its own loop and publishes on the API's event bus."""
    broker = configure_broker(None)
    bind_container(api.container)
    from app.tasks.conversions import DramatiqConversionQueue

    api.container.conversion_queue = DramatiqConversionQueue(api.container.settings, min_backoff_ms=100)
    worker = InProcessWorker(broker)
    worker.start()
    yield worker
    await asyncio.to_thread(worker.stop)
    unbind_container(api.container)
