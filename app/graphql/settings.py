"""System settings: every logged-in user may read them, admins change them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Union

import strawberry

from app.domain.settings import service
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ForbiddenError, ValidationError
from app.graphql.types_users import as_result


@strawberry.type
class SystemSetting:
    key: str
    value: str
    default_value: str | None
    type: str = strawberry.field(description="string, bool, int, float or url")
    description: str | None
    updated_at: datetime | None
    updated_by: int | None

    @classmethod
    def from_view(cls, view: service.SettingView) -> SystemSetting:
        return cls(
            key=view.key,
            value=view.value,
            default_value=view.default,
            type=view.type,
            description=view.description,
            updated_at=view.updated_at,
            updated_by=view.updated_by,
        )


@strawberry.type
class SupplementTable:
    url: str
    enabled: bool


SystemSettingResult = Annotated[
    Union[SystemSetting, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("SystemSettingResult"),
]
SupplementTableResult = Annotated[
    Union[SupplementTable, ValidationError, ForbiddenError],  # noqa: UP007
    strawberry.union("SupplementTableResult"),
]


@strawberry.type
class SettingsQuery:
    @strawberry.field(description="Every setting with its effective value (stored, else the default).")
    async def system_settings(self, info: Info) -> list[SystemSetting]:
        return [SystemSetting.from_view(v) for v in await service.settings_list(info.context.container, caller(info))]

    @strawberry.field
    async def system_setting(self, info: Info, key: str) -> SystemSetting | None:
        view = await service.setting_by_key(info.context.container, caller(info), key)
        return SystemSetting.from_view(view) if view else None

    @strawberry.field(description="The WebUntis supplement table shown by `webuntis` events.")
    async def supplement_table(self, info: Info) -> SupplementTable:
        table = await service.supplement_table(info.context.container, caller(info))
        return SupplementTable(url=table.url, enabled=table.enabled)


@strawberry.type
class SettingsMutation:
    @strawberry.mutation(description="Validate and store one setting (admin+).")
    async def set_system_setting(self, info: Info, key: str, value: str) -> SystemSettingResult:
        async def run() -> SystemSetting:
            command = service.SetSetting(key, value)
            return SystemSetting.from_view(await service.set_setting(info.context.container, caller(info), command))

        return await as_result(run)

    @strawberry.mutation(description="Save the supplement table URL and whether it is shown (admin+).")
    async def set_supplement_table(self, info: Info, url: str, enabled: bool) -> SupplementTableResult:
        async def run() -> SupplementTable:
            command = service.SetSupplementTable(url, enabled)
            table = await service.set_supplement_table(info.context.container, caller(info), command)
            return SupplementTable(url=table.url, enabled=table.enabled)

        return await as_result(run)
