"""Logging in and out, changing one's own password, and integrator API tokens.

A failed login must be written even though the caller gets an error, so `login` runs its own unit of
work and raises only after it has committed.
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
from app.domain.db import Database
from app.domain.enums import Role, TokenKind
from app.domain.errors import (
    AuthenticationError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from app.domain.users.login_policy import (
    INVALID_CREDENTIALS_MESSAGE,
    Device,
    LoginGuard,
    LoginRateLimiter,
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
from app.domain.users.visibility import visible_roles

log = logging.getLogger(__name__)

MAX_USERNAME_LENGTH = 100
MAX_API_TOKENS_PER_USER = 50
MAX_API_TOKEN_DAYS = 3650
# MariaDB deadlock / lock wait timeout between parallel login attempts.
_LOCK_CONFLICT_CODES = frozenset({1213, 1205})
_LOCK_CONFLICT_RETRIES = 3
PRUNE_EVERY_FAILURES = 100


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


async def _check_password(db: Database, attempt: LoginAttempt) -> _Checked:
    async with db.read_session() as session:
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
    refused = AuthenticationError(INVALID_CREDENTIALS_MESSAGE)
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


async def _prune_now_and_then(db: Database, guard: LoginGuard, now: datetime) -> None:
    guard.failures_since_prune += 1
    if guard.failures_since_prune < PRUNE_EVERY_FAILURES:
        return
    guard.failures_since_prune = 0
    try:
        async with db.session() as session:
            await prune(session, now)
    except Exception as exc:  # housekeeping only: the next round tries again
        log.info("event=login_throttle_prune_failed error=%s", type(exc).__name__)


def _check_source(guard: LoginGuard, ip: str | None) -> None:
    try:
        guard.limiter.check_source(ip)
    except DomainError:
        log.info("event=login_rate_limited source=%s", ip or "?")
        raise


async def login(
    db: Database,
    username: str,
    password: str,
    *,
    ttl: timedelta,
    guard: LoginGuard,
    ip: str | None = None,
    device_token: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """A new session token for valid credentials; raises AuthenticationError or RateLimitedError.

    The rules are in `login_policy`; refusals about an account all carry the same message.
    """
    username = username or ""
    password = password or ""
    device = guard.devices.verify(device_token)
    if device is None:
        _check_source(guard, ip)
    attempt = LoginAttempt(username, password, ip, device, ttl, now or utcnow())
    checked = await _check_password(db, attempt)
    # Only this account's own device token exempts from the per-address limit (not any valid one).
    known = device is not None and device.user_id == checked.user_id
    if device is not None and not known:
        _check_source(guard, ip)
    for retry in range(_LOCK_CONFLICT_RETRIES + 1):
        try:
            async with db.session() as session:
                outcome, counted = await _apply(session, attempt, checked, guard)
            break
        except OperationalError as exc:  # a MariaDB deadlock between parallel attempts: do it again
            if retry == _LOCK_CONFLICT_RETRIES or not _is_lock_conflict(exc):
                raise
    if isinstance(outcome, DomainError):
        if counted and not known:
            guard.limiter.source_failed(ip)
        log.info("event=login_failed user=%r source=%s", account_key(username), ip or "?")
        await _prune_now_and_then(db, guard, attempt.now)
        raise outcome
    return outcome


async def logout(session: AsyncSession, principal: Principal) -> bool:
    """Revoke the token the caller used; it stops working immediately."""
    if principal.token_id is None:
        return False
    return await revoke_token(session, principal.token_id)


async def change_password(
    session: AsyncSession,
    principal: Principal,
    current_password: str,
    new_password: str,
    *,
    limiter: LoginRateLimiter | None = None,
    ip: str | None = None,
) -> User:
    """Self-service: needs the current password; every other session of the user ends.

    With a `limiter`, guesses of the current password (say, from a stolen session) are rate limited
    like logins.
    """
    user = await session.get(User, principal.user_id)
    if user is None:
        raise AuthenticationError("Nicht angemeldet.")
    limiter_key = f"#change-password:{user.id}"
    if limiter is not None:
        limiter.register_attempt(ip, limiter_key)
    current = current_password or ""
    if len(current) > MAX_PASSWORD_LENGTH or not await asyncio.to_thread(verify_password, user.password_hash, current):
        raise ValidationError("Das aktuelle Passwort ist falsch.", field="currentPassword")
    if limiter is not None:
        limiter.succeeded(ip, limiter_key)
    check_password_policy(new_password or "")
    if new_password == current:
        raise ValidationError("Das neue Passwort muss sich vom aktuellen unterscheiden.", field="newPassword")
    now = utcnow()
    user.password_hash = await asyncio.to_thread(hash_password, new_password)
    user.last_password_change_at = now
    stmt = update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.kind == TokenKind.SESSION, ApiToken.revoked_at.is_(None)
    )
    if principal.token_id is not None:
        stmt = stmt.where(ApiToken.id != principal.token_id)
    await session.execute(stmt.values(revoked_at=now))
    await session.flush()
    return user


# --- integrator API tokens --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedApiToken:
    token: str
    record: ApiToken


async def create_api_token(
    session: AsyncSession,
    principal: Principal,
    name: str,
    role: Role | None = None,
    *,
    expires_in_days: int | None = None,
    ip: str | None = None,
) -> CreatedApiToken:
    """A bearer token for scripts. Its role is the caller's unless a lower one is asked for."""
    clean = (name or "").strip()
    if not clean or len(clean) > 100:
        raise ValidationError("Der Name muss 1 bis 100 Zeichen lang sein.", field="name")
    effective = role or principal.role
    if not principal.role.at_least(effective):
        raise ForbiddenError("Ein API-Token kann keine höhere Rolle haben als die eigene.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_API_TOKEN_DAYS:
        raise ValidationError(f"Gültigkeit: 1 bis {MAX_API_TOKEN_DAYS} Tage.", field="expiresInDays")
    active = await session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == principal.user_id, ApiToken.kind == TokenKind.API, ApiToken.revoked_at.is_(None))
    )
    if (active or 0) >= MAX_API_TOKENS_PER_USER:
        raise ValidationError(f"Höchstens {MAX_API_TOKENS_PER_USER} aktive API-Tokens pro Benutzer.", field="name")
    user = await session.get(User, principal.user_id)
    if user is None:
        raise AuthenticationError("Nicht angemeldet.")
    ttl = timedelta(days=expires_in_days) if expires_in_days else None
    raw, token = await create_token(session, user, TokenKind.API, ttl=ttl, name=clean, role=effective, ip=ip)
    await record_audit(
        session, principal, "api_token.create", "api_token", token.id, {"name": clean, "role": effective.value}, ip=ip
    )
    return CreatedApiToken(raw, token)


