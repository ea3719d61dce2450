"""Academic periods over GraphQL: reading needs login, the lifecycle needs admin+."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar, Union

import strawberry

from app.domain.enums import AcademicPeriodType as DomainPeriodType
from app.domain.periods import service
from app.domain.periods.models import AcademicPeriod as AcademicPeriodModel
from app.domain.users.tokens import Principal
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import BlockedError, ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.types_users import as_result

C = TypeVar("C")

AcademicPeriodType = strawberry.enum(DomainPeriodType, name="AcademicPeriodType")


@strawberry.type(name="AcademicPeriod")
class AcademicPeriodGQL:
    id: int
    name: str
    display_name: str | None
    start_date: date
    end_date: date
    period_type: AcademicPeriodType  # type: ignore[valid-type]
    is_active: bool
    is_archived: bool
    archived_at: datetime | None
    archived_by: int | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_model(cls, p: AcademicPeriodModel) -> AcademicPeriodGQL:
        return cls(
            id=p.id,
            name=p.name,
            display_name=p.display_name,
            start_date=p.start_date,
            end_date=p.end_date,
            period_type=p.period_type,
            is_active=p.is_active,
            is_archived=p.is_archived,
            archived_at=p.archived_at,
            archived_by=p.archived_by,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


@strawberry.input
class AcademicPeriodInput:
    name: str
    display_name: str | None = None
    start_date: date
    end_date: date
    period_type: AcademicPeriodType = DomainPeriodType.SCHULJAHR  # type: ignore[valid-type]

    def values(self) -> service.PeriodValues:
        return service.PeriodValues(
            name=self.name,
            display_name=self.display_name,
            start_date=self.start_date,
            end_date=self.end_date,
            period_type=DomainPeriodType(self.period_type),
        )


@strawberry.type(description="What links to a period, and what keeps it from being archived or deleted.")
class AcademicPeriodUsage:
    period_id: int
    linked_events: int
    linked_media: int
    linked_holidays: int
    active_recurrences: int = strawberry.field(
        description="Recurring series of this period with occurrences today or later (recurrence spillover)."
    )
    has_active_recurrence: bool
    is_active: bool
    is_archived: bool
    can_archive: bool
    can_delete: bool
    archive_blockers: list[str]
    delete_blockers: list[str]
    blockers: list[str]

    @classmethod
    def from_usage(cls, u: service.PeriodUsage) -> AcademicPeriodUsage:
        return cls(
            period_id=u.period_id,
            linked_events=u.linked_events,
            linked_media=u.linked_media,
            linked_holidays=u.linked_holidays,
            active_recurrences=u.active_recurrences,
            has_active_recurrence=u.active_recurrences > 0,
            is_active=u.is_active,
            is_archived=u.is_archived,
            can_archive=not u.is_archived and not u.archive_blockers,
            can_delete=not u.delete_blockers,
            archive_blockers=u.archive_blockers,
            delete_blockers=u.delete_blockers,
            blockers=u.blockers,
        )


@strawberry.type
class AcademicPeriodDeleted:
    id: int
    name: str


AcademicPeriodResult = Annotated[
    Union[AcademicPeriodGQL, ValidationError, ConflictError, BlockedError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("AcademicPeriodResult"),
]
DeleteAcademicPeriodResult = Annotated[
    Union[AcademicPeriodDeleted, BlockedError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteAcademicPeriodResult"),
]


async def _lifecycle(info: Info, use_case: Callable[[Any, Principal | None, C], Awaitable[Any]], command: C) -> Any:
    async def run() -> AcademicPeriodGQL:
        return AcademicPeriodGQL.from_model(await use_case(info.context.container, caller(info), command))

    return await as_result(run)


@strawberry.type
class PeriodsQuery:
    @strawberry.field(description="Periods by start date; archived ones only when asked for.")
    async def academic_periods(
        self, info: Info, include_archived: bool = False, archived_only: bool = False
    ) -> list[AcademicPeriodGQL]:
        rows = await service.periods(
            info.context.container, caller(info), include_archived=include_archived, archived_only=archived_only
        )
        return [AcademicPeriodGQL.from_model(p) for p in rows]

    @strawberry.field(description="One period (archived included), or null.")
    async def academic_period(self, info: Info, id: int) -> AcademicPeriodGQL | None:
        period = await service.period_by_id(info.context.container, caller(info), id)
        return None if period is None else AcademicPeriodGQL.from_model(period)

    @strawberry.field(description="The active period, or null when none is active.")
    async def active_academic_period(self, info: Info) -> AcademicPeriodGQL | None:
        period = await service.the_active_period(info.context.container, caller(info))
        return None if period is None else AcademicPeriodGQL.from_model(period)

    @strawberry.field(description="The non-archived period covering a date (the active one first), or null.")
    async def academic_period_for_date(self, info: Info, date: date) -> AcademicPeriodGQL | None:
        period = await service.period_covering(info.context.container, caller(info), date)
        return None if period is None else AcademicPeriodGQL.from_model(period)

    @strawberry.field(description="Linked events/media and the blockers, for a preflight before archive/delete.")
    async def academic_period_usage(self, info: Info, id: int) -> AcademicPeriodUsage:
        usage = await service.usage_of_period(info.context.container, caller(info), id)
        return AcademicPeriodUsage.from_usage(usage)


@strawberry.type
class PeriodsMutation:
    @strawberry.mutation(description="Create an (inactive) period (admin+).")
    async def create_academic_period(self, info: Info, input: AcademicPeriodInput) -> AcademicPeriodResult:
        return await _lifecycle(info, service.create_period, service.CreatePeriod(input.values()))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Edit a period; archived periods cannot be edited (admin+).")
    async def update_academic_period(self, info: Info, id: int, input: AcademicPeriodInput) -> AcademicPeriodResult:
        command = service.UpdatePeriod(id, input.values())
        return await _lifecycle(info, service.update_period, command)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Make this the one active period (admin+).")
    async def activate_academic_period(self, info: Info, id: int) -> AcademicPeriodResult:
        return await _lifecycle(info, service.activate_period, service.ActivatePeriod(id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Soft-delete; blocked while active or while a recurring series still runs.")
    async def archive_academic_period(self, info: Info, id: int) -> AcademicPeriodResult:
        return await _lifecycle(info, service.archive_period, service.ArchivePeriod(id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Bring an archived period back (inactive).")
    async def restore_academic_period(self, info: Info, id: int) -> AcademicPeriodResult:
        return await _lifecycle(info, service.restore_period, service.RestorePeriod(id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Delete an archived, inactive period without linked events, for good.")
    async def delete_academic_period(self, info: Info, id: int) -> DeleteAcademicPeriodResult:
        async def run() -> AcademicPeriodDeleted:
            period = await service.delete_period(info.context.container, caller(info), service.DeletePeriod(id))
            return AcademicPeriodDeleted(id=id, name=period.name)

        return await as_result(run)
