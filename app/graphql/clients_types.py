"""GraphQL types for displays (Client) and room groups (ClientGroup), shared by every area that shows them.

Fields that need more data (`group`, `clients`, `latestCommand`) resolve through request-scoped DataLoaders
(app.graphql.client_loaders), so a list of any length costs a constant number of SQL statements.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.clients.groups import UNASSIGNED_GROUP_NAMES
from app.domain.clients.models import Client as ClientModel
from app.domain.clients.models import ClientGroup as ClientGroupModel
from app.domain.clients.status import is_client_alive
from app.domain.clock import utcnow
from app.domain.enums import BrokerAccess as DomainBrokerAccess
from app.domain.enums import CrashReason as DomainCrashReason
from app.domain.enums import ProcessStatus as DomainProcessStatus
from app.domain.enums import ScreenHealthStatus as DomainScreenHealthStatus
from app.domain.monitoring.classify import (
    HEALTH_WINDOW_HOURS,
    Health,
    classify_health,
    content_cutoff,
    health_window_start,
)
from app.domain.monitoring.classify import ClientHealth as DomainClientHealth
from app.domain.monitoring.classify import HealthReason as DomainHealthReason
from app.graphql.client_loaders import client_loaders
from app.graphql.commands import ClientCommandType
from app.graphql.content_match import ContentMatchType, content_match_loader
from app.graphql.context import Info

ProcessStatus = strawberry.enum(DomainProcessStatus, name="ProcessStatus")
ScreenHealthStatus = strawberry.enum(DomainScreenHealthStatus, name="ScreenHealthStatus")
CrashReason = strawberry.enum(DomainCrashReason, name="CrashReason")
BrokerAccess = strawberry.enum(DomainBrokerAccess, name="BrokerAccess")
ClientHealth = strawberry.enum(DomainClientHealth, name="ClientHealth")
HealthReason = strawberry.enum(DomainHealthReason, name="HealthReason")


@strawberry.type(
    name="Health",
    description="The one classification every page shows: status plus why (worst reason first; none when healthy).",
)
class HealthType:
    status: ClientHealth  # type: ignore[valid-type]
    reasons: list[HealthReason]  # type: ignore[valid-type]

    @classmethod
    def from_domain(cls, health: Health) -> HealthType:
        return cls(status=health.status, reasons=list(health.reasons))


def screenshot_url(uuid: str) -> str:
    """The latest screenshot of a display (always `{uuid}.jpg`, seed-spec §6.3)."""
    return f"/screenshots/{uuid}.jpg"


@strawberry.type(name="Client", description="A display (Raspberry Pi) and what it last reported.")
class ClientType:
    uuid: str
    description: str | None
    hostname: str | None
    ip: str | None
    group_id: int | None
    is_alive: bool = strawberry.field(description="Active and a heartbeat within the grace period of this ENV.")
    last_alive: datetime | None
    is_active: bool
    process_status: ProcessStatus | None  # type: ignore[valid-type]
    current_process: str | None
    process_pid: int | None
    current_event_id: int | None
    screen_health_status: ScreenHealthStatus | None  # type: ignore[valid-type]
    last_screenshot_analyzed: datetime | None
    last_health_at: datetime | None
    service_failed_at: datetime | None
    service_failed_unit: str | None
    mqtt_reconnect_count: int | None
    mqtt_last_disconnect_at: datetime | None
    latest_screenshot_url: str
    mac_address: str | None
    model: str | None
    os_version: str | None
    software_version: str | None
    hardware_info: JSON | None
    registered_at: datetime | None
    last_discovery_at: datetime | None
    updated_at: datetime | None
    broker_access: BrokerAccess = strawberry.field(  # type: ignore[valid-type]
        default=DomainBrokerAccess.PENDING, description="Own broker account: pending, approved or revoked."
    )
    broker_username: str | None = None
    broker_approved_at: datetime | None = None
    last_error_log_at: datetime | None = strawberry.field(
        default=None, description="Timestamp of the newest ERROR log this display sent (null: none kept)."
    )
    last_warn_log_at: datetime | None = strawberry.field(
        default=None, description="Timestamp of the newest WARN log this display sent (null: none kept)."
    )
    content_mismatch_since: datetime | None = strawberry.field(
        default=None, description="Since when it reports an event other than its group's plan (null: matches)."
    )
    planned_off: bool = strawberry.field(
        default=False, description="Its group's power intent is off by plan (then a silent display is planned_off)."
    )

    @classmethod
    def from_model(cls, c: ClientModel | Any, now: datetime, grace_seconds: int) -> ClientType:
        """From a model or a row with every column of Client."""
        return _client_type({name: getattr(c, name) for name in _STORED_FIELDS}, now, grace_seconds)

    @strawberry.field(description="The room group, or null for “Nicht zugeordnet”.")
    def group(self, info: Info) -> ClientGroupType | None:
        # Sync on purpose: a list resolver primes the groups, so most lookups need no await at all.
        if self.group_id is None:
            return None
        found = client_loaders(info).group(self.group_id)
        if found is None or isinstance(found, ClientGroupModel):
            return None if found is None else ClientGroupType.from_model(found)
        return _group_type_of(found)  # type: ignore[return-value]

    @strawberry.field(
        description="Healthy, warning, critical, offline or planned_off (silent while its group is off by plan), "
        f"with the reasons (errors/warnings of the last {HEALTH_WINDOW_HOURS} hours), decided exactly as the "
        "monitoring page decides."
    )
    def health(self, info: Info) -> HealthType:
        # Classified when asked (a list that does not select it pays nothing), at the list's one `now`.
        values = self.__dict__
        content_grace = info.context.settings.content_mismatch_grace_seconds
        return HealthType.from_domain(health_of(values, values["_now"], values["_grace"], content_grace))

    @strawberry.field(
        description="Soll/Ist: the event ids its group's plan shows now, the id it reports, whether they match "
        "and since when they do not."
    )
    async def content_match(self, info: Info) -> ContentMatchType:
        return ContentMatchType.from_domain(await content_match_loader(info).load(self.uuid))

    @strawberry.field(description="The most recently created command for this display (by creation time).")
    async def latest_command(self, info: Info) -> ClientCommandType | None:
        command = await client_loaders(info).latest_command.load(self.uuid)
        return None if command is None else ClientCommandType.from_model(command)


@strawberry.type(name="ClientGroup", description="A room group; id null is the pseudo-group “Nicht zugeordnet”.")
class ClientGroupType:
    id: int | None
    name: str
    description: str | None
    is_active: bool
    display_order: int

    @classmethod
    def from_model(cls, g: ClientGroupModel) -> ClientGroupType:
        return cls(
            id=g.id,
            name=g.name,
            description=g.description,
            is_active=g.is_active,
            display_order=g.display_order,
        )

    @classmethod
    def unassigned(cls, display_order: int, language: str = "de") -> ClientGroupType:
        """The pseudo-group of displays in no group, named in the caller's language."""
        name = UNASSIGNED_GROUP_NAMES.get(language, UNASSIGNED_GROUP_NAMES["de"])
        return cls(id=None, name=name, description=None, is_active=True, display_order=display_order)

    @strawberry.field(description="The group's displays, ordered by description.")
    async def clients(self, info: Info) -> list[ClientType]:
        return client_types(await client_loaders(info).clients_by_group.load(self.id), grace_seconds(info))


