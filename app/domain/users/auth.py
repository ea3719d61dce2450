"""Logging in and out and changing one's own password — the use cases `login`, `logout`, `change_password`.

A failed login must be written even though the caller gets an error, so `login` commits its unit of work
(the failure counts, a lockout's audit row) and raises only after that.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.clock import utcnow
from app.domain.enums import Role, TokenKind
from app.domain.errors import AuthenticationError, DomainError, ValidationError
from app.domain.ports import AuthDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.login_policy import (
    INVALID_CREDENTIALS,
    Device,
    LoginGuard,
    account_key,
    account_lock_after,
    device_source,
    ip_source,
    is_locked,
)
from app.domain.users.models import ApiToken, User
from app.domain.users.passwords import (
    MAX_PASSWORD_LENGTH,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.domain.users.throttles import find_throttle, forget_source, prune, record_failure
from app.domain.users.tokens import Principal, create_token, revoke_token

log = logging.getLogger(__name__)

MAX_USERNAME_LENGTH = 100
# MariaDB deadlock / lock wait timeout between parallel login attempts.
_LOCK_CONFLICT_CODES = frozenset({1213, 1205})
_LOCK_CONFLICT_RETRIES = 3
PRUNE_EVERY_FAILURES = 100


@dataclass(frozen=True, slots=True)
class Login:
    """The credentials, this account's device token from this client (if any) and the caller's address."""

    username: str
    password: str
    device_token: str | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class Logout:
    """End the session the caller is using."""


@dataclass(frozen=True, slots=True)
class ChangePassword:
    current_password: str
    new_password: str


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str
    user: User
    expires_at: datetime | None
    # Present it on the next login of this account from this client: it stays judged on its own.
    device_token: str | None = None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    username: str
    password: str
    ip: str | None
    device: Device | None
    ttl: timedelta
    now: datetime


async def _find_user(session: AsyncSession, username: str) -> User | None:
    name = username.strip()
    if not name or len(name) > MAX_USERNAME_LENGTH:
        return None
    return await session.scalar(select(User).where(func.lower(User.username) == name.lower()))


async def _audit_lock(
    session: AsyncSession, user: User, scope: str, until: datetime, failures: int, ip: str | None
) -> None:
    log.warning(
        "event=login_locked user=%r scope=%s until=%s failures=%d source=%s",
        user.username,
        scope,
        until.isoformat(),
        failures,
        ip or "?",
    )
    details = {"scope": scope, "until": until.isoformat(), "failures": failures, "role": user.role.value}
    await record_audit(session, None, "user.lockout", "user", user.id, details, ip=ip)


async def _fail(
    session: AsyncSession, attempt: LoginAttempt, user: User | None, known_device: bool, source: str
) -> None:
    """Count a failure against the source (or device) and, from unknown sources, the account."""
    now = attempt.now
    throttle, locked = await record_failure(session, account_key(attempt.username), source, now)
    if user is not None and locked and throttle.locked_until is not None:
        scope = "device" if known_device else "source"
        await _audit_lock(session, user, scope, throttle.locked_until, throttle.failures, attempt.ip)
    if user is None:
        return
    if user.locked_until is not None and not is_locked(user.locked_until, now):
        user.failed_login_attempts = 0  # the account-wide lock has run out: a fresh count
        user.locked_until = None
    user.failed_login_attempts = (user.failed_login_attempts or 0) + 1
    user.last_failed_login_at = now
    if not known_device and user.locked_until is None:
        until = account_lock_after(user.failed_login_attempts, now)
        if until is not None:
            user.locked_until = until
            await _audit_lock(session, user, "account", until, user.failed_login_attempts, attempt.ip)


@dataclass(frozen=True, slots=True)
class _Checked:
    """The password verdict, reached before any write (argon2 is slow; it never runs twice)."""

    user_id: int | None
    password_ok: bool


async def _check_password(deps: AuthDeps, attempt: LoginAttempt) -> _Checked:
    async with deps.db.read_session() as session:
        user = await _find_user(session, attempt.username)
        password_hash, user_id = (user.password_hash, user.id) if user else (None, None)
    # Always pay for one argon2 verification (a dummy hash for unknown users), locked or not, so timing
    # tells nothing; in a thread, because argon2 is deliberately slow and would stall every other request.
    candidate = attempt.password if len(attempt.password) <= MAX_PASSWORD_LENGTH else ""
    ok = await asyncio.to_thread(verify_password, password_hash, candidate)
    return _Checked(user_id, ok and bool(candidate))


async def _apply(
    session: AsyncSession, attempt: LoginAttempt, checked: _Checked, guard: LoginGuard
) -> tuple[LoginResult | DomainError, bool]:
    """The outcome, and whether it was a counted failure (not a refusal during a lock)."""
    refused = AuthenticationError(INVALID_CREDENTIALS)
    # Under a row lock so concurrent attempts on one account are counted one after the other.
    user = None
    if checked.user_id is not None:
        user = await session.get(User, checked.user_id, with_for_update=True, populate_existing=True)
    known_device = user is not None and attempt.device is not None and attempt.device.user_id == user.id
    source = device_source(attempt.device.device_id) if known_device and attempt.device else ip_source(attempt.ip)
    account = account_key(attempt.username)

    throttle = await find_throttle(session, account, source)
    if throttle is not None and is_locked(throttle.locked_until, attempt.now):
        return refused, False  # locked from this source only; attempts meanwhile are not counted
    if not known_device and user is not None and is_locked(user.locked_until, attempt.now):
        return refused, False  # closed to unknown sources; known devices still get in
    if user is None or not checked.password_ok or not user.is_active:
        await _fail(session, attempt, user, known_device, source)
        return refused, True

    if throttle is not None:
        await forget_source(session, account, source)
    user.last_login_at = attempt.now
    if not is_locked(user.locked_until, attempt.now):
        # A known device getting in says nothing about the strangers: their lock (and count) stays.
        user.failed_login_attempts = 0
        user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(hash_password, attempt.password)
    raw, token = await create_token(session, user, TokenKind.SESSION, ttl=attempt.ttl, ip=attempt.ip)
    device = attempt.device if known_device and attempt.device else guard.devices.issue(user.id)
    return LoginResult(token=raw, user=user, expires_at=token.expires_at, device_token=device.token), False


def _is_lock_conflict(exc: OperationalError) -> bool:
    args = getattr(exc.orig, "args", ())
    return bool(args) and args[0] in _LOCK_CONFLICT_CODES


async def _prune_now_and_then(deps: AuthDeps, guard: LoginGuard, now: datetime) -> None:
    guard.failures_since_prune += 1
    if guard.failures_since_prune < PRUNE_EVERY_FAILURES:
        return
    guard.failures_since_prune = 0
    try:
        async with unit_of_work(deps, None) as uow:
            await prune(uow.session, now)
    except Exception as exc:  # housekeeping only: the next round tries again
        log.info("event=login_throttle_prune_failed error=%s", type(exc).__name__)


def _check_source(guard: LoginGuard, ip: str | None) -> None:
    try:
        guard.limiter.check_source(ip)
    except DomainError:
        log.info("event=login_rate_limited source=%s", ip or "?")
        raise


async def _apply_with_retries(
    deps: AuthDeps, attempt: LoginAttempt, checked: _Checked
) -> tuple[LoginResult | DomainError, bool]:
    for retry in range(_LOCK_CONFLICT_RETRIES + 1):
        try:
            async with unit_of_work(deps, None) as uow:
                return await _apply(uow.session, attempt, checked, deps.login_guard)
        except OperationalError as exc:  # a MariaDB deadlock between parallel attempts: do it again
            if retry == _LOCK_CONFLICT_RETRIES or not _is_lock_conflict(exc):
                raise
    raise AssertionError("unreachable: the last retry raises")


async def login(
    deps: AuthDeps, principal: Principal | None, command: Login, *, now: datetime | None = None
) -> LoginResult:
    """A new session token for valid credentials; raises AuthenticationError or RateLimitedError.

    Anyone may try (`principal` is not looked at). The rules are in `login_policy`; refusals about an
    account all carry the same key, `auth.invalid_credentials`.
    """
    guard = deps.login_guard
    ip = command.ip
    username = command.username or ""
    device = guard.devices.verify(command.device_token)
    if device is None:
        _check_source(guard, ip)
    ttl = timedelta(hours=deps.settings.session_ttl_hours)
    attempt = LoginAttempt(username, command.password or "", ip, device, ttl, now or utcnow())
    checked = await _check_password(deps, attempt)
    # Only this account's own device token exempts from the per-address limit (not any valid one).
    known = device is not None and device.user_id == checked.user_id
    if device is not None and not known:
        _check_source(guard, ip)
    outcome, counted = await _apply_with_retries(deps, attempt, checked)
    if isinstance(outcome, DomainError):
        if counted and not known:
            guard.limiter.source_failed(ip)
        log.info("event=login_failed user=%r source=%s", account_key(username), ip or "?")
        await _prune_now_and_then(deps, guard, attempt.now)
        raise outcome
    return outcome


async def logout(deps: AuthDeps, principal: Principal | None, command: Logout) -> bool:
    """Revoke the token the caller used; it stops working immediately. False: nothing to revoke."""
    caller = require_role(principal, Role.USER)
    if caller.token_id is None:
        return False
    token_id = caller.token_id
    async with unit_of_work(deps, caller) as uow:
        return await revoke_token(uow.session, token_id)


async def change_password(deps: AuthDeps, principal: Principal | None, command: ChangePassword) -> User:
    """Self-service: needs the current password; every other session of the user ends.

    Guesses of the current password (say, from a stolen session) are rate limited like logins.
    """
    caller = require_role(principal, Role.USER)
    limiter = deps.login_guard.limiter
    async with unit_of_work(deps, caller) as uow:
        user = await uow.session.get(User, caller.user_id)
        if user is None:
            raise AuthenticationError("auth.required")
        limiter_key = f"#change-password:{user.id}"
        limiter.register_attempt(caller.ip, limiter_key)
        current = command.current_password or ""
        if len(current) > MAX_PASSWORD_LENGTH or not await asyncio.to_thread(
            verify_password, user.password_hash, current
        ):
            raise ValidationError("password.current_wrong", field="currentPassword")
        limiter.succeeded(caller.ip, limiter_key)
        new_password = command.new_password or ""
        check_password_policy(new_password)
        if new_password == current:
            raise ValidationError("password.unchanged", field="newPassword")
        now = utcnow()
        user.password_hash = await asyncio.to_thread(hash_password, new_password)
        user.last_password_change_at = now
        stmt = update(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.kind == TokenKind.SESSION, ApiToken.revoked_at.is_(None)
        )
        if caller.token_id is not None:
            stmt = stmt.where(ApiToken.id != caller.token_id)
        await uow.session.execute(stmt.values(revoked_at=now))
        await uow.session.flush()
        await uow.audit("user.change_password", "user", user.id, {"role": user.role.value})
    return user
