"""Imports every model so `Base.metadata` is complete (Alembic and create_all rely on this)."""

from app.domain.alarms.models import Alarm, MaintenanceWindow, NotificationChannel, NotificationDelivery
from app.domain.audit.models import AuditLogEntry
from app.domain.broadcasts.models import Broadcast, BroadcastReceipt
from app.domain.calendar_feeds.models import CalendarFeedToken
from app.domain.clients.models import Client, ClientGroup
from app.domain.commands.models import ClientCommand, ClientCommandTransition
from app.domain.db import Base
from app.domain.events.models import Event, EventException
from app.domain.media.models import Conversion, EventMedia
from app.domain.monitoring.models import ClientLog, GroupContentPlan, GroupContentPlanEvent
from app.domain.periods.models import AcademicPeriod, HolidaySubscription, SchoolHoliday
from app.domain.playback.models import PlaybackInterval
from app.domain.power.models import GroupPowerIntent
from app.domain.settings.models import SystemSetting
from app.domain.users.models import ApiToken, LoginThrottle, User

__all__ = [
    "AcademicPeriod",
    "Alarm",
    "ApiToken",
    "AuditLogEntry",
    "Base",
    "Broadcast",
    "BroadcastReceipt",
    "CalendarFeedToken",
    "Client",
    "ClientCommand",
    "ClientCommandTransition",
    "ClientGroup",
    "ClientLog",
    "Conversion",
    "Event",
    "EventException",
    "EventMedia",
    "GroupContentPlan",
    "GroupContentPlanEvent",
    "GroupPowerIntent",
    "HolidaySubscription",
    "LoginThrottle",
    "MaintenanceWindow",
    "NotificationChannel",
    "NotificationDelivery",
    "PlaybackInterval",
    "SchoolHoliday",
    "SystemSetting",
    "User",
]
