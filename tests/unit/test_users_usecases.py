"""Users, auth and API tokens as use cases, on fakes: who may, what is audited, what is announced and when,
which error key a refusal carries, and the login policy's rules (in-memory SQLite, recording bus)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import Settings, load_settings
from app.domain.audit.models import AuditLogEntry
from app.domain.bus import USERS_CHANGED, DomainEvent
from app.domain.db import Database
from app.domain.enums import Role
from app.domain.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    RateLimitedError,
    ValidationError,
)
from app.domain.users import accounts, api_tokens, auth
from app.domain.users.login_policy import FREE_FAILURES, RATE_LIMIT_ATTEMPTS, LoginGuard
from app.domain.users.models import User
from app.domain.users.tokens import Principal, principal_for_token
from tests.unit.fakes_probe import RecordingBus, add_principal, memory_database


@dataclass
class UserDeps:
    """What the users area's use cases ask for (`AuthDeps`): db, bus, publisher, settings, login guard."""

    db: Database
    settings: Settings
    bus: RecordingBus = field(default_factory=RecordingBus)
    publisher: None = None
    login_guard: LoginGuard = field(init=False)

    def __post_init__(self) -> None:
        self.login_guard = LoginGuard(self.settings.secret_key)


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[UserDeps]:
    db = await memory_database()
    yield UserDeps(db, load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="unit"))
    await db.dispose()


async def audit_actions(db: Database) -> list[tuple[str, str | None, str | None]]:
    async with db.read_session() as session:
        rows = await session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id))
        return [(row.action, row.actor_username, row.ip) for row in rows]


