"""Alarm settings over GraphQL: the SMTP server (`smtpSettings`, `setSmtpSettings`), a channel's dead letters
(`retryNotificationChannel`) and each user's own alarm mails (`myAlarmSubscription`,
`setMyAlarmSubscription`). Mixed into the alarm Query/Mutation types of app.graphql.alarms."""

from __future__ import annotations

from typing import Annotated, Union

import strawberry

from app.domain.alarms import channels, smtp, subscriptions
from app.domain.alarms import models as alarm_models
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, as_result


@strawberry.type(name="SmtpSettings", description="The effective SMTP settings (the password is never shown).")
class SmtpSettingsType:
    host: str
    port: int
    security: str = strawberry.field(description="none, starttls or ssl")
    username: str
    from_address: str
    password_set: bool
    overridden: list[str] = strawberry.field(
        description="Fields stored in Einstellungen; the others come from the SMTP_* environment."
    )

    @classmethod
    def from_view(cls, v: smtp.SmtpSettingsView) -> SmtpSettingsType:
        return cls(
            host=v.host, port=v.port, security=v.security, username=v.username, from_address=v.from_address,
            password_set=v.password_set, overridden=list(v.overridden),
        )  # fmt: skip


@strawberry.input(description="Null in a field: use the SMTP_* environment value again.")
class SmtpSettingsInput:
    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    from_address: str | None = None
    password: str | None = strawberry.field(default=None, description="Null keeps the stored password.")
    clear_password: bool = False


@strawberry.type(description="Dead letters of a channel queued for a new round of attempts.")
class NotificationRetry:
    id: int
    requeued: int


@strawberry.type(name="AlarmSubscription", description="The caller's own alarm mails (to the profile address).")
class AlarmSubscriptionType:
    enabled: bool
    mode: str = strawberry.field(description="IMMEDIATE or DIGEST")
    digest_time: str = strawberry.field(description="HH:MM, school time")
    kinds: list[str]
    group_ids: list[int]
    notify_cleared: bool
    language: str
    last_error: str | None

    @classmethod
    def from_model(cls, s: alarm_models.AlarmSubscription) -> AlarmSubscriptionType:
        return cls(
            enabled=s.enabled, mode=s.mode, digest_time=s.digest_time, kinds=list(s.kinds or []),
            group_ids=list(s.group_ids or []), notify_cleared=s.notify_cleared, language=s.language,
            last_error=s.last_error,
        )  # fmt: skip


@strawberry.input(description="Empty kinds / groupIds: every kind / group.")
class AlarmSubscriptionInput:
    enabled: bool = True
    mode: str = "IMMEDIATE"
    digest_time: str = "07:00"
    kinds: list[str] | None = None
    group_ids: list[int] | None = None
    notify_cleared: bool = True
    language: str = "de"

    def command(self) -> subscriptions.SetSubscription:
        return subscriptions.SetSubscription(
            self.enabled, self.mode, self.digest_time, tuple(self.kinds or ()), tuple(self.group_ids or ()),
            self.notify_cleared, self.language,
        )  # fmt: skip


SmtpResult = Annotated[
    Union[SmtpSettingsType, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("SetSmtpSettingsResult"),
]
RetryResult = Annotated[
    Union[NotificationRetry, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("RetryNotificationChannelResult"),
]
SubscriptionResult = Annotated[
    Union[AlarmSubscriptionType, ValidationError, UnauthenticatedError],  # noqa: UP007
    strawberry.union("SetMyAlarmSubscriptionResult"),
]


@strawberry.type
class AlarmSettingsQuery:
    @strawberry.field(description="The SMTP settings alarm mails use (admin+).")
    async def smtp_settings(self, info: Info) -> SmtpSettingsType:
        return SmtpSettingsType.from_view(await smtp.smtp_settings(info.context.container, caller(info)))

    @strawberry.field(description="The caller's own alarm subscription (defaults when never saved).")
    async def my_alarm_subscription(self, info: Info) -> AlarmSubscriptionType:
        row = await subscriptions.my_subscription(info.context.container, caller(info))
        return AlarmSubscriptionType.from_model(row)


@strawberry.type
class AlarmSettingsMutation:
    @strawberry.mutation(description="Store SMTP overrides (admin+, audited; the password is never returned).")
    async def set_smtp_settings(self, info: Info, input: SmtpSettingsInput) -> SmtpResult:
        async def run() -> SmtpSettingsType:
            command = smtp.SetSmtpSettings(
                input.host, input.port, input.security, input.username, input.from_address, input.password,
                input.clear_password,
            )  # fmt: skip
            return SmtpSettingsType.from_view(
                await smtp.set_smtp_settings(info.context.container, caller(info), command)
            )

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Queue a channel's dead letters for new attempts (admin+, audited).")
    async def retry_notification_channel(self, info: Info, id: int) -> RetryResult:
        async def run() -> NotificationRetry:
            count = await channels.retry_dead_letters(info.context.container, caller(info), id)
            return NotificationRetry(id=id, requeued=count)

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Save the caller's own alarm subscription (every logged-in user).")
    async def set_my_alarm_subscription(self, info: Info, input: AlarmSubscriptionInput) -> SubscriptionResult:
        async def run() -> AlarmSubscriptionType:
            row = await subscriptions.set_my_subscription(info.context.container, caller(info), input.command())
            return AlarmSubscriptionType.from_model(row)

        return await as_result(run)  # type: ignore[return-value]
