from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime
from app.domain.enums import Role, TokenKind, db_enum


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(db_enum(Role, 20), default=Role.USER, index=True)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    email: Mapped[str | None] = mapped_column(sa.String(254))  # set by the user on Profil (migration 0009)
    # The seven audit/security fields of migration 4f0b8a3e5c20.
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_password_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_login_attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ApiToken(Base):
    """Dashboard/GraphQL session tokens and integrator API tokens; only a sha256 of the secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(db_enum(TokenKind, 16), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(sa.String(12))
    role: Mapped[Role | None] = mapped_column(db_enum(Role, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_ip: Mapped[str | None] = mapped_column(sa.String(64))


class LoginThrottle(Base):
    """Failed logins of one account name from one source (a client address or a known device).

    The account is the lower-cased name as typed, so unknown names are throttled exactly like real ones
    (nothing to tell them apart by). `docs/accounts-and-auth.md` describes the policy.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (sa.UniqueConstraint("account", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(sa.String(100))
    # "ip:<address>" or "device:<device id>".
    source: Mapped[str] = mapped_column(sa.String(80))
    failures: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