async def user_count(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def make_account(deps: UserDeps, username: str, password: str = "richtig-123", role: Role = Role.USER) -> User:
    boss = await add_principal(deps.db, Role.SUPERADMIN)
    return await accounts.create_user(deps, boss, accounts.CreateUser(username, password, role))


def refused_key(excinfo: pytest.ExceptionInfo[DomainError]) -> str:
    return excinfo.value.key


async def test_only_admins_manage_accounts_and_a_refusal_writes_and_announces_nothing(deps: UserDeps) -> None:
    editor = await add_principal(deps.db, Role.EDITOR)
    before = await user_count(deps.db)
    with pytest.raises(ForbiddenError) as refused:
        await accounts.create_user(deps, editor, accounts.CreateUser("neu", "geheim-123"))
    assert refused_key(refused) == "auth.forbidden" and refused.value.code == "FORBIDDEN"
    with pytest.raises(AuthenticationError) as anonymous:
        await accounts.create_user(deps, None, accounts.CreateUser("neu", "geheim-123"))
    assert refused_key(anonymous) == "auth.required"
    admin = await add_principal(deps.db, Role.ADMIN)
    with pytest.raises(ForbiddenError) as escalation:
        await accounts.create_user(deps, admin, accounts.CreateUser("chef", "geheim-123", Role.SUPERADMIN))
    assert refused_key(escalation) == "user.superadmin_create"
    assert await user_count(deps.db) == before + 1  # only the admin added above
    assert await audit_actions(deps.db) == [] and deps.bus.events == []


async def test_a_created_account_is_audited_with_the_callers_address_and_announced_after_commit(
    deps: UserDeps,
) -> None:
    admin = await add_principal(deps.db, Role.ADMIN, "verwalter")

    async def visible_in_a_fresh_session(event: DomainEvent) -> bool:
        async with deps.db.read_session() as session:
            return await session.get(User, event.data["id"]) is not None

    deps.bus.probe = visible_in_a_fresh_session
    user = await accounts.create_user(deps, admin, accounts.CreateUser("  lehrerin ", "geheim-123", Role.EDITOR))
    assert user.username == "lehrerin" and user.role == Role.EDITOR
    assert await audit_actions(deps.db) == [("user.create", "verwalter", "192.0.2.10")]
    assert [(e.topic, e.data) for e in deps.bus.events] == [(USERS_CHANGED, {"id": user.id, "change": "created"})]
    assert deps.bus.observed == [True]  # published only once the row was committed


async def test_a_failing_write_rolls_back_and_announces_nothing(deps: UserDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    taken = await accounts.create_user(deps, admin, accounts.CreateUser("anna", "geheim-123"))
    other = await accounts.create_user(deps, admin, accounts.CreateUser("berta", "geheim-123"))
    deps.bus.events.clear()
    audit_before = await audit_actions(deps.db)
    with pytest.raises(ConflictError) as duplicate:
        await accounts.update_user(deps, admin, accounts.UpdateUser(other.id, username="ANNA", role=Role.EDITOR))
    assert refused_key(duplicate) == "user.username_taken" and duplicate.value.field == "username"
    assert duplicate.value.message == "Benutzername ist bereits vergeben."
    assert duplicate.value.text("en") == "This username is already taken."
    async with deps.db.read_session() as session:
        unchanged = await session.get(User, other.id)
        assert unchanged is not None and unchanged.role == Role.USER  # the role change went with the rollback
    assert await audit_actions(deps.db) == audit_before and deps.bus.events == []
    assert taken.id != other.id


async def test_nobody_changes_their_own_role_or_deletes_themselves(deps: UserDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    with pytest.raises(ForbiddenError) as own_role:
        await accounts.update_user(deps, admin, accounts.UpdateUser(admin.user_id, role=Role.USER))
    assert refused_key(own_role) == "user.own_role"
    with pytest.raises(ForbiddenError) as not_super:
        await accounts.delete_user(deps, admin, accounts.DeleteUser(admin.user_id))
    assert refused_key(not_super) == "user.delete_superadmin_only"
    boss = await add_principal(deps.db, Role.SUPERADMIN)
    with pytest.raises(ForbiddenError) as itself:
        await accounts.delete_user(deps, boss, accounts.DeleteUser(boss.user_id))
    assert refused_key(itself) == "user.delete_self"
    assert deps.bus.events == []


async def test_a_source_is_throttled_but_another_source_and_a_known_device_get_in(deps: UserDeps) -> None:
    await make_account(deps, "maria")
    first = await auth.login(deps, None, auth.Login("maria", "richtig-123", ip="10.0.0.1"))
    assert first.token and first.device_token
    for i in range(FREE_FAILURES):
        with pytest.raises(AuthenticationError) as wrong:
            await auth.login(deps, None, auth.Login("maria", f"falsch-{i}", ip="10.0.0.9"))
        assert refused_key(wrong) == "auth.invalid_credentials"
    # Throttled from that address, even with the right password, with the very same key ...
    with pytest.raises(AuthenticationError) as throttled:
        await auth.login(deps, None, auth.Login("maria", "richtig-123", ip="10.0.0.9"))
    assert refused_key(throttled) == "auth.invalid_credentials"
    # ... but not from another address, and not from the browser that logged in before.
    assert (await auth.login(deps, None, auth.Login("maria", "richtig-123", ip="10.0.0.2"))).token
    known = auth.Login("maria", "richtig-123", device_token=first.device_token, ip="10.0.0.9")
    assert (await auth.login(deps, None, known)).token
    actions = [action for action, _actor, _ip in await audit_actions(deps.db)]
    assert actions.count("user.lockout") == 1
    lockout = next(row for row in await audit_actions(deps.db) if row[0] == "user.lockout")
    assert lockout[1:] == ("system", "10.0.0.9")


async def test_logout_ends_only_the_session_used(deps: UserDeps) -> None:
    await make_account(deps, "lotte")
    one = await auth.login(deps, None, auth.Login("lotte", "richtig-123"))
    two = await auth.login(deps, None, auth.Login("lotte", "richtig-123"))
    caller = await principal_for_token(deps.db, one.token)
    assert caller is not None
    assert await auth.logout(deps, caller, auth.Logout()) is True
    assert await principal_for_token(deps.db, one.token) is None
    assert await principal_for_token(deps.db, two.token) is not None
    with pytest.raises(AuthenticationError):
        await auth.logout(deps, None, auth.Logout())


async def test_change_password_checks_the_current_one_rate_limits_guesses_and_is_audited(deps: UserDeps) -> None:
    user = await make_account(deps, "hanna", "alt-geheim")
    login = await auth.login(deps, None, auth.Login("hanna", "alt-geheim"))
    caller = await principal_for_token(deps.db, login.token)
    assert caller is not None
    caller = dataclasses.replace(caller, ip="10.9.9.9")
    with pytest.raises(ValidationError) as same:
        await auth.change_password(deps, caller, auth.ChangePassword("alt-geheim", "alt-geheim"))
    assert refused_key(same) == "password.unchanged" and same.value.field == "newPassword"
    with pytest.raises(ValidationError) as short:
        await auth.change_password(deps, caller, auth.ChangePassword("alt-geheim", "kurz"))
    assert refused_key(short) == "password.too_short" and "6" in short.value.message
    for _ in range(RATE_LIMIT_ATTEMPTS):  # a right current password (above) resets the count
        with pytest.raises(ValidationError) as wrong:
            await auth.change_password(deps, caller, auth.ChangePassword("geraten", "neu-geheim"))
        assert refused_key(wrong) == "password.current_wrong" and wrong.value.field == "currentPassword"
    with pytest.raises(RateLimitedError):
        await auth.change_password(deps, caller, auth.ChangePassword("alt-geheim", "neu-geheim"))

    other_caller = dataclasses.replace(caller, ip="10.9.9.8")  # the limit is per address and account
    changed = await auth.change_password(deps, other_caller, auth.ChangePassword("alt-geheim", "neu-geheim"))
    assert changed.id == user.id and changed.last_password_change_at is not None
    assert ("user.change_password", "hanna", "10.9.9.8") in await audit_actions(deps.db)


async def test_api_tokens_are_capped_at_the_callers_role_and_audited(deps: UserDeps) -> None:
    editor = await add_principal(deps.db, Role.EDITOR, "integra")
    with pytest.raises(ForbiddenError) as too_high:
        await api_tokens.create_api_token(deps, editor, api_tokens.CreateApiToken("sync", Role.ADMIN))
    assert refused_key(too_high) == "api_token.role_too_high"
    with pytest.raises(ValidationError) as validity:
        await api_tokens.create_api_token(deps, editor, api_tokens.CreateApiToken("sync", expires_in_days=0))
    assert refused_key(validity) == "api_token.validity" and validity.value.message == "Gültigkeit: 1 bis 3650 Tage."
    created = await api_tokens.create_api_token(deps, editor, api_tokens.CreateApiToken("sync", Role.USER))
    acting = await principal_for_token(deps.db, created.token)
    assert acting == Principal(editor.user_id, "integra", Role.USER, created.record.id, created.record.kind)
    token, owner = await api_tokens.revoke_api_token(deps, editor, api_tokens.RevokeApiToken(created.record.id))
    assert token.revoked_at is not None and owner == "integra"
    assert await principal_for_token(deps.db, created.token) is None
    actions = [(action, actor) for action, actor, _ip in await audit_actions(deps.db)]
    assert actions == [("api_token.create", "integra"), ("api_token.revoke", "integra")]
