"""The SMTP server alarm mails go through: SMTP_* environment values, overridden by what an admin stored in
Einstellungen (one `smtp_settings` row; a NULL column falls back to the environment). The password is
never read back: the view only says whether one is set."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.domain.alarms.models import SmtpSettings
from app.domain.enums import Role
from app.domain.errors import ValidationError
from app.domain.ports import SettingsDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

ROW_ID = 1
SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    username: str
    password: str
    from_address: str
    timeout: float


@dataclass(frozen=True, slots=True)
class SmtpSettingsView:
    """The effective values and which of them are stored overrides (the rest come from the environment)."""

    host: str
    port: int
    security: str
    username: str
    from_address: str
    password_set: bool
    overridden: tuple[str, ...]


def _merge(settings: Settings, row: SmtpSettings | None) -> SmtpConfig:
    def pick(stored: object, default: object) -> object:
        return default if stored is None else stored

    r = row or SmtpSettings()
    return SmtpConfig(
        host=str(pick(r.host, settings.smtp_host)),
        port=int(pick(r.port, settings.smtp_port)),  # type: ignore[call-overload]
        security=str(pick(r.security, settings.smtp_security)),
        username=str(pick(r.username, settings.smtp_username)),
        password=str(pick(r.password, settings.smtp_password)),
        from_address=str(pick(r.from_address, settings.smtp_from)),
        timeout=settings.notify_timeout_seconds,
    )


async def smtp_config(session: AsyncSession, settings: Settings) -> SmtpConfig:
    return _merge(settings, await session.get(SmtpSettings, ROW_ID))


async def load_smtp_config(deps: SettingsDeps) -> SmtpConfig:
    async with deps.db.read_session() as session:
        return await smtp_config(session, deps.settings)


def _view(settings: Settings, row: SmtpSettings | None) -> SmtpSettingsView:
    config = _merge(settings, row)
    names = ("host", "port", "security", "username", "password", "from_address")
    overridden = tuple(n for n in names if row is not None and getattr(row, n) is not None)
    return SmtpSettingsView(config.host, config.port, config.security, config.username, config.from_address,
                            bool(config.password), overridden)  # fmt: skip


async def smtp_settings(deps: SettingsDeps, principal: Principal | None) -> SmtpSettingsView:
    require_role(principal, Role.ADMIN)
    async with deps.db.read_session() as session:
        return _view(deps.settings, await session.get(SmtpSettings, ROW_ID))


@dataclass(frozen=True, slots=True)
class SetSmtpSettings:
    """None in a field: use the environment's value again. `password` None keeps the stored one unless
    `clear_password`."""

    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    from_address: str | None = None
    password: str | None = None
    clear_password: bool = False


def _clean(command: SetSmtpSettings) -> SetSmtpSettings:
    host = command.host.strip() if command.host is not None else None
    if host is not None and (len(host) > 255 or " " in host):
        raise ValidationError("smtp.bad_host", field="host")
    if command.port is not None and not 1 <= command.port <= 65535:
        raise ValidationError("smtp.bad_port", field="port")
    if command.security is not None and command.security not in SECURITY:
        raise ValidationError("smtp.bad_security", field="security")
    sender = command.from_address.strip() if command.from_address is not None else None
    if sender is not None and ("@" not in parseaddr(sender)[1] or len(sender) > 254):
        raise ValidationError("smtp.bad_from", field="fromAddress")
    username = command.username.strip() if command.username is not None else None
    if (username and len(username) > 255) or (command.password and len(command.password) > 255):
        raise ValidationError("smtp.too_long", field="username")
    return SetSmtpSettings(host, command.port, command.security, username, sender, command.password,
                           command.clear_password)  # fmt: skip


async def set_smtp_settings(
    deps: SettingsDeps, principal: Principal | None, command: SetSmtpSettings
) -> SmtpSettingsView:
    require_role(principal, Role.ADMIN)
    clean = _clean(command)
    async with unit_of_work(deps, principal) as uow:
        row = await uow.session.get(SmtpSettings, ROW_ID)
        if row is None:
            row = SmtpSettings(id=ROW_ID)
            uow.session.add(row)
        row.host, row.port, row.security = clean.host, clean.port, clean.security
        row.username, row.from_address = clean.username, clean.from_address
        if clean.clear_password:
            row.password = None
        elif clean.password is not None:
            row.password = clean.password
        row.updated_by = principal.user_id if principal is not None else None
        await uow.session.flush()
        view = _view(deps.settings, row)
        await uow.audit("alarm.smtp_settings", "smtp_settings", ROW_ID,
                        {"overridden": list(view.overridden), "host": view.host, "port": view.port,
                         "security": view.security})  # fmt: skip
    return view
