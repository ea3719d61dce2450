"""Enumerations shared by the models and the wire contracts (values are the seeds' strings)."""

from __future__ import annotations

import enum
from enum import StrEnum

import sqlalchemy as sa


class EventType(StrEnum):
    PRESENTATION = "presentation"
    WEBSITE = "website"
    VIDEO = "video"
    MESSAGE = "message"
    WEBUNTIS = "webuntis"


class MediaType(StrEnum):
    PPT = "ppt"
    PPTX = "pptx"
    ODP = "odp"
    PDF = "pdf"
    IMAGE = "image"
    VIDEO = "video"
    WEBSITE = "website"


CONVERTIBLE_MEDIA_TYPES = frozenset({MediaType.PPT, MediaType.PPTX, MediaType.ODP})


class AcademicPeriodType(StrEnum):
    SCHULJAHR = "schuljahr"
    SEMESTER = "semester"
    TRIMESTER = "trimester"


class ConversionStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class LogLevel(StrEnum):
    ERROR = "ERROR"
    WARN = "WARN"
    INFO = "INFO"
    DEBUG = "DEBUG"


class ProcessStatus(StrEnum):
    RUNNING = "running"
    CRASHED = "crashed"
    STARTING = "starting"
    STOPPED = "stopped"


class ScreenHealthStatus(StrEnum):
    OK = "OK"
    BLACK = "BLACK"
    FROZEN = "FROZEN"
    UNKNOWN = "UNKNOWN"


class Role(StrEnum):
    USER = "user"
    EDITOR = "editor"
    ADMIN = "admin"
    SUPERADMIN = "superadmin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_ROLE_RANK = {Role.USER: 0, Role.EDITOR: 1, Role.ADMIN: 2, Role.SUPERADMIN: 3}


class CommandAction(StrEnum):
    REBOOT_HOST = "reboot_host"
    SHUTDOWN_HOST = "shutdown_host"
    RESTART_APP = "restart_app"


class CommandStatus(StrEnum):
    QUEUED = "queued"
    PUBLISH_IN_PROGRESS = "publish_in_progress"
    PUBLISHED = "published"
    ACK_RECEIVED = "ack_received"
    EXECUTION_STARTED = "execution_started"
    AWAITING_RECONNECT = "awaiting_reconnect"
    RECOVERED = "recovered"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"
    TIMED_OUT = "timed_out"
    CANCELED = "canceled"
    BLOCKED_SAFETY = "blocked_safety"
    MANUAL_INTERVENTION_REQUIRED = "manual_intervention_required"


TERMINAL_COMMAND_STATUSES = frozenset(
    {
        CommandStatus.COMPLETED,
        CommandStatus.FAILED,
        CommandStatus.EXPIRED,
        CommandStatus.CANCELED,
        CommandStatus.BLOCKED_SAFETY,
        CommandStatus.MANUAL_INTERVENTION_REQUIRED,
    }
)


class ScreenshotType(StrEnum):
    PERIODIC = "periodic"
    EVENT_START = "event_start"
    EVENT_STOP = "event_stop"


class CrashReason(StrEnum):
    PROCESS_CRASHED = "process_crashed"
    HEARTBEAT_STALE = "heartbeat_stale"


class ExceptionKind(StrEnum):
    HOLIDAY = "holiday"
    DELETED = "deleted"
    DETACHED = "detached"


class BrokerAccess(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REVOKED = "revoked"


class TokenKind(StrEnum):
    SESSION = "session"
    API = "api"


def db_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable VARCHAR-backed enum column storing the seeds' values (no native ENUM to migrate)."""
    return sa.Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
    )
