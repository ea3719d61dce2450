"""The ASGI application: /health for every process; GraphQL and the dashboard for `api`/`run`."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app import __version__
from app.config import Settings
from app.container import Container

# Other adapters register their routes here (GraphQL, files, dashboard) without this module knowing them.
RouteInstaller = Callable[[FastAPI, Container], None]
_installers: list[RouteInstaller] = []


def register_routes(installer: RouteInstaller) -> RouteInstaller:
    _installers.append(installer)
    return installer


_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-fA-F:]+\](?::\d+)?")


def _internal_hosts(settings: Settings) -> set[str]:
    hosts = {settings.mqtt_host}
    for url in (settings.database_url, settings.redis_url, settings.gotenberg_url):
        if url:
            with contextlib.suppress(ValueError):
                host = urlsplit(url).hostname
                if host:
                    hosts.add(host)
    return {h for h in hosts if h}


def without_hosts(components: dict[str, dict[str, Any]], settings: Settings) -> dict[str, dict[str, Any]]:
    """Health details with the configured service hosts and any IP address replaced by `*`."""
    hosts = sorted(_internal_hosts(settings), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(h) + r"(?::\d+)?" for h in hosts)) if hosts else None

    def scrub(text: str) -> str:
        text = _ADDRESS.sub("*", text)
        return pattern.sub("*", text) if pattern else text

    return {
        name: {key: scrub(value) if isinstance(value, str) else value for key, value in component.items()}
        for name, component in components.items()
    }


def create_http_app(container: Container, *, full: bool = True) -> FastAPI:
    app = FastAPI(title="infoscreen", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.container = container
    app.state.ready = False

    @app.get("/health")
    async def health() -> JSONResponse:
        # For probes and anyone on the network: states and counters, but no internal host names or addresses.
        components = without_hosts(await container.health(), container.settings)
        ok = app.state.ready and all(c["ok"] for c in components.values())
        body = {"status": "ok" if ok else "degraded", "version": __version__, "components": components}
        if not app.state.ready:
            body["status"] = "starting"
        return JSONResponse(body, status_code=200 if ok else 503)

    if full:
        for install in list(_installers):
            install(app, container)
    return app
