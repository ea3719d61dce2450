"""Mounts the NiceGUI dashboard onto the FastAPI app (added to ADAPTER_MODULES in app.runtime).

NiceGUI is a process-wide singleton and `ui.run_with` may run only once, so the first HTTP app of a process
gets the dashboard; later ones (tests build several apps in one process) are left without it.
The mount becomes the router's fallback instead of a `/` route, so routes that other adapters register
after this one (files, screenshots) still win over the dashboard's catch-all.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI
from starlette.routing import Mount

from app.container import Container
from app.http import register_routes

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/ui-static"
_installed: list[FastAPI] = []


def _prepare_storage(container: Container) -> None:
    # NiceGUI reads these when it is first imported: keep its files under DATA_DIR, share them via Redis.
    settings = container.settings
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str((settings.data_dir / "nicegui").resolve()))
    if settings.redis_url:
        os.environ.setdefault("NICEGUI_REDIS_URL", settings.redis_url)


def _make_mount_the_fallback(fastapi_app: FastAPI) -> None:
    mounts = [r for r in fastapi_app.router.routes if isinstance(r, Mount) and r.path == ""]
    for mount in mounts:
        fastapi_app.router.routes.remove(mount)
    if mounts:
        fastapi_app.router.default = mounts[-1]


@register_routes
def install_dashboard(fastapi_app: FastAPI, container: Container) -> None:
    if _installed:
        log.debug("event=dashboard_already_mounted")
        return
    _prepare_storage(container)
    from fastapi.responses import FileResponse
    from nicegui import app as nicegui_app
    from nicegui import ui

    import app.ui.pages  # noqa: F401  (registers every page)
    from app.ui import gql, session

    gql.bind_container(container)
    settings = container.settings
    session.install_session_routes(
        secure_cookie=settings.is_production, max_age_seconds=settings.session_ttl_hours * 3600
    )
    nicegui_app.add_static_files(STATIC_URL, STATIC_DIR)

    @nicegui_app.get("/favicon.png", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / "favicon.png", media_type="image/png")

    ui.run_with(
        fastapi_app,
        storage_secret=settings.secret_key,
        title="Infoscreen",
        language="de",
        favicon=STATIC_DIR / "favicon.png",
        show_welcome_message=False,
        reconnect_timeout=10.0,
    )
    # Quasar's XHR loading bar is an unnamed progressbar (axe-core: serious); pages show their own progress.
    nicegui_app.config.quasar_config["loadingBar"]["skipHijack"] = True
    _make_mount_the_fallback(fastapi_app)
    _installed.append(fastapi_app)
