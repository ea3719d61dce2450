"""Revocable tokens for a group's schedule feed (`/ical/groups/{id}.ics?token=…`).

A token is a secret in the subscription URL a calendar app keeps. Only its sha256 is stored; the secret is
shown once, when it is created. A token opens exactly one group's feed, read-only, until it is revoked —
or until the account that created it is deactivated or deleted. Creating, listing and revoking need editor+
(the people who plan the group's schedule).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.calendar_feeds.models import CalendarFeedToken
from app.domain.clients.groups import get_group
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.domain.ports import UseCaseDeps
from app.domain.users.models import User
from app.domain.users.tokens import Principal, hash_token

TOKEN_PREFIX = "isc_"
MAX_LABEL_LENGTH = 100
MANAGE_ROLE = Role.EDITOR
# Refresh last_used_at at most this often (calendar apps poll every few minutes).
_TOUCH_EVERY = timedelta(minutes=10)


def feed_path(group_id: int) -> str:
    return f"/ical/groups/{group_id}.ics"


def _require_manager(principal: Principal) -> None:
    if not principal.has(MANAGE_ROLE):
        raise ForbiddenError("Keine Berechtigung für diese Aktion.")


def _clean_label(raw: str | None) -> str | None:
    label = re.sub(r"\s+", " ", raw or "").strip() or None
    if label is not None and len(label) > MAX_LABEL_LENGTH:
        raise ValidationError(f"Die Bezeichnung darf höchstens {MAX_LABEL_LENGTH} Zeichen haben.", field="label")
    return label


async def create_feed_token(
    deps: UseCaseDeps, principal: Principal, group_id: int, label: str | None = None, *, ip: str | None = None
) -> tuple[str, CalendarFeedToken]:
    """A new token for the group's feed; returns the secret (shown once) and the stored row."""
    _require_manager(principal)
    clean = _clean_label(label)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with deps.db.session() as session:
        group = await get_group(session, group_id)
        token = CalendarFeedToken(
            group_id=group.id,
            token_hash=hash_token(raw),
            token_prefix=raw[:12],
            label=clean,
            created_by=principal.user_id,
            created_at=utcnow(),
        )
        session.add(token)
        await session.flush()
        await record_audit(
            session, principal, "calendar_feed.create_token", "client_group", group.id,
            {"token_id": token.id, "label": clean}, ip=ip,
        )  # fmt: skip
    return raw, token


async def list_feed_tokens(session: AsyncSession, group_id: int) -> list[CalendarFeedToken]:
    stmt = select(CalendarFeedToken).where(CalendarFeedToken.group_id == group_id).order_by(CalendarFeedToken.id)
    return list((await session.scalars(stmt)).all())


async def revoke_feed_token(
    deps: UseCaseDeps, principal: Principal, token_id: int, *, ip: str | None = None
) -> CalendarFeedToken:
    _require_manager(principal)
    async with deps.db.session() as session:
        token = await session.get(CalendarFeedToken, token_id)
        if token is None:
            raise NotFoundError("Kalender-Abo nicht gefunden.")
        if token.revoked_at is not None:
            raise ConflictError("Dieses Kalender-Abo wurde bereits widerrufen.")
        token.revoked_at = utcnow()
        await session.flush()
        await record_audit(
            session, principal, "calendar_feed.revoke_token", "client_group", token.group_id,
            {"token_id": token.id}, ip=ip,
        )  # fmt: skip
    return token


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