async def _group_type_of(pending: Awaitable[ClientGroupModel | None]) -> ClientGroupType | None:
    group = await pending
    return None if group is None else ClientGroupType.from_model(group)


def grace_seconds(info: Info) -> int:
    """The heartbeat grace period of this ENV (HEARTBEAT_GRACE_PERIOD_DEV/PROD)."""
    return info.context.settings.heartbeat_grace_seconds


# The ClientType fields stored as Client columns, and the columns each computed field is derived from.
_STORED_FIELDS: tuple[str, ...] = tuple(
    f.python_name
    for f in ClientType.__strawberry_definition__.fields  # type: ignore[attr-defined]
    if f.python_name in {c.name for c in ClientModel.__table__.columns}
)
# What `health` reads: the classification's inputs.
HEALTH_COLUMNS: tuple[str, ...] = (
    "is_active", "last_alive", "process_status", "screen_health_status", "service_failed_at",
    "last_error_log_at", "last_warn_log_at", "planned_off", "content_mismatch_since",
)  # fmt: skip
_DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "is_alive": ("last_alive", "is_active"),
    "latest_screenshot_url": ("uuid",),
    "group": ("group_id",),
    "latest_command": ("uuid",),
    "health": HEALTH_COLUMNS,
}


def _client_type(values: dict[str, Any], now: datetime, grace: int) -> ClientType:
    """A ClientType from (some of) its stored fields, without the 33-argument dataclass constructor.

    Fields that were not loaded stay absent rather than null, so a selection bug surfaces as an error
    instead of a silently empty value.
    """
    if "last_alive" in values and "is_active" in values:
        values["is_alive"] = is_client_alive(values["last_alive"], values["is_active"], now, grace)
    values["_now"], values["_grace"] = now, grace
    values["latest_screenshot_url"] = screenshot_url(values["uuid"])
    if "broker_access" in values and values["broker_access"] is None:
        values["broker_access"] = DomainBrokerAccess.PENDING
    item = object.__new__(ClientType)
    item.__dict__.update(values)
    return item


def health_of(values: dict[str, Any], now: datetime, grace: int, content_grace: float | None = None) -> Health:
    """The display's health by the domain's one rule (app.domain.monitoring.classify)."""
    return classify_health(
        alive=is_client_alive(values["last_alive"], values["is_active"], now, grace),
        is_active=bool(values["is_active"]),
        process_status=values["process_status"],
        screen_health_status=values["screen_health_status"],
        service_failed_at=values["service_failed_at"],
        last_error_log_at=values["last_error_log_at"],
        last_warn_log_at=values["last_warn_log_at"],
        since=health_window_start(now),
        planned_off=bool(values["planned_off"]),
        content_mismatch_since=values["content_mismatch_since"],
        content_cutoff=content_cutoff(now, content_grace),
    )


def client_columns_for(attributes: Iterable[str]) -> list[str]:
    """The Client columns needed to answer the selected ClientType attributes (uuid always)."""
    needed = {"uuid"}
    for name in attributes:
        if name in _STORED_FIELDS:
            needed.add(name)
        needed.update(_DERIVED_FROM.get(name, ()))
    return sorted(needed)


def client_types_from_rows(rows: Iterable[Any], grace: int) -> list[ClientType]:
    """ClientTypes from rows holding the columns client_columns_for chose."""
    now = utcnow()
    return [_client_type(row._asdict(), now, grace) for row in rows]


def client_types(models: Iterable[Any], grace: int) -> list[ClientType]:
    """Map models or read-only rows with the columns of Client."""
    now = utcnow()  # one `now` for the whole list, so isAlive is consistent within a response
    return [ClientType.from_model(c, now, grace) for c in models]


def client_type(model: ClientModel, info: Info) -> ClientType:
    return ClientType.from_model(model, utcnow(), grace_seconds(info))
