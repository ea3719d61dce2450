"""Pure calendar arithmetic for the Termine and Ressourcen pages (no NiceGUI, no I/O, unit-testable).

View ranges in the school's local dates, RRULE building/parsing for the recurrence editor, all-day detection,
the hour a time view scrolls to, overlaps within a group and a stable colour per room group. FullCalendar
(`app/ui/fullcalendar.py`) draws the Termine views, vis-timeline (`app/ui/timeline.py`) the Ressourcen and
Vorschau timelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

View = Literal["month", "week", "day", "list"]
VIEWS: tuple[View, ...] = ("month", "week", "day", "list")
WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES: tuple[str, ...] = ("NONE", "DAILY", "WEEKLY", "MONTHLY")

# Distinguishable on white, each at least 4.5:1 with white text on it (WCAG AA); a group keeps its colour as
# long as its id does.
GROUP_COLORS: tuple[str, ...] = (
    "#1f77b4",
    "#c62828",
    "#2e7d32",
    "#7b1fa2",
    "#ad1457",
    "#795548",
    "#00796b",
    "#827717",
    "#c2410c",
    "#616161",
    "#3949ab",
    "#0e7490",
)


def group_color(group_id: int | None) -> str:
    if group_id is None:
        return GROUP_COLORS[-3]
    return GROUP_COLORS[group_id % len(GROUP_COLORS)]


# --- view ranges -----------------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def view_days(view: View, anchor: date) -> list[date]:
    """The local dates a view shows: whole weeks (Mon–Sun) around the month, one week, or one day."""
    if view == "day":
        return [anchor]
    if view in ("week", "list"):
        first = week_start(anchor)
        return [first + timedelta(days=i) for i in range(7)]
    first_of_month = anchor.replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    start = week_start(first_of_month)
    end = week_start(next_month - timedelta(days=1)) + timedelta(days=7)
    return [start + timedelta(days=i) for i in range((end - start).days)]


def shift(view: View, anchor: date, steps: int) -> date:
    """The anchor after moving `steps` views forward (negative: back)."""
    if view == "day":
        return anchor + timedelta(days=steps)
    if view in ("week", "list"):
        return anchor + timedelta(days=7 * steps)
    month_index = anchor.year * 12 + anchor.month - 1 + steps
    year, month = divmod(month_index, 12)
    return date(year, month + 1, 1)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def utc_range(days: list[date], tz: tzinfo) -> tuple[datetime, datetime]:
    """[first day 00:00, day after the last 00:00) local, in UTC: the window to ask the API for."""
    start = local_midnight(days[0], tz).astimezone(UTC)
    end = local_midnight(days[-1] + timedelta(days=1), tz).astimezone(UTC)
    return start, end


def anchor_for_period(start: date, end: date, today: date) -> date:
    """Where selecting a period moves the view: today if it lies inside, else the period's first day."""
    return today if start <= today <= end else start


# --- holidays --------------------------------------------------------------------------------------


def holiday_names(days: list[date], holidays: list[dict[str, object]]) -> dict[date, str]:
    """The holiday name of every shown day inside a holiday (the first holiday wins on overlaps)."""
    names: dict[date, str] = {}
    for holiday in holidays:
        try:
            first = date.fromisoformat(str(holiday["startDate"]))
            last = date.fromisoformat(str(holiday["endDate"]))
        except (KeyError, ValueError):
            continue
        for day in days:
            if first <= day <= last:
                names.setdefault(day, str(holiday.get("name") or ""))
    return names


# --- recurrence editor -----------------------------------------------------------------------------


@dataclass
class Recurrence:
    """What the recurrence editor shows; `custom` keeps a rule with parts the editor does not offer."""

    freq: str = "NONE"
    interval: int = 1
    weekdays: list[str] = field(default_factory=list)
    ends: Literal["never", "until", "count"] = "never"
    until: date | None = None
    count: int | None = None
    custom: str | None = None

    def to_rule(self) -> str | None:
        """The RRULE (without prefix) for the API, or None for a single event."""
        if self.custom:
            return self.custom
        if self.freq == "NONE":
            return None
        if self.freq not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.freq}")
        parts = [f"FREQ={self.freq}"]
        if self.interval and self.interval > 1:
            parts.append(f"INTERVAL={int(self.interval)}")
        if self.freq == "WEEKLY" and self.weekdays:
            ordered = [d for d in WEEKDAYS if d in self.weekdays]
            parts.append("BYDAY=" + ",".join(ordered))
        if self.ends == "until" and self.until is not None:
            parts.append("UNTIL=" + self.until.strftime("%Y%m%d"))  # date-only: the whole local day counts
        elif self.ends == "count" and self.count:
            parts.append(f"COUNT={int(self.count)}")
        return ";".join(parts)


_EDITOR_PARTS = frozenset({"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT"})


def _parse_until(value: str, tz: tzinfo) -> date | None:
    text = value.strip().upper()
    try:
        if text.endswith("Z"):
            return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(tz).date()
        if "T" in text:
            return datetime.strptime(text, "%Y%m%dT%H%M%S").date()
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def parse_rule(rule: str | None, tz: tzinfo) -> Recurrence:
    """The editor state for a stored RRULE; rules it cannot represent come back as `custom`."""
    if not rule:
        return Recurrence()
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        if "=" not in chunk:
            return Recurrence(custom=rule)
        key, value = chunk.split("=", 1)
        parts[key.strip().upper()] = value.strip().upper()
    freq = parts.get("FREQ", "")
    byday = [d for d in parts.get("BYDAY", "").split(",") if d]
    if (
        set(parts) - _EDITOR_PARTS
        or freq not in FREQUENCIES[1:]
        or ("BYDAY" in parts and (freq != "WEEKLY" or any(d not in WEEKDAYS for d in byday)))
    ):
        return Recurrence(custom=rule)
    result = Recurrence(freq=freq, weekdays=byday)
    try:
        result.interval = max(1, int(parts.get("INTERVAL", "1")))
        if "COUNT" in parts:
            result.ends, result.count = "count", int(parts["COUNT"])
    except ValueError:
        return Recurrence(custom=rule)
    if "UNTIL" in parts:
        until = _parse_until(parts["UNTIL"], tz)
        if until is None:
            return Recurrence(custom=rule)
        result.ends, result.until = "until", until
    return result


# --- what FullCalendar is given --------------------------------------------------------------------


def is_all_day(start: datetime, end: datetime, tz: tzinfo) -> bool:
    """Whole local days: starts and ends at local midnight, at least one day long."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    midnight = time(0, 0)
    return local_start.time() == midnight and local_end.time() == midnight and local_end.date() > local_start.date()


def scroll_hour(starts: list[datetime], tz: tzinfo, default: int = 7) -> int:
    """The hour a week/day view opens at: the morning, or earlier when an event starts earlier."""
    hours = [s.astimezone(tz).hour for s in starts]
    return min([default, *hours])


def overlapping(
    items: list[tuple[int, datetime, datetime]], start: datetime, end: datetime, exclude: set[int]
) -> list[int]:
    """Indexes of (index, start, end) intervals overlapping [start, end), leaving out the ones in `exclude`."""
    return [key for key, first, last in items if key not in exclude and first < end and start < last]
