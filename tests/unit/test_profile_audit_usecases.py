"""The own-profile use case and the audit query on fakes: who may, what is audited, what a refusal changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.domain.audit.queries import AuditFilter, search_audit
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ForbiddenError, ValidationError
from app.domain.users.models import User
from app.domain.users.profile import UpdateOwnProfile, update_own_profile
from tests.unit.fakes import FakeDeps, add_user, audit_rows, memory_database, unit_settings


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    db = await memory_database()
    yield FakeDeps(db=db, settings=unit_settings(tmp_path))
    await db.engine.dispose()


async def test_profile_change_is_audited_with_the_callers_address(deps: FakeDeps) -> None:
    teacher = await add_user(deps.db, Role.USER, "lehrer")
    user = await update_own_profile(deps, teacher, UpdateOwnProfile(email="Lehrer@Schule.example"))
    assert user.email == "Lehrer@schule.example"
    [row] = await audit_rows(deps.db, "user.profile")
    assert (row.actor_username, row.object_id, row.ip) == ("lehrer", str(teacher.user_id), "192.0.2.7")
    assert row.details == {"email": {"from": None, "to": "Lehrer@schule.example"}}
    await update_own_profile(deps, teacher, UpdateOwnProfile(email="Lehrer@schule.example"))
    assert len(await audit_rows(deps.db, "user.profile")) == 1  # nothing changed, nothing recorded


async def test_invalid_address_and_anonymous_caller_change_nothing(deps: FakeDeps) -> None:
    teacher = await add_user(deps.db, Role.USER, "lehrer")
    with pytest.raises(ValidationError) as refused:
        await update_own_profile(deps, teacher, UpdateOwnProfile(email="lehrer@"))
    assert refused.value.key == "profile.email_invalid"
    assert "keine gültige E-Mail-Adresse" in refused.value.message
    with pytest.raises(AuthenticationError):
        await update_own_profile(deps, None, UpdateOwnProfile(email="a@b.example"))
    async with deps.db.read_session() as session:
        assert (await session.get(User, teacher.user_id)).email is None  # type: ignore[union-attr]
    assert await audit_rows(deps.db, "user.profile") == []


async def test_audit_search_needs_an_admin(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR, "redaktion")
    admin = await add_user(deps.db, Role.ADMIN, "verwaltung")
    await update_own_profile(deps, editor, UpdateOwnProfile(email="r@schule.example"))
    with pytest.raises(ForbiddenError):
        await search_audit(deps, editor, AuditFilter())
    page = await search_audit(deps, admin, AuditFilter(actor="redak", limit=10))
    assert page.total == 1 and page.entries[0].action == "user.profile"
