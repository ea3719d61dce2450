"""The embedded MQTT broker (amqtt) for the zero-setup single-process run.

Only used when MQTT_BROKER_HOST is unset. It speaks MQTT 3.1.1. Who may reach it:

- default: it listens on 127.0.0.1 only and accepts anonymous clients (the server itself, a display or a
  test on the same machine);
- MQTT_USER and MQTT_PASSWORD set (the same names as for Mosquitto; the server's own connection uses them):
  it listens on all interfaces (or MQTT_EMBEDDED_BIND) and every client must log in with exactly these;
- MQTT_EMBEDDED_BIND set to a non-loopback address without credentials is refused at start unless
  MQTT_EMBEDDED_ALLOW_ANONYMOUS_NETWORK=true, which is printed as a warning at every start.

Production uses Mosquitto with per-display credentials.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import warnings
from dataclasses import dataclass
from typing import Any

from app.broker_logs import install_broker_log_filters
from app.config import ConfigurationError, Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from amqtt.mqtt.connect import ConnectPayload, ConnectVariableHeader
    from amqtt.plugins.base import BaseAuthPlugin
    from amqtt.session import Session
    from amqtt.utils import gen_client_id

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"


class CredentialsAuth(BaseAuthPlugin):
    """Admits exactly the configured user name and password (compared in constant time)."""

    @dataclass
    class Config:
        username: str = ""
        password: str = ""

    async def authenticate(self, *, session: Session) -> bool | None:
        config: Any = self.config
        user = (session.username or "").encode() if session else b""
        password = (session.password or "").encode() if session else b""
        user_ok = hmac.compare_digest(user, config.username.encode())
        password_ok = hmac.compare_digest(password, config.password.encode())
        if not (user_ok and password_ok):
            log.info("event=embedded_broker_login_refused user=%s", (session.username or "-")[:64] if session else "-")
        return bool(user.strip()) and user_ok and password_ok


MQTT_311_LEVEL = 4
_PATCHED = "_infoscreen_refuses_other_protocols"


def answer_other_protocols_at_once() -> None:
    """Let amqtt refuse an MQTT 5 CONNECT with CONNACK 0x01 before reading its payload.

    amqtt reads the CONNECT payload as 3.1.1 before it checks the protocol level. An MQTT 5 CONNECT has a
    properties block there, so with a user name and password the misread lengths make amqtt wait for bytes
    that never come: the client (our own server, which tries MQTT 5 first) sees no answer, times out and
    tries MQTT 5 again. Skipping the payload of a non-3.1.1 CONNECT lets amqtt's own protocol check answer
    "unacceptable protocol version" at once, and the client falls back to 3.1.1 on the spot.
    """
    if getattr(ConnectPayload.from_stream, _PATCHED, False):
        return
    original = ConnectPayload.from_stream.__func__  # type: ignore[attr-defined]

    async def from_stream(
        cls: type[ConnectPayload], reader: Any, fixed_header: Any, variable_header: ConnectVariableHeader | None
    ) -> ConnectPayload:
        if variable_header is not None and variable_header.proto_level != MQTT_311_LEVEL:
            payload = cls()
            payload.client_id = gen_client_id()
            payload.client_id_is_random = True
            return payload
        return await original(cls, reader, fixed_header, variable_header)  # type: ignore[no-any-return]

    setattr(from_stream, _PATCHED, True)
    ConnectPayload.from_stream = classmethod(from_stream)  # type: ignore[method-assign,assignment]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Exposure:
    bind_host: str
    credentials: tuple[str, str] | None  # (user, password) every client must present; None: anonymous


def exposure(settings: Settings) -> Exposure:
    """Where the embedded broker listens and who may connect; raises ConfigurationError when unsafe."""
    user, password = settings.mqtt_user or "", settings.mqtt_password or ""
    if bool(user) != bool(password):
        raise ConfigurationError("MQTT_USER and MQTT_PASSWORD must be set together for the embedded broker")
    credentials = (user, password) if user else None
    bind = (settings.mqtt_embedded_bind or "").strip() or (ALL_INTERFACES if credentials else LOOPBACK)
    if credentials is None and not _is_loopback(bind) and not settings.mqtt_embedded_allow_anonymous_network:
        raise ConfigurationError(
            f"MQTT_EMBEDDED_BIND={bind} would let anyone on the network use the embedded broker anonymously: "
            "set MQTT_USER and MQTT_PASSWORD, or MQTT_EMBEDDED_ALLOW_ANONYMOUS_NETWORK=true to accept that"
        )
    return Exposure(bind, credentials)


class EmbeddedBroker:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._exposure = exposure(settings)
        self._bind = f"{self._exposure.bind_host}:{settings.mqtt_broker_port}"
        self._broker: object | None = None

    @property
    def running(self) -> bool:
        return self._broker is not None

    @property
    def bind(self) -> str:
        return self._bind

    def _plugins(self) -> dict[str, Any]:
        if self._exposure.credentials is None:
            return {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}}
        user, password = self._exposure.credentials
        return {f"{__name__}.CredentialsAuth": {"username": user, "password": password}}

    async def start(self) -> None:
        install_broker_log_filters()
        answer_other_protocols_at_once()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from amqtt.broker import Broker

            config = {
                "listeners": {"default": {"type": "tcp", "bind": self._bind, "max_connections": 20000}},
                "timeout_disconnect_delay": 2,
                "plugins": self._plugins(),
            }
            broker = Broker(config)
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        await broker.start()
        self._broker = broker
        exposed = not _is_loopback(self._exposure.bind_host)
        access = "login required (MQTT_USER)" if self._exposure.credentials else "anonymous"
        log.info("event=embedded_broker_started bind=%s access=%s (MQTT 3.1.1)", self._bind, access)
        if exposed and self._exposure.credentials is None:
            log.warning(
                "event=embedded_broker_anonymous_on_network bind=%s: anyone who can reach this port can read "
                "and publish every display's topics (MQTT_EMBEDDED_ALLOW_ANONYMOUS_NETWORK=true). Set "
                "MQTT_USER/MQTT_PASSWORD or use Mosquitto.",
                self._bind,
            )

    async def stop(self) -> None:
        if self._broker is None:
            return
        try:
            await self._broker.shutdown()  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("embedded broker shutdown: %s", exc)
        self._broker = None
