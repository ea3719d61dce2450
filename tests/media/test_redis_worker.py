"""The production shape: `api` enqueues on Redis, a separate worker converts, and the API's subscriber
hears the result through the Redis event bus."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx

from app.config import load_settings
from app.container import Container
from app.domain.bus import CONVERSION_UPDATED
from app.domain.enums import Role
from app.domain.models import Base
from app.http import create_http_app
from app.runtime import load_adapters
from app.tasks.broker import configure_broker
from app.tasks.runtime import bind_container, unbind_container
from app.tasks.worker import InProcessWorker
from tests.media.support import fake_gotenberg, make_pdf, make_pptx, upload, wait_for_conversion
from tests.support.api import Api
from tests.support.servers import RunningServer


async def test_conversion_through_redis_reaches_the_api_process(redis_srv: RunningServer, tmp_path: Path) -> None:
    load_adapters()
    redis_url = f"redis://127.0.0.1:{redis_srv.port}/0"
    with fake_gotenberg(make_pdf(2)) as gotenberg:
        settings = load_settings(
            DATA_DIR=str(tmp_path / "data"), SECRET_KEY="test", REDIS_URL=redis_url, GOTENBERG_URL=gotenberg.url
        )
        settings.data_dir.mkdir(parents=True)
        api_side = Container.create(settings)  # what `infoscreen api` holds
        worker_side = Container.create(settings)  # what `infoscreen worker` holds
        async with api_side.db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await api_side.start()
        await worker_side.start()
        broker = configure_broker(redis_url, namespace=f"test-{uuid.uuid4().hex[:8]}")
        from app.tasks.conversions import install_conversion_queue

        install_conversion_queue(api_side, runs_worker=False)  # Redis reaches the workers
        bind_container(worker_side)
        worker = InProcessWorker(broker)
        worker.start()
        updates = api_side.bus.subscribe(CONVERSION_UPDATED)
        try:
            app = create_http_app(api_side)
            app.state.ready = True
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                api = Api(api_side, client)
                token = await api.token_for(Role.EDITOR)
                deck = make_pptx(tmp_path / "r.pptx", slides=1, marker="redis").read_bytes()
                uploaded = await upload(api, token, "Redis.pptx", deck)
                media = await wait_for_conversion(api, token, uploaded["id"], timeout=30)
                assert media["conversion"]["status"] == "READY" and media["pageCount"] == 2

            statuses: list[str] = []
            while "ready" not in statuses:
                event = await asyncio.wait_for(updates.__anext__(), timeout=10)
                assert event.data["media_id"] == uploaded["id"]
                statuses.append(event.data["status"])
            assert "processing" in statuses  # published by the worker, heard by the API side via Redis
        finally:
            await updates.aclose()
            await asyncio.to_thread(worker.stop)
            unbind_container(worker_side)
            await worker_side.close()
            await api_side.close()
