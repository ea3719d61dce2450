"""Showing API values to people: times in the school's time zone (de-DE style), sizes, relative ages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.domain.clock import parse_iso, utcnow
from app.ui.i18n import current_language, t


def school_tz() -> ZoneInfo:
    from app.ui.gql import container

    return container().settings.tz


def parse_dt(value: object) -> datetime | None:
    """An aware UTC datetime from the API's ISO string (a missing offset means UTC, as in the seeds)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None


def local(value: object) -> datetime | None:
    parsed = parse_dt(value)
    return parsed.astimezone(school_tz()) if parsed else None


def fmt_time(value: object) -> str:
    dt = local(value)
    return dt.strftime("%H:%M") if dt else "–"


def fmt_datetime(value: object) -> str:
    dt = local(value)
    return dt.strftime("%d.%m.%Y %H:%M") if dt else "–"


def fmt_datetime_seconds(value: object) -> str:
    dt = local(value)
    return dt.strftime("%d.%m.%Y %H:%M:%S") if dt else "–"


def fmt_date(value: object) -> str:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    dt = local(value)
    return dt.strftime("%d.%m.%Y") if dt else "–"


def fmt_age(value: object, *, now: datetime | None = None) -> str:
    """'vor 3 Min.' / '3 min ago' style age of a timestamp; 'nie' when missing."""
    dt = parse_dt(value)
    if dt is None:
        return t("common.never")
    seconds = max(0, int(((now or utcnow()) - dt).total_seconds()))
    en = current_language() == "en"
    if seconds < 60:
        return f"{seconds} s ago" if en else f"vor {seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago" if en else f"vor {minutes} Min."
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago" if en else f"vor {hours} Std."
    return f"{hours // 24} days ago" if en else f"vor {hours // 24} Tagen"


def fmt_size(size: object) -> str:
    if not isinstance(size, int | float):
        return "–"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def to_iso(dt: datetime) -> str:
    return dt.isoformat()


WEEKDAY_KEYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


def fmt_day_range(days: Sequence[date]) -> str:
    """A day with its weekday ("Mo, 07.12.2026"), or a range of days ("07.12.2026 – 13.12.2026")."""
    if len(days) == 1:
        return f"{t(f'cal.wd.{WEEKDAY_KEYS[days[0].weekday()]}')}, {fmt_date(days[0])}"
    return f"{fmt_date(days[0])} – {fmt_date(days[-1])}"
