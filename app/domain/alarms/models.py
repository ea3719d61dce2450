"""Alarms as state (raised, acknowledged, cleared) and the maintenance windows that silence them.

One row per condition while it lasts: `dedupe_key` names the condition (`offline:<uuid>`, `fleet`,
`command:<command_id>`, ...) and at most one row per key is open (PENDING, ACTIVE or ACKNOWLEDGED) — the
evaluation (app.domain.alarms.evaluate) runs under the sweep leader lock and keeps it so. PENDING is internal:
a condition seen but still within the raise delay; it is never listed and deleted if the condition ends first.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.clock import utcnow
from app.domain.db import Base, UTCDateTime


class AlarmKind(StrEnum):
    DISPLAY_OFFLINE = "DISPLAY_OFFLINE"
    DISPLAY_CRITICAL = "DISPLAY_CRITICAL"
    COMMAND_FAILED = "COMMAND_FAILED"
    CONVERSION_FAILED = "CONVERSION_FAILED"
    FLEET_OUTAGE = "FLEET_OUTAGE"


class AlarmSeverity(StrEnum):
    CRITICAL = "CRITICAL"
    MAJOR = "MAJOR"
    MINOR = "MINOR"


class AlarmState(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    CLEARED = "CLEARED"


OPEN_STATES = (AlarmState.PENDING, AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED)
RAISED_STATES = (AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED)


class Alarm(Base):
    __tablename__ = "alarms"
    __table_args__ = (sa.Index("ix_alarms_state_last_seen", "state", "last_seen"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(191), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    severity: Mapped[str] = mapped_column(sa.String(16))
    state: Mapped[str] = mapped_column(sa.String(16))
    client_uuid: Mapped[str | None] = mapped_column(sa.ForeignKey("clients.uuid", ondelete="SET NULL"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_groups.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hysteresis: when the condition was last seen to end (None while it holds).
    clear_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MaintenanceWindow(Base):
    """`Wartung bis …`: no display alarms for the group (or all displays when `group_id` is NULL) until `until`."""

    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_groups.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelKind(StrEnum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender; never picked up again (nothing is sent twice)
    SENT = "sent"
    DEAD = "dead"  # gave up after the last attempt (dead letter, shown with its error)


class NotificationChannel(Base):
    """Where alarm messages go: an e-mail address list or a webhook URL, with its own filter."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(16))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # EMAIL: comma-separated recipients; WEBHOOK: the URL.
    target: Mapped[str] = mapped_column(sa.String(2048))
    # WEBHOOK: the HMAC-SHA256 key of the `X-Infoscreen-Signature` header.
    secret: Mapped[str | None] = mapped_column(sa.String(255))
    language: Mapped[str] = mapped_column(sa.String(2), default="de")
    # Filters: empty = every kind / every group.
    kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    group_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationDelivery(Base):
    """One message of one channel about one alarm state change (unique: never sent twice)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (sa.UniqueConstraint("channel_id", "alarm_id", "change"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("notification_channels.id", ondelete="CASCADE"))
    alarm_id: Mapped[int] = mapped_column(sa.ForeignKey("alarms.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SmtpSettings(Base):
    """SMTP overrides stored in Einstellungen (one row, id 1): a NULL column uses the SMTP_* environment value.
    Kept out of `system_settings`, whose rows every admin can list, because of the password."""

    __tablename__ = "smtp_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    port: Mapped[int | None] = mapped_column(sa.Integer)
    security: Mapped[str | None] = mapped_column(sa.String(16))  # none | starttls | ssl
    username: Mapped[str | None] = mapped_column(sa.String(255))
    password: Mapped[str | None] = mapped_column(sa.String(255))
    from_address: Mapped[str | None] = mapped_column(sa.String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class SubscriptionMode(StrEnum):
    IMMEDIATE = "IMMEDIATE"  # one mail per alarm state change
    DIGEST = "DIGEST"  # one mail a day at `digest_time` (school time)


class AlarmSubscription(Base):
    """A user's own alarm mails (to `users.email`), set on Profil: which groups and kinds (empty = all),
    immediately or as a daily digest, with or without the cleared / "wieder online" messages."""

    __tablename__ = "alarm_subscriptions"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    mode: Mapped[str] = mapped_column(sa.String(16), default=SubscriptionMode.IMMEDIATE.value)
    digest_time: Mapped[str] = mapped_column(sa.String(5), default="07:00")  # HH:MM, school time
    kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    group_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    notify_cleared: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    language: Mapped[str] = mapped_column(sa.String(2), default="de")
    # The school-local day whose digest was sent (claimed before sending: never twice a day).
    last_digest_on: Mapped[date | None] = mapped_column(sa.Date)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PersonalDelivery(Base):
    """One immediate mail of a personal subscription about one alarm state change (never sent twice)."""

    __tablename__ = "personal_deliveries"
    __table_args__ = (sa.UniqueConstraint("user_id", "alarm_id", "change"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    alarm_id: Mapped[int] = mapped_column(sa.ForeignKey("alarms.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
