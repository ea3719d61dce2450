"""School holidays over GraphQL: reading needs login; writes and the CSV/TXT/iCalendar import need admin+."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Union

import strawberry
from strawberry.file_uploads import Upload

from app.domain.periods import holidays as service
from app.domain.periods.models import SchoolHoliday as SchoolHolidayModel
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.types_users import as_result


@strawberry.type(name="SchoolHoliday")
class SchoolHolidayType:
    id: int
    academic_period_id: int | None
    name: str
    region: str | None
    start_date: date
    end_date: date
    source_file_name: str | None
    subscription_id: int | None = strawberry.field(
        description="The holiday subscription that brought it (a refresh replaces it); null = entered or imported."
    )
    imported_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_model(cls, h: SchoolHolidayModel) -> SchoolHolidayType:
        return cls(
            id=h.id,
            academic_period_id=h.academic_period_id,
            name=h.name,
            region=h.region,
            start_date=h.start_date,
            end_date=h.end_date,
            source_file_name=h.source_file_name,
            subscription_id=h.subscription_id,
            imported_at=h.imported_at,
            created_at=h.created_at,
            updated_at=h.updated_at,
        )


@strawberry.input
class SchoolHolidayInput:
    name: str
    start_date: date
    end_date: date
    region: str | None = None

    def values(self) -> service.HolidayValues:
        return service.HolidayValues(self.name, self.start_date, self.end_date, self.region)


@strawberry.type(description="What an import did: counts plus the skipped and conflicting lines.")
class HolidayImportSummary:
    inserted: int
    updated: int
    merged: int
    skipped: int
    conflicts: int
    conflict_lines: list[str]
    skipped_lines: list[str]
    refused: int = strawberry.field(description="Entries that could not be read (counted in skipped, too).")
    refused_lines: list[str] = strawberry.field(default_factory=list)
    file_format: str = strawberry.field(default="csv", description="`csv` or `ics` (detected by content).")

    @classmethod
    def from_summary(cls, s: service.ImportSummary) -> HolidayImportSummary:
        return cls(
            inserted=s.inserted,
            updated=s.updated,
            merged=s.merged,
            skipped=s.skipped,
            conflicts=s.conflicts,
            conflict_lines=s.conflict_lines,
            skipped_lines=s.skipped_lines,
            refused=s.refused,
            refused_lines=s.refused_lines,
            file_format=s.file_format,
        )


@strawberry.type
class HolidayDeleted:
    id: int
    name: str


HolidayResult = Annotated[
    Union[SchoolHolidayType, ValidationError, ConflictError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("HolidayResult"),
]
DeleteHolidayResult = Annotated[
    Union[HolidayDeleted, ConflictError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("DeleteHolidayResult"),
]
HolidayImportResult = Annotated[
    Union[HolidayImportSummary, ValidationError, ConflictError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("HolidayImportResult"),
]


@strawberry.type
class HolidaysQuery:
    @strawberry.field(
        description="Holidays of a period by start date (default: the active period); "
        "unassigned: true lists the legacy holidays without a period."
    )
    async def holidays(
        self, info: Info, academic_period_id: int | None = None, unassigned: bool = False
    ) -> list[SchoolHolidayType]:
        rows = await service.holidays_of(
            info.context.container, caller(info), academic_period_id, unassigned=unassigned
        )
        return [SchoolHolidayType.from_model(h) for h in rows]


@strawberry.type
class HolidaysMutation:
    @strawberry.mutation(description="Add holidays to a period; same name+region overlaps or neighbours merge.")
    async def create_holiday(self, info: Info, academic_period_id: int, input: SchoolHolidayInput) -> HolidayResult:
        async def run() -> SchoolHolidayType:
            command = service.CreateHoliday(academic_period_id, input.values())
            return SchoolHolidayType.from_model(
                await service.create_holiday(info.context.container, caller(info), command)
            )

        return await as_result(run)

    @strawberry.mutation(description="Edit holidays (same rules as creating them).")
    async def update_holiday(self, info: Info, id: int, input: SchoolHolidayInput) -> HolidayResult:
        async def run() -> SchoolHolidayType:
            command = service.UpdateHoliday(id, input.values())
            return SchoolHolidayType.from_model(
                await service.update_holiday(info.context.container, caller(info), command)
            )

        return await as_result(run)

    @strawberry.mutation(description="Delete holidays.")
    async def delete_holiday(self, info: Info, id: int) -> DeleteHolidayResult:
        async def run() -> HolidayDeleted:
            holiday = await service.delete_holiday(info.context.container, caller(info), service.DeleteHoliday(id))
            return HolidayDeleted(id=id, name=holiday.name)

        return await as_result(run)

    @strawberry.mutation(
        description="Import a CSV/TXT list (name, start, end[, region]; `,` `;` or tab; ISO or dd.mm.yyyy) or an "
        "iCalendar file (all-day VEVENTs, DTEND exclusive, RRULEs expanded within the period; detected by "
        "content), at most 1 MB, into a period. Conflicting rows are skipped, unreadable VEVENTs refused; "
        "both are reported."
    )
    async def import_holidays(self, info: Info, academic_period_id: int, file: Upload) -> HolidayImportResult:
        async def run() -> HolidayImportSummary:
            upload: Any = file  # read by the use case once it has checked the role
            command = service.ImportHolidays(academic_period_id, upload, getattr(file, "filename", None))
            summary = await service.import_holidays(info.context.container, caller(info), command)
            return HolidayImportSummary.from_summary(summary)

        return await as_result(run)
