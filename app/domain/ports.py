"""What the domain needs from the outside world, as interfaces (implemented by adapters)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from app.config import Settings
    from app.domain.bus import InMemoryEventBus
    from app.domain.db import Database
    from app.domain.users.login_policy import LoginGuard


class DisplayPublisher(Protocol):
    """Sends state and commands to displays. Implemented over MQTT by app.mqtt.publisher.MqttPublisher.

    Every method returns once the broker acknowledged the QoS 1 publish and raises
    app.mqtt.connection.PublishError (a RuntimeError) otherwise.
    """

    async def publish_group_assignment(self, client_uuid: str, group_id: int | None) -> None:
        """Retained `infoscreen/{uuid}/group_id`; None clears the retained message (client deleted)."""

    async def clear_service_failed(self, client_uuid: str) -> None:
        """Empty retained payload on `infoscreen/{uuid}/service_failed`."""

    async def publish_command(self, client_uuid: str, payload: dict[str, Any], *, legacy_restart: bool) -> None:
        """QoS 1, not retained, to `/commands` then the compat `/command` (+ legacy `clients/{uuid}/restart`).

        Raises only when the primary `/commands` publish was not confirmed; the copies are best effort
        (logged and counted by the implementation)."""

    async def publish_event_list(self, group_id: int, events: list[dict[str, Any]]) -> None:
        """Retained `infoscreen/events/{group_id}` (an empty list clears the group)."""

    async def publish_power_intent(self, group_id: int, payload: dict[str, Any]) -> None:
        """Retained QoS 1 `infoscreen/groups/{group_id}/power/intent`."""


class UseCaseDeps(Protocol):
    """What a write use case needs: a unit of work, the event bus and (when connected) the display link.

    app.container.Container satisfies it; tests and tools may pass anything with these attributes.
    """

    @property
    def db(self) -> Database: ...

    @property
    def bus(self) -> InMemoryEventBus: ...

    @property
    def publisher(self) -> DisplayPublisher | None: ...


class BrokerAccounts(Protocol):
    """Per-display broker identities and topic rights. Implemented by app.mqtt.dynsec.DynsecBrokerAccounts.

    Every method is idempotent and raises app.domain.clients.broker_access.BrokerAccountsError when the
    broker did not confirm the change.
    """

    async def create_display(self, uuid: str, username: str, password: str, group_id: int | None) -> None:
        """Create (or re-enable) the display's account with this password and its role for `group_id`."""

    async def update_display_group(self, uuid: str, group_id: int | None) -> None:
        """Point the display's group rights (event list, power intent) at `group_id` (None: no group)."""

    async def set_display_password(self, username: str, password: str) -> None:
        """Replace the display's password."""

    async def disable_display(self, username: str) -> None:
        """Refuse the account from now on (connected sessions are dropped by the broker)."""

    async def delete_display(self, uuid: str, username: str | None) -> None:
        """Remove the account and its role (the display was deleted)."""

    async def allow_pending_ack(self, uuid: str) -> bool:
        """Let the shared provisioning account subscribe to this display's discovery ack.

        Returns True when that was already allowed (the display had a chance to subscribe)."""

    async def forget_pending_ack(self, uuid: str) -> None:
        """Take that right back (the display is approved or gone)."""


class ConversionQueue(Protocol):
    """Hands a media conversion to the workers. Implemented over Dramatiq by
    app.tasks.conversions.DramatiqConversionQueue; a process that reaches workers sets
    `Container.conversion_queue` (None: conversions wait for the worker's start-up requeue)."""

    async def enqueue(self, conversion_id: int) -> None:
        """Queue the conversion (at least once; the worker skips one that is already done)."""


class BrokerLink(Protocol):
    """This process's connection to the MQTT broker (app.mqtt.connection.MqttConnection), as far as the
    rest of the application looks at it."""

    @property
    def client_id(self) -> str: ...

    @property
    def is_connected(self) -> bool: ...


class SettingsDeps(UseCaseDeps, Protocol):
    """`UseCaseDeps` plus the process settings."""

    @property
    def settings(self) -> Settings: ...


class AuthDeps(SettingsDeps, Protocol):
    """What login and password use cases need beyond the settings: the process's login guard (device-token
    signer and per-process rate limits, app.domain.users.login_policy). app.container.Container satisfies it."""

    @property
    def login_guard(self) -> LoginGuard: ...
