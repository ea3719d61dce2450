from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.config import ConfigurationError, Settings, load_settings
from app.domain.bootstrap import bootstrap
from app.domain.db import Database
from app.domain.models import AcademicPeriod, SystemSetting, User
from app.domain.users.passwords import verify_password


async def test_first_run_creates_settings_superadmin_and_school_years(any_db: Database, settings: Settings) -> None:
    report = await bootstrap(any_db, settings, now=datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    assert report.superadmin_created and report.periods_created == 3
    assert report.active_period == "Schuljahr 2026/27"
    async with any_db.read_session() as s:
        values = {k: v for k, v in (await s.execute(select(SystemSetting.key, SystemSetting.value))).all()}
        assert values["presentation_interval"] == "10"
        assert values["video_volume"] == "0.8"
        assert values["video_muted"] == "false"
        assert "supplement_table_url" in values and "webuntis_url" not in values
        admin = await s.scalar(select(User).where(User.username == "superadmin"))
        assert admin is not None and admin.role.value == "superadmin"
        assert verify_password(admin.password_hash, "superadmin-pass")
        active = (await s.scalars(select(AcademicPeriod).where(AcademicPeriod.is_active.is_(True)))).all()
        assert [p.display_name for p in active] == ["SJ 26/27"]


async def test_bootstrap_is_idempotent_and_keeps_admin_changes(db: Database, settings: Settings) -> None:
    await bootstrap(db, settings)
    async with db.session() as s:
        setting = await s.get(SystemSetting, "presentation_interval")
        assert setting is not None
        setting.value = "25"
    second = await bootstrap(db, settings)
    assert not second.superadmin_created and second.periods_created == 0 and second.settings_created == []
    async with db.read_session() as s:
        assert (await s.get(SystemSetting, "presentation_interval")).value == "25"  # type: ignore[union-attr]
        assert await s.scalar(select(func.count()).select_from(User)) == 1


async def test_summer_holidays_leave_every_period_inactive(db: Database, settings: Settings) -> None:
    report = await bootstrap(db, settings, now=datetime(2026, 8, 1, 10, 0, tzinfo=UTC))
    assert report.active_period is None


async def test_development_generates_a_password_once(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dev = load_settings(DATA_DIR=str(tmp_path))
    report = await bootstrap(db, dev)
    assert report.generated_password and len(report.generated_password) >= 12
    async with db.read_session() as s:
        admin = await s.scalar(select(User))
        assert admin is not None and verify_password(admin.password_hash, report.generated_password)
    assert (await bootstrap(db, dev)).generated_password is None


async def test_production_without_a_password_is_a_clear_error(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prod = load_settings(DATA_DIR=str(tmp_path), ENV="production", SECRET_KEY="s" * 32)
    with pytest.raises(ConfigurationError, match="DEFAULT_SUPERADMIN_PASSWORD"):
        await bootstrap(db, prod)
    async with db.read_session() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 0
