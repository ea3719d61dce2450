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

from app.domain.periods import holiday_subscriptions as service
from app.domain.periods.holidays import ImportSummary
from app.domain.periods.models import HolidaySubscription as SubscriptionModel
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError, caller_language
from app.graphql.holidays import HolidayImportSummary
from app.graphql.types_users import as_result
from app.messages import translate_stored

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
            last_error=translate_stored(s.last_error, caller_language()) or None,  # stored in German
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


async def _as_type(info: Info, subscription: SubscriptionModel) -> HolidaySubscriptionType:
    [(row, count)] = await service.subscriptions_with_counts(
        info.context.container, caller(info), only_id=subscription.id
    )
    return HolidaySubscriptionType.from_model(row, count)


@strawberry.type
class HolidaySubscriptionsQuery:
    @strawberry.field(description="Holiday subscriptions, optionally of one period (admin+).")
    async def holiday_subscriptions(
        self, info: Info, academic_period_id: int | None = None
    ) -> list[HolidaySubscriptionType]:
        rows = await service.subscriptions_with_counts(info.context.container, caller(info), academic_period_id)
        return [HolidaySubscriptionType.from_model(r, n) for r, n in rows]


@strawberry.type
class HolidaySubscriptionsMutation:
    @strawberry.mutation(
        description="Subscribe a period to an iCalendar holiday feed (http, https or webcal) and fetch it now; "
        "it is refreshed daily (admin+)."
    )
    async def create_holiday_subscription(
        self, info: Info, url: str, academic_period_id: int
    ) -> HolidaySubscriptionResult:
        async def run() -> HolidaySubscriptionType:
            command = service.CreateHolidaySubscription(url, academic_period_id)
            return await _as_type(
                info, await service.create_subscription(info.context.container, caller(info), command)
            )

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Fetch the feed now (conditional request); errors are kept on it (admin+).")
    async def refresh_holiday_subscription(self, info: Info, id: int) -> HolidaySubscriptionResult:
        async def run() -> HolidaySubscriptionType:
            command = service.RefreshHolidaySubscription(id)
            return await _as_type(
                info, await service.refresh_subscription(info.context.container, caller(info), command)
            )

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a subscription and the holidays it brought (admin+).")
    async def delete_holiday_subscription(self, info: Info, id: int) -> DeleteHolidaySubscriptionResult:
        async def run() -> HolidaySubscriptionDeleted:
            command = service.DeleteHolidaySubscription(id)
            deleted = await service.delete_subscription(info.context.container, caller(info), command)
            return HolidaySubscriptionDeleted(id=id, url=deleted.url)

        return await as_result(run)  # type: ignore[return-value]
