"""Starting and stopping one process in one of its roles (run, api, mqtt, worker).

Order on start: migrations/bootstrap (run only) → embedded broker → event bus → MQTT → worker → HTTP.
On SIGTERM/SIGINT the order is reversed: HTTP stops accepting, MQTT components flush and disconnect,
the worker drains its in-flight messages, then the database pool closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from enum import StrEnum

import uvicorn
from starlette.types import ASGIApp

from app.config import ConfigurationError, Settings
from app.container import Container
from app.domain.bootstrap import bootstrap
from app.embedded_broker import EmbeddedBroker
from app.heap import settle_heap
from app.http import create_http_app
from app.migrations import upgrade
from app.mqtt.service import MqttService
from app.tasks.broker import configure_broker, is_stub
from app.tasks.runtime import bind_container, unbind_container
from app.tasks.worker import InProcessWorker

log = logging.getLogger(__name__)


class Role(StrEnum):
    RUN = "run"
    API = "api"
    MQTT = "mqtt"
    WORKER = "worker"


# Adapter modules that register HTTP routes (app.http.register_routes) or MQTT components
# (app.mqtt.service.register_ingest/register_scheduler) when imported.
ADAPTER_MODULES: tuple[str, ...] = (
    "app.graphql.routes",
    "app.ui.mount",
    "app.mqtt.ingest.component",
    "app.mqtt.scheduler",
    "app.tasks.sweep_scheduler",
    "app.files.screenshots",
    "app.files.media_routes",
    "app.files.ical_routes",
)


def load_adapters() -> None:
    import importlib

    for name in ADAPTER_MODULES:
        importlib.import_module(name)


async def migrate_and_bootstrap(container: Container) -> None:
    settings = container.settings
    await asyncio.to_thread(upgrade, settings.database_url)
    report = await bootstrap(container.db, settings)
    if report.generated_password:
        # Printed once, on the run that created the account; it is not stored anywhere in clear text.
        print(
            f"\n  Superadmin '{settings.default_superadmin_username}' created with password: "
            f"{report.generated_password}\n  (set DEFAULT_SUPERADMIN_PASSWORD to choose it yourself)\n",
            flush=True,
        )
    log.info(
        "event=bootstrap settings_created=%d superadmin_created=%s periods_created=%d active_period=%s",
        len(report.settings_created),
        report.superadmin_created,
        report.periods_created,
        report.active_period,
    )


def http_server_config(app: ASGIApp, settings: Settings, *, lifespan: str = "on") -> uvicorn.Config:
    """uvicorn for one process: X-Forwarded-For/-Proto are believed only from TRUSTED_PROXIES.

    The client address is the right-most hop in X-Forwarded-For that is not a trusted proxy (uvicorn's
    ProxyHeadersMiddleware), so a caller cannot choose the address that rate limits and the audit log see.
    """
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        lifespan=lifespan,
        ws="websockets-sansio",
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxy_list,
    )


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM after serving, which would kill us before the orderly shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ProcessRunner:
    def __init__(self, settings: Settings, role: Role) -> None:
        self.settings = settings
        self.role = role
        self.container = Container.create(settings)
        self.broker: EmbeddedBroker | None = None
        self.mqtt: MqttService | None = None
        self.worker: InProcessWorker | None = None
        self.server: uvicorn.Server | None = None

    async def start(self) -> None:
        s, role = self.settings, self.role
        load_adapters()
        s.data_dir.mkdir(parents=True, exist_ok=True)
        assert s.media_root is not None
        s.media_root.mkdir(parents=True, exist_ok=True)
        s.screenshot_dir.mkdir(parents=True, exist_ok=True)

        if role is Role.RUN:
            await migrate_and_bootstrap(self.container)
        if role is Role.WORKER and not s.redis_url:
            raise ConfigurationError("REDIS_URL is required for `infoscreen worker`")

        dramatiq_broker = configure_broker(s.redis_url)
        self.container.extras["dramatiq_broker"] = dramatiq_broker
        # Actors run on Dramatiq's own loop; they take settings and the event bus from this container.
        bind_container(self.container)

        if role is Role.RUN and s.embedded_broker:
            self.broker = EmbeddedBroker(s)
            await self.broker.start()

        await self.container.start()

        if role in (Role.RUN, Role.API, Role.MQTT):
            ingest = role in (Role.RUN, Role.MQTT)
            self.mqtt = MqttService(self.container, ingest=ingest, scheduler=ingest)
            await self.mqtt.start()

        if role in (Role.RUN, Role.WORKER):
            self.worker = InProcessWorker(dramatiq_broker)
            self.worker.start()
            worker = self.worker
            stub = is_stub(dramatiq_broker)

            async def check_worker() -> tuple[bool, str]:
                ok = worker.running
                kind = "in-process (StubBroker)" if stub else "Redis"
                return ok, f"{kind} worker {'running' if ok else 'stopped'}"

            self.container.health_checks["worker"] = check_worker
        elif s.redis_url:
            self.container.health_checks["worker"] = self._check_queue
        from app.tasks.conversions import install_conversion_queue  # after configure_broker: actors bind to it

        install_conversion_queue(self.container, runs_worker=self.worker is not None)

    async def _check_queue(self) -> tuple[bool, str]:
        import redis.asyncio as aioredis

        assert self.settings.redis_url
        client = aioredis.from_url(self.settings.redis_url)
        try:
            await client.ping()
            return True, "task queue (Redis) reachable"
        finally:
            await client.aclose()

    async def serve(self) -> None:
        await self.start()
        app = create_http_app(self.container, full=self.role in (Role.RUN, Role.API))
        self.server = _Server(http_server_config(app, self.settings))
        server = self.server
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        settle_heap()
        app.state.ready = True
        log.info("event=process_ready role=%s http=%s:%d", self.role, self.settings.http_host, self.settings.http_port)
        try:
            await self.server.serve()
        finally:
            await self.stop()

    async def stop(self) -> None:
        log.info("event=process_stopping role=%s", self.role)
        if self.mqtt is not None:
            await self.mqtt.stop()
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        unbind_container(self.container)
        if self.broker is not None:
            await self.broker.stop()
        await self.container.close()
        log.info("event=process_stopped role=%s", self.role)
