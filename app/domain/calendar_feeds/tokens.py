"""Revocable tokens for a group's schedule feed (`/ical/groups/{id}.ics?token=…`).

A token is a secret in the subscription URL a calendar app keeps. Only its sha256 is stored; the secret is
shown once, when it is created. A token opens exactly one group's feed, read-only, until it is revoked —
or until the account that created it is deactivated or deleted. Creating, listing and revoking need editor+
(the people who plan the group's schedule).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.calendar_feeds.models import CalendarFeedToken
from app.domain.clients.groups import get_group
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.models import User
from app.domain.users.tokens import Principal, hash_token

TOKEN_PREFIX = "isc_"
MAX_LABEL_LENGTH = 100
MANAGE_ROLE = Role.EDITOR
# Refresh last_used_at at most this often (calendar apps poll every few minutes).
_TOUCH_EVERY = timedelta(minutes=10)


def feed_path(group_id: int) -> str:
    return f"/ical/groups/{group_id}.ics"


def _clean_label(raw: str | None) -> str | None:
    label = re.sub(r"\s+", " ", raw or "").strip() or None
    if label is not None and len(label) > MAX_LABEL_LENGTH:
        raise ValidationError("calendar_feed.label_too_long", field="label", max=MAX_LABEL_LENGTH)
    return label


@dataclass(frozen=True)
class CreateFeedToken:
    group_id: int
    label: str | None = None


async def create_feed_token(
    deps: UseCaseDeps, principal: Principal | None, command: CreateFeedToken
) -> tuple[str, CalendarFeedToken]:
    """A new token for the group's feed (editor+); returns the secret (shown once) and the stored row."""
    actor = require_role(principal, MANAGE_ROLE)
    clean = _clean_label(command.label)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with unit_of_work(deps, actor) as uow:
        group = await get_group(uow.session, command.group_id)
        token = CalendarFeedToken(
            group_id=group.id,
            token_hash=hash_token(raw),
            token_prefix=raw[:12],
            label=clean,
            created_by=actor.user_id,
            created_at=utcnow(),
        )
        uow.session.add(token)
        await uow.session.flush()
        await uow.audit("calendar_feed.create_token", "client_group", group.id, {"token_id": token.id, "label": clean})
    return raw, token


async def list_feed_tokens(session: AsyncSession, group_id: int) -> list[CalendarFeedToken]:
    stmt = select(CalendarFeedToken).where(CalendarFeedToken.group_id == group_id).order_by(CalendarFeedToken.id)
    return list((await session.scalars(stmt)).all())


@dataclass(frozen=True)
class RevokeFeedToken:
    token_id: int


async def revoke_feed_token(
    deps: UseCaseDeps, principal: Principal | None, command: RevokeFeedToken
) -> CalendarFeedToken:
    """Revoke a token (editor+): its URL answers 404 from now on."""
    actor = require_role(principal, MANAGE_ROLE)
    async with unit_of_work(deps, actor) as uow:
        token = await uow.session.get(CalendarFeedToken, command.token_id)
        if token is None:
            raise NotFoundError("calendar_feed.not_found")
        if token.revoked_at is not None:
            raise ConflictError("calendar_feed.already_revoked")
        token.revoked_at = utcnow()
        await uow.session.flush()
        await uow.audit("calendar_feed.revoke_token", "client_group", token.group_id, {"token_id": token.id})
    return token


async def feed_tokens_of_group(
    deps: UseCaseDeps, principal: Principal | None, group_id: int
) -> list[CalendarFeedToken]:
    """The group's tokens, revoked ones included (editor+); NotFoundError for an unknown group."""
    require_role(principal, MANAGE_ROLE)
    async with deps.db.read_session() as session:
        await get_group(session, group_id)
        return await list_feed_tokens(session, group_id)


async def feed_token_opens(session: AsyncSession, raw: str, group_id: int) -> bool:
    """Whether `raw` is a live token for this group's feed (records its use)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return False
    stmt = (
        select(CalendarFeedToken, User.is_active)
        .join(User, User.id == CalendarFeedToken.created_by)
        .where(CalendarFeedToken.token_hash == hash_token(raw))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return False
    token, creator_active = row
    if token.group_id != group_id or token.revoked_at is not None or not creator_active:
        return False
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        token.last_used_at = now
    return True


async def token_opens_feed(deps: UseCaseDeps, raw: str, group_id: int) -> bool:
    """`feed_token_opens` in its own unit of work (a system write: it records when the token was used)."""
    async with unit_of_work(deps, None) as uow:
        allowed = await feed_token_opens(uow.session, raw, group_id)
    return allowed
