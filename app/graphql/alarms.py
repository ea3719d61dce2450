"""Alarms over GraphQL (contract "Alarme"): `alarms`, `acknowledgeAlarm`, `setMaintenanceWindow`,
`maintenanceWindows` and the subscription `alarmUpdated`. Admin+ (the domain checks it); the rules live in
app.domain.alarms.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import Annotated, Union

import strawberry
from strawberry.scalars import JSON

from app.domain import errors as domain_errors
from app.domain.alarms import channels, models, service
from app.domain.bus import ALARM_UPDATED
from app.domain.usecase import require_role
from app.graphql.alarm_settings import AlarmSettingsMutation, AlarmSettingsQuery
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, as_result

AlarmKind = strawberry.enum(models.AlarmKind, name="AlarmKind")
AlarmSeverity = strawberry.enum(models.AlarmSeverity, name="AlarmSeverity")


@strawberry.enum(name="AlarmState", description="ACTIVE (raised), ACKNOWLEDGED (someone is on it), CLEARED.")
class AlarmState(Enum):
    ACTIVE = "ACTIVE"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    CLEARED = "CLEARED"


@strawberry.type(name="Alarm", description="One alarm condition while it lasts (and its history once cleared).")
class AlarmType:
    id: int
    kind: AlarmKind  # type: ignore[valid-type]
    severity: AlarmSeverity  # type: ignore[valid-type]
    state: AlarmState
    client_uuid: str | None = strawberry.field(description="The display (display alarms, failed commands).")
    group_id: int | None
    details: JSON | None = strawberry.field(
        description="Kind-specific: `name` (display), `reasons` (DISPLAY_CRITICAL: the health rule's reasons, "
        "e.g. `process_crashed`, `service_failed`, `screen_black`, `screen_frozen`, `content_mismatch`), "
        "`lost`/`watched`/`cause` (fleet outage: `broker_unreachable` or `network_or_power`), "
        "`command_id`/`action`/`status`/`error_code`, `conversion_id`/`media_id`/`error_code`."
    )
    first_seen: datetime
    last_seen: datetime
    raised_at: datetime | None
    cleared_at: datetime | None
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    acknowledged_note: str | None

    @classmethod
    def from_model(cls, a: models.Alarm) -> AlarmType:
        return cls(
            id=a.id,
            kind=models.AlarmKind(a.kind),
            severity=models.AlarmSeverity(a.severity),
            state=AlarmState(a.state),
            client_uuid=a.client_uuid,
            group_id=a.group_id,
            details=a.details,
            first_seen=a.first_seen,
            last_seen=a.last_seen,
            raised_at=a.raised_at,
            cleared_at=a.cleared_at,
            acknowledged_by=a.acknowledged_by,
            acknowledged_at=a.acknowledged_at,
            acknowledged_note=a.acknowledged_note,
        )


@strawberry.type(name="MaintenanceWindow", description="`Wartung bis …`: no display alarms until `until`.")
class MaintenanceWindowType:
    id: int
    group_id: int | None = strawberry.field(description="None: every display.")
    until: datetime
    created_by: int | None
    created_at: datetime

    @classmethod
    def from_model(cls, w: models.MaintenanceWindow) -> MaintenanceWindowType:
        return cls(id=w.id, group_id=w.group_id, until=w.until, created_by=w.created_by, created_at=w.created_at)


@strawberry.type(description="Open alarms by state (the dashboard's header badge shows `active`).")
class AlarmCounts:
    active: int
    acknowledged: int


AcknowledgeAlarmResult = Annotated[
    Union[AlarmType, NotFoundError, ConflictError, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("AcknowledgeAlarmResult"),
]
SetMaintenanceWindowResult = Annotated[
    Union[MaintenanceWindowType, NotFoundError, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("SetMaintenanceWindowResult"),
]


@strawberry.type
class AlarmsQuery:
    @strawberry.field(description="Alarms, open ones first (ACTIVE, ACKNOWLEDGED, CLEARED), newest first (admin+).")
    async def alarms(
        self,
        info: Info,
        state: AlarmState | None = None,
        group_id: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
        kind: AlarmKind | None = None,  # type: ignore[valid-type]
    ) -> list[AlarmType]:
        wanted = models.AlarmState(state.value) if state is not None else None
        of_kind = models.AlarmKind(kind) if kind is not None else None
        rows = await service.alarms_list(
            info.context.container, caller(info), wanted, group_id, limit, offset or 0, of_kind
        )
        return [AlarmType.from_model(a) for a in rows]

    @strawberry.field(description="How many alarms are open now: ACTIVE and ACKNOWLEDGED (admin+).")
    async def alarm_counts(self, info: Info) -> AlarmCounts:
        counts = await service.open_alarm_counts(info.context.container, caller(info))
        return AlarmCounts(active=counts[models.AlarmState.ACTIVE], acknowledged=counts[models.AlarmState.ACKNOWLEDGED])

    @strawberry.field(description="The maintenance windows still running (admin+).")
    async def maintenance_windows(self, info: Info) -> list[MaintenanceWindowType]:
        rows = await service.maintenance_windows(info.context.container, caller(info))
        return [MaintenanceWindowType.from_model(w) for w in rows]


@strawberry.type
class AlarmsMutation:
    @strawberry.mutation(description="Acknowledge an ACTIVE alarm, with an optional note (admin+, audited).")
    async def acknowledge_alarm(self, info: Info, id: int, note: str | None = None) -> AcknowledgeAlarmResult:
        async def run() -> AlarmType:
            command = service.AcknowledgeAlarm(id, note)
            return AlarmType.from_model(await service.acknowledge_alarm(info.context.container, caller(info), command))

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(
        description="No display alarms for the group (every display when no groupId) until `until`; replaces "
        "that scope's window, a time in the past ends it (admin+, audited)."
    )
    async def set_maintenance_window(
        self, info: Info, *, group_id: int | None = None, until: datetime
    ) -> SetMaintenanceWindowResult:
        async def run() -> MaintenanceWindowType:
            command = service.SetMaintenanceWindow(group_id, until)
            window = await service.set_maintenance_window(info.context.container, caller(info), command)
            return MaintenanceWindowType.from_model(window)

        return await as_result(run)  # type: ignore[return-value]


@strawberry.type
class AlarmsSubscription:
    @strawberry.subscription(description="An alarm whenever it is raised, acknowledged or cleared (admin+).")
    async def alarm_updated(self, info: Info, group_id: int | None = None) -> AsyncGenerator[AlarmType, None]:
        require_role(caller(info), service.READ_ROLE)
        subscription = info.context.subscribe(ALARM_UPDATED)
        try:
            async for event in subscription:
                alarm_id = event.data.get("id")
                if not isinstance(alarm_id, int) or (group_id is not None and event.data.get("group_id") != group_id):
                    continue
                try:
                    alarm = await service.alarm_by_id(info.context.container, caller(info), alarm_id)
                except domain_errors.NotFoundError:
                    continue  # gone meanwhile
                yield AlarmType.from_model(alarm)
        finally:
            await subscription.aclose()


# --- notification channels ---------------------------------------------------------------------------------
ChannelKind = strawberry.enum(models.ChannelKind, name="NotificationChannelKind")


@strawberry.type(name="NotificationChannel", description="Where alarm messages go (e-mail or webhook).")
class NotificationChannelType:
    id: int
    name: str
    kind: ChannelKind  # type: ignore[valid-type]
    enabled: bool
    target: str = strawberry.field(description="EMAIL: comma-separated recipients; WEBHOOK: the URL.")
    secret: str | None = strawberry.field(
        description="WEBHOOK: the HMAC-SHA256 key of the `X-Infoscreen-Signature: sha256=<hex>` header."
    )
    language: str
    kinds: list[AlarmKind]  # type: ignore[valid-type]
    group_ids: list[int]
    last_error: str | None
    last_sent_at: datetime | None
    dead_letters: int = strawberry.field(description="Messages given up after the last attempt.")

    @classmethod
    def from_model(cls, c: models.NotificationChannel, dead: int = 0) -> NotificationChannelType:
        return cls(
            id=c.id, name=c.name, kind=models.ChannelKind(c.kind), enabled=c.enabled, target=c.target,
            secret=c.secret, language=c.language, kinds=[models.AlarmKind(k) for k in c.kinds or []],
            group_ids=list(c.group_ids or []), last_error=c.last_error, last_sent_at=c.last_sent_at,
            dead_letters=dead,
        )  # fmt: skip


@strawberry.input(description="A notification channel; empty `kinds`/`groupIds` mean every kind / group.")
class NotificationChannelInput:
    name: str
    kind: ChannelKind  # type: ignore[valid-type]
    target: str
    enabled: bool = True
    language: str = "de"
    kinds: list[AlarmKind] | None = None  # type: ignore[valid-type]
    group_ids: list[int] | None = None
    secret: str | None = strawberry.field(default=None, description="WEBHOOK: null keeps (or creates) the key.")

    def values(self) -> channels.ChannelValues:
        return channels.ChannelValues(
            self.name, models.ChannelKind(self.kind), self.target, self.enabled, self.language,
            tuple(models.AlarmKind(k) for k in self.kinds or ()), tuple(self.group_ids or ()), self.secret,
        )  # fmt: skip


@strawberry.type(description="The channel was deleted.")
class NotificationChannelDeleted:
    id: int


@strawberry.type(description="The outcome of `testNotificationChannel`.")
class NotificationTestResult:
    success: bool
    message: str | None


ChannelResult = Annotated[
    Union[NotificationChannelType, NotFoundError, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("NotificationChannelResult"),
]
DeleteChannelResult = Annotated[
    Union[NotificationChannelDeleted, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteNotificationChannelResult"),
]
TestChannelResult = Annotated[
    Union[NotificationTestResult, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("TestNotificationChannelResult"),
]


@strawberry.type
class NotificationChannelsQuery(AlarmSettingsQuery):
    @strawberry.field(description="Every notification channel with its last outcome (admin+).")
    async def notification_channels(self, info: Info) -> list[NotificationChannelType]:
        deps, principal = info.context.container, caller(info)
        rows = await channels.list_channels(deps, principal)
        dead = await channels.dead_letters(deps, principal)
        return [NotificationChannelType.from_model(c, dead.get(c.id, 0)) for c in rows]


@strawberry.type
class NotificationChannelsMutation(AlarmSettingsMutation):
    @strawberry.mutation(description="A new e-mail or webhook channel (admin+, audited).")
    async def create_notification_channel(self, info: Info, input: NotificationChannelInput) -> ChannelResult:
        async def run() -> NotificationChannelType:
            channel = await channels.create_channel(info.context.container, caller(info), input.values())
            return NotificationChannelType.from_model(channel)

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Change a channel (admin+, audited).")
    async def update_notification_channel(self, info: Info, id: int, input: NotificationChannelInput) -> ChannelResult:
        async def run() -> NotificationChannelType:
            command = channels.UpdateChannel(id, input.values())
            channel = await channels.update_channel(info.context.container, caller(info), command)
            return NotificationChannelType.from_model(channel)

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a channel and its pending messages (admin+, audited).")
    async def delete_notification_channel(self, info: Info, id: int) -> DeleteChannelResult:
        async def run() -> NotificationChannelDeleted:
            await channels.delete_channel(info.context.container, caller(info), id)
            return NotificationChannelDeleted(id=id)

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description='"Test senden": one test message through the channel now (admin+).')
    async def test_notification_channel(self, info: Info, id: int) -> TestChannelResult:
        async def run() -> NotificationTestResult:
            outcome = await channels.send_test_message(info.context.container, caller(info), id)
            return NotificationTestResult(success=outcome.success, message=outcome.error)

        return await as_result(run)  # type: ignore[return-value]
