"""Integrator API tokens — the use cases `create_api_token`, `revoke_api_token` and the queries `list_api_tokens`,
`list_all_api_tokens`.

A token's role is at most its owner's; the secret is shown once, at creation (only its sha256 is stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clock import utcnow
from app.domain.enums import Role, TokenKind
from app.domain.errors import AuthenticationError, ForbiddenError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.models import ApiToken, User
from app.domain.users.tokens import Principal, create_token
from app.domain.users.visibility import visible_roles

MAX_API_TOKEN_NAME_LENGTH = 100
MAX_API_TOKENS_PER_USER = 50
MAX_API_TOKEN_DAYS = 3650


@dataclass(frozen=True, slots=True)
class CreateApiToken:
    name: str
    role: Role | None = None  # None: the caller's role
    expires_in_days: int | None = None  # None: never expires


@dataclass(frozen=True, slots=True)
class RevokeApiToken:
    token_id: int


@dataclass(frozen=True, slots=True)
class CreatedApiToken:
    token: str
    record: ApiToken


async def _owner_visible(session: AsyncSession, principal: Principal, owner_id: int) -> bool:
    if owner_id == principal.user_id:
        return True
    if not principal.has(Role.ADMIN):
        return False
    owner_role = await session.scalar(select(User.role).where(User.id == owner_id))
    return owner_role is not None and owner_role in visible_roles(principal)


def _checked(principal: Principal, command: CreateApiToken) -> tuple[str, Role]:
    clean = (command.name or "").strip()
    if not clean or len(clean) > MAX_API_TOKEN_NAME_LENGTH:
        raise ValidationError("api_token.name_length", field="name", max_length=MAX_API_TOKEN_NAME_LENGTH)
    effective = command.role or principal.role
    if not principal.role.at_least(effective):
        raise ForbiddenError("api_token.role_too_high")
    days = command.expires_in_days
    if days is not None and not 1 <= days <= MAX_API_TOKEN_DAYS:
        raise ValidationError("api_token.validity", field="expiresInDays", max_days=MAX_API_TOKEN_DAYS)
    return clean, effective


async def create_api_token(deps: UseCaseDeps, principal: Principal | None, command: CreateApiToken) -> CreatedApiToken:
    """A bearer token for scripts. Its role is the caller's unless a lower one is asked for."""
    caller = require_role(principal, Role.USER)
    name, role = _checked(caller, command)
    async with unit_of_work(deps, caller) as uow:
        active = await uow.session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == caller.user_id, ApiToken.kind == TokenKind.API, ApiToken.revoked_at.is_(None))
        )
        if (active or 0) >= MAX_API_TOKENS_PER_USER:
            raise ValidationError("api_token.too_many", field="name", limit=MAX_API_TOKENS_PER_USER)
        user = await uow.session.get(User, caller.user_id)
        if user is None:
            raise AuthenticationError("auth.required")
        ttl = timedelta(days=command.expires_in_days) if command.expires_in_days else None
        raw, token = await create_token(uow.session, user, TokenKind.API, ttl=ttl, name=name, role=role, ip=caller.ip)
        await uow.audit("api_token.create", "api_token", token.id, {"name": name, "role": role.value})
    return CreatedApiToken(raw, token)


async def revoke_api_token(
    deps: UseCaseDeps, principal: Principal | None, command: RevokeApiToken
) -> tuple[ApiToken, str]:
    """Revoke one API token (own; admins also those of users they manage); returns it with its owner's name."""
    caller = require_role(principal, Role.USER)
    async with unit_of_work(deps, caller) as uow:
        token = await uow.session.get(ApiToken, command.token_id)
        if token is None or token.kind != TokenKind.API or not await _owner_visible(uow.session, caller, token.user_id):
            raise NotFoundError("api_token.not_found")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            await uow.session.flush()
            await uow.audit("api_token.revoke", "api_token", token.id, {"owner_user_id": token.user_id})
        owner = await uow.session.scalar(select(User.username).where(User.id == token.user_id))
    return token, owner or ""


async def list_api_tokens(
    deps: UseCaseDeps, principal: Principal | None, *, user_id: int | None = None, include_revoked: bool = False
) -> list[tuple[ApiToken, str]]:
    """The caller's API tokens, or (admin+) another visible user's; newest first, with the owner's name."""
    caller = require_role(principal, Role.USER)
    owner_id = user_id if user_id is not None else caller.user_id
    async with deps.db.read_session() as session:
        if not await _owner_visible(session, caller, owner_id):
            raise NotFoundError("user.not_found")
        stmt = (
            select(ApiToken, User.username)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.user_id == owner_id, ApiToken.kind == TokenKind.API)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        if not include_revoked:
            stmt = stmt.where(ApiToken.revoked_at.is_(None))
        return [(token, username) for token, username in (await session.execute(stmt)).all()]


async def list_all_api_tokens(
    deps: UseCaseDeps, principal: Principal | None, *, include_revoked: bool = False
) -> list[tuple[ApiToken, str]]:
    """Every account's API tokens (superadmin only), newest first, with the owner's name."""
    require_role(principal, Role.SUPERADMIN)
    async with deps.db.read_session() as session:
        stmt = (
            select(ApiToken, User.username)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.kind == TokenKind.API)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        if not include_revoked:
            stmt = stmt.where(ApiToken.revoked_at.is_(None))
        return [(token, username) for token, username in (await session.execute(stmt)).all()]
