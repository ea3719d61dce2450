"""The ASGI application: /health for every process; GraphQL and the dashboard for `api`/`run`."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app import __version__
from app.container import Container

# Other adapters register their routes here (GraphQL, files, dashboard) without this module knowing them.
RouteInstaller = Callable[[FastAPI, Container], None]
_installers: list[RouteInstaller] = []


def register_routes(installer: RouteInstaller) -> RouteInstaller:
    _installers.append(installer)
    return installer


def create_http_app(container: Container, *, full: bool = True) -> FastAPI:
    app = FastAPI(title="infoscreen", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.container = container
    app.state.ready = False

    @app.get("/health")
    async def health() -> JSONResponse:
        components = await container.health()
        ok = app.state.ready and all(c["ok"] for c in components.values())
        body = {"status": "ok" if ok else "degraded", "version": __version__, "components": components}
        if not app.state.ready:
            body["status"] = "starting"
        return JSONResponse(body, status_code=200 if ok else 503)

    if full:
        for install in list(_installers):
            install(app, container)
    return app
