"""Reading and changing system settings, plus the typed defaults other use cases build on.

Stored rows win; a key that has no row (or a blank value where a default exists) falls back to the
catalog default, so code never has to know whether bootstrap has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.settings.catalog import CATALOG, SettingSpec, as_bool, as_float, as_int, normalise_value
from app.domain.settings.models import SystemSetting
from app.domain.usecase import UnitOfWork, require_role, unit_of_work
from app.domain.users.tokens import Principal

MAX_VALUE_LENGTH = 10_000
WRITE_ROLE = Role.ADMIN


@dataclass(frozen=True, slots=True)
class PresentationDefaults:
    interval: int
    page_progress: bool
    auto_progress: bool


@dataclass(frozen=True, slots=True)
class VideoDefaults:
    autoplay: bool
    loop: bool
    volume: float
    muted: bool


@dataclass(frozen=True, slots=True)
class SupplementTable:
    url: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class SettingView:
    """One setting as callers see it: the effective value plus what the catalog knows about it."""

    key: str
    value: str
    default: str | None
    type: str
    description: str | None
    updated_at: datetime | None
    updated_by: int | None
    spec: SettingSpec | None


async def _stored(session: AsyncSession, keys: list[str] | None = None) -> dict[str, SystemSetting]:
    stmt = select(SystemSetting)
    if keys is not None:
        stmt = stmt.where(SystemSetting.key.in_(keys))
    return {row.key: row for row in (await session.scalars(stmt)).all()}


def _effective(key: str, row: SystemSetting | None) -> str:
    spec = CATALOG.get(key)
    value = row.value if row is not None else None
    if value is None or (value == "" and spec is not None and spec.default != ""):
        return spec.default if spec is not None else ""
    return value


def _view(key: str, row: SystemSetting | None) -> SettingView:
    spec = CATALOG.get(key)
    return SettingView(
        key=key,
        value=_effective(key, row),
        default=spec.default if spec else None,
        type=spec.type.value if spec else "string",
        description=(row.description if row is not None and row.description else None)
        or (spec.description if spec else None),
        updated_at=row.updated_at if row is not None else None,
        updated_by=row.updated_by if row is not None else None,
        spec=spec,
    )


async def get_values(session: AsyncSession, keys: list[str]) -> dict[str, str]:
    rows = await _stored(session, keys)
    return {key: _effective(key, rows.get(key)) for key in keys}


async def get_value(session: AsyncSession, key: str) -> str:
    return (await get_values(session, [key]))[key]


async def list_settings(session: AsyncSession) -> list[SettingView]:
    """Every catalog key (with its default if not stored) plus any extra stored keys, sorted by key."""
    rows = await _stored(session)
    keys = sorted(set(CATALOG) | set(rows))
    return [_view(key, rows.get(key)) for key in keys]


async def get_setting(session: AsyncSession, key: str) -> SettingView | None:
    rows = await _stored(session, [key])
    if key not in CATALOG and key not in rows:
        return None
    return _view(key, rows.get(key))


@dataclass(frozen=True)
class SetSetting:
    key: str
    value: str | None


async def _store(uow: UnitOfWork, actor: Principal, key: str, value: str | None) -> SettingView:
    key = (key or "").strip()
    if not key:
        raise ValidationError("setting.key_missing", field="key")
    if value is not None and len(value) > MAX_VALUE_LENGTH:
        raise ValidationError("setting.value_too_long", field=key, name=key)
    canonical = normalise_value(key, value)
    session = uow.session
    row = await session.get(SystemSetting, key)
    old = row.value if row is not None else None
    if row is None:
        spec = CATALOG.get(key)
        row = SystemSetting(key=key, description=spec.description if spec else None)
        session.add(row)
    row.value = canonical
    row.updated_by = actor.user_id
    row.updated_at = utcnow()
    await session.flush()
    await uow.audit("system_setting.set", "system_setting", key, {"old": old, "new": canonical})
    return _view(key, row)


async def set_setting(deps: UseCaseDeps, principal: Principal | None, command: SetSetting) -> SettingView:
    """Validate and store one value (admin+); the change is written to the audit trail."""
    actor = require_role(principal, WRITE_ROLE)
    async with unit_of_work(deps, actor) as uow:
        view = await _store(uow, actor, command.key, command.value)
    return view


async def get_presentation_defaults(session: AsyncSession) -> PresentationDefaults:
    values = await get_values(
        session, ["presentation_interval", "presentation_page_progress", "presentation_auto_progress"]
    )
    return PresentationDefaults(
        interval=as_int(values["presentation_interval"], 10),
        page_progress=as_bool(values["presentation_page_progress"], True),
        auto_progress=as_bool(values["presentation_auto_progress"], True),
    )


async def get_video_defaults(session: AsyncSession) -> VideoDefaults:
    values = await get_values(session, ["video_autoplay", "video_loop", "video_volume", "video_muted"])
    volume = min(1.0, max(0.0, as_float(values["video_volume"], 0.8)))
    return VideoDefaults(
        autoplay=as_bool(values["video_autoplay"], True),
        loop=as_bool(values["video_loop"], True),
        volume=volume,
        muted=as_bool(values["video_muted"], False),
    )


async def get_supplement_table(session: AsyncSession) -> SupplementTable:
    values = await get_values(session, ["supplement_table_url", "supplement_table_enabled"])
    return SupplementTable(
        url=values["supplement_table_url"], enabled=as_bool(values["supplement_table_enabled"], False)
    )


@dataclass(frozen=True)
class SetSupplementTable:
    url: str
    enabled: bool


async def set_supplement_table(
    deps: UseCaseDeps, principal: Principal | None, command: SetSupplementTable
) -> SupplementTable:
    """Both values in one unit of work; enabling needs a URL so displays never get an empty page."""
    actor = require_role(principal, WRITE_ROLE)
    clean_url = normalise_value("supplement_table_url", command.url)
    if command.enabled and not clean_url:
        raise ValidationError("setting.supplement_needs_url", field="url")
    async with unit_of_work(deps, actor) as uow:
        await _store(uow, actor, "supplement_table_url", clean_url)
        await _store(uow, actor, "supplement_table_enabled", "true" if command.enabled else "false")
    return SupplementTable(url=clean_url, enabled=command.enabled)


async def get_refresh_seconds(session: AsyncSession, fallback: int) -> int:
    """The forced re-publish interval: the DB setting when set, otherwise `fallback` (REFRESH_SECONDS)."""
    value = await get_value(session, "refresh_seconds")
    return as_int(value, fallback) if value != "" else fallback


async def get_broker_auto_approve(session: AsyncSession) -> bool:
    return as_bool(await get_value(session, "broker_auto_approve"), False)


# --- queries (adapters call these; reading needs a login) ----------------------------------------------


async def settings_list(deps: UseCaseDeps, principal: Principal | None) -> list[SettingView]:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await list_settings(session)


async def setting_by_key(deps: UseCaseDeps, principal: Principal | None, key: str) -> SettingView | None:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await get_setting(session, key)


async def supplement_table(deps: UseCaseDeps, principal: Principal | None) -> SupplementTable:
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await get_supplement_table(session)
