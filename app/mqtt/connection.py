"""One gmqtt connection with the behaviour the server needs from every broker link.

- infinite reconnect with capped backoff, and re-subscription in on_connect (a fresh session has none);
- MQTT 5 first, falling back to 3.1.1 for brokers that refuse it (the embedded amqtt broker);
- every publish goes through the connection's outbox (`app/mqtt/outbox.py`), which keeps the broker's
  Receive Maximum, retries across reconnects and reports per message whether the broker confirmed it;
- `publish(..., wait=True)` returns only once the broker acknowledged a QoS 1 publish (PUBACK), so a
  caller can record `published` truthfully, and raises `PublishError` when it does not arrive in time.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gmqtt import Client as GmqttClient
from gmqtt import Message
from gmqtt.mqtt.constants import UNLIMITED_RECONNECTS, MQTTv50, MQTTv311
from gmqtt.storage import PersistentStorage

from app.config import Settings
from app.mqtt.outbox import Outbox, OutboxStats, PublishError
from app.mqtt.session import MessageDeferred, SessionOptions, durable_session

log = logging.getLogger(__name__)

MessageHandler = Callable[[str, bytes, int, bool], Awaitable[None]]
ConnectHook = Callable[[], Awaitable[None]]


__all__ = ["ConnectionStats", "MqttConnection", "PublishError"]


class _AckTrackingStorage(PersistentStorage):
    """gmqtt keeps in-flight QoS>0 publishes here until PUBACK; the outbox hears of each removal.

    `reason_code` is set by the PUBACK hook (`MqttConnection._install_publish_hooks`) just before gmqtt
    removes the message, because gmqtt itself ignores the MQTT 5 reason code.
    """

    def __init__(self) -> None:
        super().__init__()
        self.last_pushed: int | None = None
        self.reason_code = 0
        self.on_confirmed: Callable[[int, int], None] | None = None
        self.on_discarded: Callable[[], None] | None = None

    def push_message(self, mid: int, raw_package: bytes) -> None:  # type: ignore[override]
        super().push_message(mid, raw_package)
        self.last_pushed = mid

    def remove_message_by_mid(self, mid: int) -> None:  # type: ignore[override]
        super().remove_message_by_mid(mid)
        code, self.reason_code = self.reason_code, 0
        if self.on_confirmed is not None:
            self.on_confirmed(mid, code)

    def clear(self) -> None:  # type: ignore[override]
        super().clear()
        if self.on_discarded is not None:
            self.on_discarded()


@dataclass
class ConnectionStats:
    connects: int = 0
    disconnects: int = 0
    protocol: str = ""
    publish: OutboxStats = field(default_factory=OutboxStats)


class MqttConnection:
    def __init__(self, settings: Settings, *, client_id_prefix: str = "infoscreen-server") -> None:
        self._settings = settings
        self._client_id = settings.mqtt_client_id or f"{client_id_prefix}-{uuid.uuid4().hex[:10]}"
        self._storage = _AckTrackingStorage()
        self._session = SessionOptions(self._client_id)
        self._client = GmqttClient(self._client_id, clean_session=True, persistent_storage=self._storage)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.set_config({"reconnect_retries": UNLIMITED_RECONNECTS, "reconnect_delay": 2})
        if settings.mqtt_user:
            self._client.set_auth_credentials(settings.mqtt_user, settings.mqtt_password or "")
        self._subscriptions: dict[str, int] = {}
        self._shared: set[str] = set()
        self._handler: MessageHandler | None = None
        self._connect_hooks: list[ConnectHook] = []
        self._connected = asyncio.Event()
        self._hook_tasks: set[asyncio.Task[None]] = set()
        self.stats = ConnectionStats()
        self._closing = False
        self._install_publish_hooks()

    # --- configuration ----------------------------------------------------------------------------
    def use_durable_session(self, role: str) -> None:
        """Before `connect`: a fixed client id, a persistent session, and PUBACK only after the handler returned.

        For the ingest: the broker keeps the subscriptions and every unacknowledged QoS 1 message for
        `MQTT_SESSION_EXPIRY_SECONDS` while this process is away, and a message is acknowledged only once the
        handler returned (committed, or dropped on purpose); a handler raising `MessageDeferred` leaves it
        unacknowledged. See app/mqtt/session.py for how the client id is chosen.
        """
        if self.is_connected:
            raise RuntimeError("use_durable_session() must be called before connect()")
        self._session = durable_session(self._settings, role)
        self._client_id = self._session.client_id
        # The same gmqtt client, reconfigured (hooks installed on it elsewhere stay in place). gmqtt reads
        # these at every CONNECT; its package handler shares the connect-properties dict.
        client = self._client
        client._client_id = self._client_id
        client._clean_session = False
        if not self._settings.embedded_broker:  # amqtt (3.1.1 only) cannot even parse MQTT 5 properties
            client._connect_properties.update(self._session.connect_properties(self._settings))
        client._package_handler._optimistic_acknowledgement = False

    @property
    def client_id(self) -> str:
        return self._client_id

    @property
    def is_connected(self) -> bool:
        return self._connected.is_set()

    @property
    def protocol_version(self) -> int:
        return MQTTv50 if self.stats.protocol == "5" else MQTTv311

    def set_message_handler(self, handler: MessageHandler) -> None:
        self._handler = handler

    def add_subscription(self, topic: str, qos: int = 1, *, shared: bool = False) -> None:
        """Subscribe now (if connected) and after every reconnect.

        `shared=True`: with `MQTT_SHARED_GROUP` set and an MQTT 5 session, subscribe
        `$share/<group>/<topic>` so several ingest processes split the messages between them.
        """
        self._subscriptions[topic] = qos
        if shared:
            self._shared.add(topic)
        else:
            self._shared.discard(topic)
        if self.is_connected:
            self._client.subscribe(self.subscription_topic(topic), qos=qos)

    def subscription_topic(self, topic: str) -> str:
        """What is actually sent in SUBSCRIBE for `topic` on the current session."""
        group = self._settings.mqtt_shared_group
        if topic in self._shared and group and self.stats.protocol == "5":
            return f"$share/{group}/{topic}"
        return topic

    def on_connected(self, hook: ConnectHook) -> None:
        """Run `hook` after every (re)connect, once subscriptions are in place."""
        self._connect_hooks.append(hook)

    def _ssl_context(self) -> ssl.SSLContext | bool:
        """TLS to the broker. MQTT_TLS_INSECURE skips only the host name check (as the seed does): the
        certificate must still chain to MQTT_TLS_CA_CERT (or the system CAs), so a stranger's is refused."""
        s = self._settings
        if not s.mqtt_tls_enabled:
            return False
        context = ssl.create_default_context(cafile=s.mqtt_tls_ca_cert or None)
        if s.mqtt_tls_certfile:
            context.load_cert_chain(s.mqtt_tls_certfile, s.mqtt_tls_keyfile)
        if s.mqtt_tls_insecure:
            context.check_hostname = False  # verify_mode stays CERT_REQUIRED
        return context

    def _install_publish_hooks(self) -> None:
        """The outbox and the two things gmqtt does not offer: PUBACK reason codes and freeing packet ids."""
        s = self._settings
        self.outbox = Outbox(self._send_now, max_queued=s.mqtt_outbox_max_queued, default_window=s.mqtt_publish_window)
        self.stats.publish = self.outbox.stats
        self._storage.on_confirmed = self.outbox.confirmed
        self._storage.on_discarded = self._session_discarded
        # Our own Receive Maximum in CONNECT (MQTT 5 only; gmqtt leaves properties out for 3.1.1). Mosquitto
        # otherwise sends us no more than its max_inflight_messages unacknowledged. Not for the embedded
        # 3.1.1 broker: it does not refuse an MQTT 5 CONNECT that carries properties, it never answers it.
        if not s.embedded_broker:
            self._client._connect_properties.setdefault("receive_maximum", s.mqtt_receive_maximum)
        handler = self._client._package_handler
        original = handler._handle_puback_packet
        storage = self._storage

        def puback_with_reason(cmd: int, packet: bytes) -> None:
            storage.reason_code = packet[2] if len(packet) > 2 else 0
            original(cmd, packet)

        # gmqtt looks the handler up by name on the instance (MqttPackageHandler.__get_handler__).
        handler._handle_puback_packet = puback_with_reason

    def _session_discarded(self) -> None:
        """A clean session dropped the in-flight publishes: the outbox sends them again, the ids are free."""
        pool = self._client._package_handler.id_generator
        for mid in self.outbox.session_discarded():
            pool.free_id(mid)  # gmqtt would otherwise keep them used forever and shrink the window

    def _broker_receive_maximum(self) -> int | None:
        """What the broker announced in CONNACK (None: nothing, as from an MQTT 3.1.1 broker)."""
        values = self._client._package_handler._connack_properties.get("receive_maximum")
        return int(values[0]) if values else None

    def _send_now(self, topic: str, payload: bytes, qos: int, retain: bool) -> int | None:
        """Hand one publish to gmqtt; returns its packet id (None for QoS 0). Called by the outbox only."""
        if not self._connected.is_set():
            raise PublishError("not connected to the MQTT broker")
        self._storage.last_pushed = None
        self._client.publish(Message(topic, payload, qos=qos, retain=retain))
        if qos == 0:
            return None
        if self._storage.last_pushed is None:
            raise PublishError("gmqtt did not store the QoS 1 publish")
        return self._storage.last_pushed

    # --- lifecycle --------------------------------------------------------------------------------
    async def connect(self, *, timeout: float = 10.0) -> None:
        """Connect (retrying until `timeout`); afterwards gmqtt reconnects on its own forever.

        Every attempt is bounded: a broker that never answers CONNECT (e.g. plain MQTT sent to a TLS
        listener) must not hang start-up. gmqtt itself retries a refused MQTT 5 CONNECT as 3.1.1.
        """
        host, port = self._settings.mqtt_host, self._settings.mqtt_broker_port
        # A previous failed connect() stopped gmqtt's retries; a new attempt turns them back on.
        self._client.set_config({"reconnect_retries": UNLIMITED_RECONNECTS, "reconnect_delay": 2})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        versions = [MQTTv50, MQTTv311]
        delay = 0.2
        last_error: BaseException | None = None
        while True:
            for version in list(versions):
                try:
                    async with asyncio.timeout(max(0.5, deadline - loop.time())):
                        await self._client.connect(
                            host,
                            port,
                            ssl=self._ssl_context(),
                            keepalive=self._settings.mqtt_keepalive,
                            version=version,
                        )
                        await self._connected.wait()
                    return
                except Exception as exc:
                    last_error = exc
                    if version == MQTTv50 and _looks_like_protocol_refusal(exc):
                        versions = [MQTTv311]
                        continue
                    break
            if loop.time() >= deadline:
                self._client.stop_reconnect()
                reason = "timed out" if isinstance(last_error, TimeoutError) else last_error
                raise ConnectionError(f"MQTT broker {host}:{port} not reachable: {reason}") from last_error
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 2, 2.0)

    async def disconnect(self) -> None:
        self._closing = True
        try:
            await asyncio.wait_for(self._client.disconnect(), timeout=5)
        except Exception as exc:
            log.debug("mqtt disconnect: %s", exc)
        self._connected.clear()
        self.outbox.disconnected()
        await self.outbox.close()

    async def wait_connected(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
            return True
        except TimeoutError:
            return False

    # --- publishing -------------------------------------------------------------------------------
    async def publish(
        self,
        topic: str,
        payload: bytes | str | None,
        *,
        qos: int = 1,
        retain: bool = False,
        wait: bool = True,
        timeout: float = 5.0,
        since: int | None = None,
    ) -> asyncio.Future[None]:
        """Queue a publish in the outbox; with `wait` return once the broker confirmed it.

        Raises `PublishError` when it was refused or not confirmed within `timeout` (a publish still
        queued then is never sent). Without `wait` the returned future tells the outcome later.
        `since` (retained topics; a value of `outbox.mark()`): skip the publish if the topic got a newer
        value after that mark.
        """
        if self._closing:
            raise PublishError("the MQTT connection is closed")
        data = payload.encode() if isinstance(payload, str) else (payload or b"")
        future = self.outbox.submit(topic, data, qos=qos, retain=retain, timeout=timeout, since=since)
        if wait:
            await self.confirm(future, timeout)
        return future

    async def confirm(self, future: asyncio.Future[None], timeout: float) -> None:
        """Wait for the outcome of a publish made with `wait=False`; raises `PublishError` like `publish`."""
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError as exc:
            self.outbox.abandon(future)
            state = "connected" if self.is_connected else "not connected"
            raise PublishError(f"no PUBACK from the broker within {timeout:.0f}s ({state})") from exc

    # --- gmqtt callbacks --------------------------------------------------------------------------
    def _on_connect(self, client: GmqttClient, flags: int, rc: int, properties: object) -> None:
        self.stats.connects += 1
        # gmqtt silently retries a refused MQTT 5 CONNECT as 3.1.1; report what was negotiated.
        negotiated = getattr(getattr(client, "_connection_state", None), "protocol_version", MQTTv50)
        self.stats.protocol = "5" if negotiated >= MQTTv50 else "3.1.1"
        for topic, qos in self._subscriptions.items():
            client.subscribe(self.subscription_topic(topic), qos=qos)
        self._connected.set()
        self.outbox.connected(self._broker_receive_maximum() if self.stats.protocol == "5" else None)
        log.info(
            "event=mqtt_connected client_id=%s rc=%s protocol=%s connects=%d subscriptions=%d",
            self._client_id,
            rc,
            self.stats.protocol or "?",
            self.stats.connects,
            len(self._subscriptions),
        )
        for hook in self._connect_hooks:
            task = asyncio.get_running_loop().create_task(self._run_hook(hook))
            self._hook_tasks.add(task)
            task.add_done_callback(self._hook_tasks.discard)

    async def _run_hook(self, hook: ConnectHook) -> None:
        try:
            await hook()
        except Exception:
            log.exception("mqtt on-connect hook failed")

    def _on_disconnect(self, client: GmqttClient, packet: object, exc: BaseException | None = None) -> None:
        was_connected = self._connected.is_set()
        self._connected.clear()
        self.outbox.disconnected()
        if was_connected and not self._closing:
            self.stats.disconnects += 1
            log.warning(
                "event=mqtt_disconnected client_id=%s disconnects=%d reason=%s",
                self._client_id,
                self.stats.disconnects,
                exc or "broker closed the connection",
            )

    async def _on_message(self, client: GmqttClient, topic: str, payload: bytes, qos: int, properties: object) -> int:
        if self._handler is None:
            return 0
        retain = bool(getattr(properties, "get", lambda *_: None)("retain")) if properties else False
        try:
            await self._handler(topic, payload or b"", qos, retain)
        except MessageDeferred:
            if self._session.clean_start:  # optimistic acknowledgement: gmqtt has acknowledged it already
                return 0
            # Durable session: gmqtt sends no PUBACK when this coroutine raises, so the broker keeps the message.
            raise
        except Exception:
            # The ingest loop must survive anything a display sends.
            log.exception("mqtt handler crashed on topic %s", topic[:200])
        return 0


class _WithheldAckFilter(logging.Filter):
    """gmqtt sends a held PUBACK from a done-callback that reads the handler's result; for a message we
    deliberately leave unacknowledged (MessageDeferred, or cancelled at shutdown) that read raises, and asyncio
    would log a traceback per message. Those are expected: the broker redelivers them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Exception in callback") or record.exc_info is None:
            return True
        kind = record.exc_info[0]
        withheld = kind is not None and issubclass(kind, (MessageDeferred, asyncio.CancelledError))
        return not (withheld and "handle_publish_callback" in record.getMessage())


logging.getLogger("asyncio").addFilter(_WithheldAckFilter())


def _looks_like_protocol_refusal(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("protocol", "unsupported", "version", "reset", "closed", "incomplete"))
