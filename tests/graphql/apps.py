"""Build the whole HTTP app for settings the shared `api` fixture does not cover (production, MariaDB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from app.config import Settings
from app.container import Container
from app.domain.models import Base
from tests.support.api import Api


@asynccontextmanager
async def api_for(settings: Settings) -> AsyncIterator[Api]:
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    app = create_http_app(container)
    app.state.ready = True
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield Api(container, client)
    await container.close()
