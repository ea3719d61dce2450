"""Idempotent first-run setup: default settings, the superadmin account and academic periods."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.config import ConfigurationError, Settings
from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import Role
from app.domain.periods.defaults import activate_period_for_date, seed_default_periods
from app.domain.settings.catalog import CATALOG
from app.domain.settings.models import SystemSetting
from app.domain.users.models import User
from app.domain.users.passwords import check_password_policy, hash_password

log = logging.getLogger(__name__)


@dataclass
class BootstrapReport:
    settings_created: list[str] = field(default_factory=list)
    superadmin_created: bool = False
    generated_password: str | None = None
    periods_created: int = 0
    active_period: str | None = None


async def bootstrap(db: Database, settings: Settings, *, now: datetime | None = None) -> BootstrapReport:
    report = BootstrapReport()
    now = now or utcnow()
    async with db.session() as session:
        existing = set((await session.scalars(select(SystemSetting.key))).all())
        for spec in CATALOG.values():
            if spec.key not in existing:
                session.add(SystemSetting(key=spec.key, value=spec.default, description=spec.description))
                report.settings_created.append(spec.key)

        username = settings.default_superadmin_username.strip()
        user = await session.scalar(select(User).where(User.username == username))
        if user is None:
            password = settings.default_superadmin_password
            if not password:
                if settings.is_production:
                    raise ConfigurationError(
                        "DEFAULT_SUPERADMIN_PASSWORD must be set in production to create the superadmin account"
                    )
                password = secrets.token_urlsafe(12)
                report.generated_password = password
            check_password_policy(password)
            session.add(
                User(
                    username=username,
                    password_hash=hash_password(password),
                    role=Role.SUPERADMIN,
                    is_active=True,
                    last_password_change_at=now,
                )
            )
            report.superadmin_created = True

        report.periods_created = await seed_default_periods(session)
        local_today = now.astimezone(settings.tz).date()
        period = await activate_period_for_date(session, local_today)
        report.active_period = period.name if period else None
    return report
