"""The embedded MQTT broker (amqtt) for the zero-setup single-process run.

Only used when MQTT_BROKER_HOST is unset. It speaks MQTT 3.1.1 and allows anonymous clients, which is
fine on one box in a trusted network; production uses Mosquitto with per-display credentials.
"""

from __future__ import annotations

import logging
import warnings

from app.config import Settings

log = logging.getLogger(__name__)


class EmbeddedBroker:
    def __init__(self, settings: Settings, bind_host: str = "0.0.0.0") -> None:
        self._settings = settings
        self._bind = f"{bind_host}:{settings.mqtt_broker_port}"
        self._broker: object | None = None

    @property
    def running(self) -> bool:
        return self._broker is not None

    async def start(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from amqtt.broker import Broker

            config = {
                "listeners": {"default": {"type": "tcp", "bind": self._bind, "max_connections": 20000}},
                "timeout_disconnect_delay": 2,
                "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
            }
            broker = Broker(config)
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        await broker.start()
        self._broker = broker
        log.info("event=embedded_broker_started bind=%s (anonymous, MQTT 3.1.1)", self._bind)

    async def stop(self) -> None:
        if self._broker is None:
            return
        try:
            await self._broker.shutdown()  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("embedded broker shutdown: %s", exc)
        self._broker = None