async def _token_owner_visible(session: AsyncSession, principal: Principal, owner_id: int) -> bool:
    if owner_id == principal.user_id:
        return True
    if not principal.has(Role.ADMIN):
        return False
    owner_role = await session.scalar(select(User.role).where(User.id == owner_id))
    return owner_role is not None and owner_role in visible_roles(principal)


async def list_api_tokens(
    session: AsyncSession, principal: Principal, *, user_id: int | None = None, include_revoked: bool = False
) -> list[tuple[ApiToken, str]]:
    """The caller's API tokens, or (admin+) another visible user's; newest first, with the owner's name."""
    owner_id = user_id if user_id is not None else principal.user_id
    if not await _token_owner_visible(session, principal, owner_id):
        raise NotFoundError("Benutzer nicht gefunden.")
    stmt = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.user_id == owner_id, ApiToken.kind == TokenKind.API)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return [(token, username) for token, username in (await session.execute(stmt)).all()]


async def revoke_api_token(
    session: AsyncSession, principal: Principal, token_id: int, *, ip: str | None = None
) -> tuple[ApiToken, str]:
    """Revoke one API token; returns it with its owner's username."""
    token = await session.get(ApiToken, token_id)
    if (
        token is None
        or token.kind != TokenKind.API
        or not await _token_owner_visible(session, principal, token.user_id)
    ):
        raise NotFoundError("API-Token nicht gefunden.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()
        await record_audit(
            session, principal, "api_token.revoke", "api_token", token.id, {"owner_user_id": token.user_id}, ip=ip
        )
    owner = await session.scalar(select(User.username).where(User.id == token.user_id))
    return token, owner or ""
