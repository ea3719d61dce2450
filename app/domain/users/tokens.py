"""Bearer tokens: dashboard/GraphQL sessions (expiring) and integrator API tokens (role-capped).

Only a sha256 of each secret is stored; the secret is shown once, when the token is created.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import Role, TokenKind
from app.domain.users.models import ApiToken, User

TOKEN_PREFIXES = {TokenKind.SESSION: "iss_", TokenKind.API: "isa_"}
# Refresh last_used_at at most this often, so every request does not write.
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user, the effective role (an API token may be capped) and the token."""

    user_id: int
    username: str
    role: Role
    token_id: int | None = None
    token_kind: TokenKind | None = None
    # The caller's address as the adapter established it (trusted proxies); recorded with audit rows.
    ip: str | None = None

    def has(self, role: Role) -> bool:
        return self.role.at_least(role)


def parse_bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, or None."""
    if not header or not isinstance(header, str):
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_token(
    session: AsyncSession,
    user: User,
    kind: TokenKind,
    *,
    ttl: timedelta | None = None,
    name: str | None = None,
    role: Role | None = None,
    ip: str | None = None,
) -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIXES[kind] + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=hash_token(raw),
        token_prefix=raw[:12],
        role=role,
        created_at=now,
        expires_at=now + ttl if ttl else None,
        created_ip=ip,
    )
    session.add(token)
    await session.flush()
    return raw, token


async def resolve_token(session: AsyncSession, raw: str | None, *, now: datetime | None = None) -> Principal | None:
    """The principal behind a bearer token, or None if it is unknown, expired, revoked or its user inactive."""
    if not raw or len(raw) > 200:
        return None
    now = now or utcnow()
    row = (
        await session.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_token(raw))
        )
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not user.is_active:
        return None
    role = user.role
    if token.role is not None and not token.role.at_least(role):
        role = token.role  # an API token never grants more than its owner has
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        await session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return Principal(user.id, user.username, role, token.id, token.kind)


async def principal_for_token(db: Database, raw: str | None) -> Principal | None:
    """Who is calling with this bearer token (header or dashboard cookie): the one query every adapter uses.

    None when there is no token or it is unknown, expired, revoked or its user inactive. May refresh the
    token's `last_used_at` (at most every few minutes), hence its own short unit of work.
    """
    if not raw:
        return None
    async with db.session() as session:
        return await resolve_token(session, raw)


async def revoke_token(session: AsyncSession, token_id: int, *, now: datetime | None = None) -> bool:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_all_for_user(session: AsyncSession, user_id: int, *, kind: TokenKind | None = None) -> int:
    stmt = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if kind is not None:
        stmt = stmt.where(ApiToken.kind == kind)
    result = await session.execute(stmt.values(revoked_at=utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]
