"""Holiday subscriptions over GraphQL (admin+): `holidaySubscriptions`, `createHolidaySubscription(url,
academicPeriodId)`, `refreshHolidaySubscription(id)`, `deleteHolidaySubscription(id)`.

A feed that fails is not a GraphQL error: the subscription comes back with `lastStatus: "error"` and the
message in `lastError`, its holidays unchanged.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Annotated, Any, Union

import strawberry

from app.domain.enums import Role
from app.domain.periods import holiday_subscriptions as service
from app.domain.periods.feed_fetch import FeedLimits
from app.domain.periods.holidays import ImportSummary
from app.domain.periods.models import HolidaySubscription as SubscriptionModel
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.holidays import HolidayImportSummary
from app.graphql.permissions import require
from app.graphql.types_users import as_result

_SUMMARY_FIELDS = {f.name for f in fields(ImportSummary)}


@strawberry.type(name="HolidaySubscription", description="An iCalendar feed of holidays kept in one period.")
class HolidaySubscriptionType:
    id: int
    academic_period_id: int
    url: str
    last_status: str | None = strawberry.field(description="`ok`, `unchanged`, `error`; null before the first fetch.")
    last_http_status: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    holiday_count: int = strawberry.field(description="Holidays this subscription currently provides.")
    last_summary: HolidayImportSummary | None = strawberry.field(
        description="What the last successful read of the feed gave (imported, duplicate, refused lines)."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, s: SubscriptionModel, holiday_count: int) -> HolidaySubscriptionType:
        summary = None
        if isinstance(s.last_summary, dict):
            values: dict[str, Any] = {k: v for k, v in s.last_summary.items() if k in _SUMMARY_FIELDS}
            summary = HolidayImportSummary.from_summary(ImportSummary(**values))
        return cls(
            id=s.id,
            academic_period_id=s.academic_period_id,
            url=s.url,
            last_status=s.last_status,
            last_http_status=s.last_http_status,
            last_error=s.last_error,
            last_attempt_at=s.last_attempt_at,
            last_success_at=s.last_success_at,
            holiday_count=holiday_count,
            last_summary=summary,
            created_at=s.created_at,
        )


@strawberry.type
class HolidaySubscriptionDeleted:
    id: int
    url: str


HolidaySubscriptionResult = Annotated[
    Union[HolidaySubscriptionType, ValidationError, ConflictError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("HolidaySubscriptionResult"),
]
DeleteHolidaySubscriptionResult = Annotated[
    Union[HolidaySubscriptionDeleted, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteHolidaySubscriptionResult"),
]


def _options(info: Info) -> service.RefreshOptions:
    s = info.context.settings
    limits = FeedLimits(timeout_seconds=s.holiday_feed_timeout_seconds, max_bytes=s.holiday_feed_max_bytes)
    return service.RefreshOptions(tz=s.tz, limits=limits)


async def _as_type(info: Info, subscription: SubscriptionModel) -> HolidaySubscriptionType:
    async with info.context.read_session() as session:
        counts = await service.holiday_counts(session, [subscription.id])
    return HolidaySubscriptionType.from_model(subscription, counts[subscription.id])


@strawberry.type
class HolidaySubscriptionsQuery:
    @strawberry.field(description="Holiday subscriptions, optionally of one period (admin+).")
    async def holiday_subscriptions(
        self, info: Info, academic_period_id: int | None = None
    ) -> list[HolidaySubscriptionType]:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            rows = await service.list_subscriptions(session, academic_period_id)
            counts = await service.holiday_counts(session, [r.id for r in rows])
        return [HolidaySubscriptionType.from_model(r, counts[r.id]) for r in rows]


@strawberry.type
class HolidaySubscriptionsMutation:
    @strawberry.mutation(
        description="Subscribe a period to an iCalendar holiday feed (http, https or webcal) and fetch it now; "
        "it is refreshed daily (admin+)."
    )
    async def create_holiday_subscription(
        self, info: Info, url: str, academic_period_id: int
    ) -> HolidaySubscriptionResult:
        principal = require(info)
        ctx = info.context

        async def run() -> HolidaySubscriptionType:
            created = await service.create_subscription(
                ctx.container, principal, url, academic_period_id, _options(info), ip=ctx.client_ip
            )
            return await _as_type(info, created)

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Fetch the feed now (conditional request); errors are kept on it (admin+).")
    async def refresh_holiday_subscription(self, info: Info, id: int) -> HolidaySubscriptionResult:
        principal = require(info)
        ctx = info.context

        async def run() -> HolidaySubscriptionType:
            options = _options(info)
            refreshed = await service.refresh_subscription(ctx.container, principal, id, options, ip=ctx.client_ip)
            return await _as_type(info, refreshed)

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a subscription and the holidays it brought (admin+).")
    async def delete_holiday_subscription(self, info: Info, id: int) -> DeleteHolidaySubscriptionResult:
        principal = require(info)
        ctx = info.context

        async def run() -> HolidaySubscriptionDeleted:
            deleted = await service.delete_subscription(ctx.container, principal, id, ip=ctx.client_ip)
            return HolidaySubscriptionDeleted(id=id, url=deleted.url)

        return await as_result(run)  # type: ignore[return-value]
