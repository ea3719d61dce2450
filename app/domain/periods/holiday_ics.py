"""Reading holidays from an iCalendar file or feed (the `icalendar` library does the parsing).

What school-holiday feeds contain and how each becomes a holiday (a first and last local date):
- all-day VEVENTs: DTSTART is the first day, DTEND is exclusive (the day after the last one); a missing
  DTEND means one day, a DTEND equal to DTSTART is read as one day too (a common export slip);
- timed VEVENTs: the local dates (school time zone; floating times are local) from the start to the last
  moment before the end: 24.12. 08:00 – 24.12. 12:00 is the 24th, 23.12. 18:00 – 25.12. 00:00 the 23rd–24th;
- RRULE'd VEVENTs (a yearly public holiday) are expanded within the window the caller asks for, minus
  their EXDATEs and the instances a RECURRENCE-ID override replaces; RDATEs add instances;
- STATUS:CANCELLED, a missing SUMMARY, an unreadable date or rule, or an end before the start: that
  VEVENT is refused and reported with its line, the others are read (a broken entry in a feed the school
  cannot fix must not block the rest).
LOCATION, when present, becomes the holiday's region.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
from dateutil.rrule import rrulestr

from app.domain.errors import ValidationError
from app.domain.periods.holiday_file import MAX_NAME_LENGTH, MAX_REGION_LENGTH, MAX_ROWS, HolidayRow

FIELD = "file"
_ONE_DAY = timedelta(days=1)
# A daily rule may start ~270 years before the period; anything longer is refused, not walked.
MAX_RULE_STEPS = 100_000
_DATE_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID", "EXDATE", "RDATE")


@dataclass
class IcsHolidays:
    rows: list[HolidayRow] = field(default_factory=list)
    # One line per refused VEVENT: "Zeile N: „Name“: reason".
    refused: list[str] = field(default_factory=list)
    calendar_name: str | None = None


class _Refused(Exception):
    pass


def looks_like_icalendar(data: bytes) -> bool:
    """Detected by content (a file named .csv holding a calendar is still a calendar)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip().upper()
    return head.startswith(b"BEGIN:VCALENDAR")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _event_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().upper() == "BEGIN:VEVENT"]


def _local(value: datetime, tz: tzinfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def _day_span(start: date | datetime, end: date | datetime | None, tz: tzinfo) -> tuple[date, date]:
    """First and last local day a VEVENT covers (DTEND exclusive)."""
    if isinstance(start, datetime):
        begin = _local(start, tz)
        finish = _local(end, tz) if isinstance(end, datetime) else begin
        if isinstance(end, date) and not isinstance(end, datetime):
            finish = datetime.combine(end, time(0), tzinfo=tz)
        last_moment = finish - timedelta(microseconds=1) if finish > begin else begin
        return begin.date(), last_moment.date()
    first = start
    if end is None:
        return first, first
    last_day = end.date() if isinstance(end, datetime) else end
    last = last_day - _ONE_DAY
    if last < first:
        if last_day < first:
            raise _Refused("das Ende liegt vor dem Beginn")
        last = first  # DTEND = DTSTART: read as one day
    return first, last


def _text(component: icalendar.cal.Component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _dates_of(prop: Any, tz: tzinfo) -> set[date]:
    """The local dates of EXDATE/RDATE values (one property or a list of them)."""
    result: set[date] = set()
    for item in prop if isinstance(prop, list) else [prop]:
        for value in getattr(item, "dts", []):
            moment = value.dt
            result.add(_local(moment, tz).date() if isinstance(moment, datetime) else moment)
    return result


def _rule_text(component: icalendar.cal.Component, tz: tzinfo) -> str:
    """The RRULE as text, its UNTIL made a naive local date-time (the expansion runs on local days)."""
    recur = component["RRULE"]
    if isinstance(recur, list):
        if len(recur) != 1:
            raise _Refused("mehrere RRULE-Zeilen werden nicht unterstützt")
        recur = recur[0]
    parts = dict(recur)
    if "UNTIL" in parts:
        until = parts["UNTIL"][0]
        if isinstance(until, datetime):
            until = _local(until, tz).replace(tzinfo=None) if until.tzinfo else until
        else:
            until = datetime.combine(until, time(23, 59, 59))
        parts["UNTIL"] = [until]
    return icalendar.vRecur(parts).to_ical().decode()


def _instances(
    component: icalendar.cal.Component,
    first: date,
    length: timedelta,
    window: tuple[date, date],
    skip: set[date],
    tz: tzinfo,
) -> Iterator[date]:
    """First days of the instances of a recurring VEVENT that touch the window."""
    freq = str((component["RRULE"][0] if isinstance(component["RRULE"], list) else component["RRULE"]).get("FREQ"))
    if any(unit in freq.upper() for unit in ("SECONDLY", "MINUTELY", "HOURLY")):
        raise _Refused("Ferien wiederholen sich höchstens täglich")
    try:
        rule = rrulestr(_rule_text(component, tz), dtstart=datetime.combine(first, time(0)))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _Refused(f"ungültige Wiederholungsregel ({str(exc)[:60]})") from None
    skip = skip | (_dates_of(component["EXDATE"], tz) if "EXDATE" in component else set())
    extra = sorted(_dates_of(component["RDATE"], tz)) if "RDATE" in component else []
    seen: set[date] = set()
    for steps, moment in enumerate(rule):
        day = moment.date()
        if day > window[1]:
            break
        if steps > MAX_RULE_STEPS:
            raise _Refused("die Wiederholungsregel beginnt zu weit vor der Periode")
        if day + length >= window[0] and day not in skip:
            seen.add(day)
            yield day
    for day in extra:
        if window[0] <= day + length and day <= window[1] and day not in skip and day not in seen:
            yield day


def _override_key(component: icalendar.cal.Component, tz: tzinfo) -> tuple[str, date] | None:
    if "RECURRENCE-ID" not in component:
        return None
    moment = component["RECURRENCE-ID"].dt
    day = _local(moment, tz).date() if isinstance(moment, datetime) else moment
    return _text(component, "UID"), day


def _read_event(
    component: icalendar.cal.Component,
    line: int,
    window: tuple[date, date],
    overrides: dict[str, set[date]],
    tz: tzinfo,
) -> list[HolidayRow]:
    broken = [f"{name}: {message}" for name, message in component.errors if name in _DATE_PROPERTIES]
    if broken:
        raise _Refused(f"unlesbares Datum oder Regel ({broken[0][:80]})")
    if _text(component, "STATUS").upper() == "CANCELLED":
        raise _Refused("abgesagt (STATUS:CANCELLED)")
    name = _text(component, "SUMMARY")
    if not name:
        raise _Refused("der Titel (SUMMARY) fehlt")
    if len(name) > MAX_NAME_LENGTH:
        raise _Refused(f"der Titel ist länger als {MAX_NAME_LENGTH} Zeichen")
    region = _text(component, "LOCATION") or None
    if region is not None and len(region) > MAX_REGION_LENGTH:
        region = region[:MAX_REGION_LENGTH].rstrip()
    if "DTSTART" not in component:
        raise _Refused("DTSTART fehlt")
    try:
        start = component.start
        end = component.end
    except (ValueError, TypeError, KeyError) as exc:
        raise _Refused(f"Beginn/Ende nicht lesbar ({str(exc)[:60]})") from None
    if isinstance(start, datetime) and isinstance(end, datetime) and end < start:
        raise _Refused("das Ende liegt vor dem Beginn")
    first, last = _day_span(start, end, tz)
    if "RRULE" not in component:
        return [HolidayRow(line, name, first, last, region)]
    uid = _text(component, "UID")
    length = last - first
    days = _instances(component, first, length, window, overrides.get(uid, set()), tz)
    return [HolidayRow(line, name, day, day + length, region) for day in days]


def _parse_calendar(text: str) -> icalendar.Calendar:
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError("holiday_file.ics_unreadable", field=FIELD, detail=str(exc)[:120]) from None
    if not calendars:
        raise ValidationError("holiday_file.ics_no_calendar", field=FIELD)
    return calendars[0]


def parse_holiday_ics(data: bytes, window: tuple[date, date], tz: tzinfo) -> IcsHolidays:
    """Holidays of an iCalendar file; recurring ones expanded within `window` (first, last day)."""
    text = _decode(data)
    calendar = _parse_calendar(text)
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise ValidationError("holiday_file.ics_no_events", field=FIELD)
    if len(events) > MAX_ROWS:
        raise ValidationError("holiday_file.too_many_entries", field=FIELD, max=MAX_ROWS)
    lines = _event_lines(text)
    if len(lines) != len(events):
        lines = list(range(1, len(events) + 1))
    overrides: dict[str, set[date]] = {}
    for component in events:
        try:
            key = _override_key(component, tz)
        except (AttributeError, ValueError, TypeError):
            key = None
        if key is not None:
            overrides.setdefault(key[0], set()).add(key[1])

    result = IcsHolidays(calendar_name=_text(calendar, "X-WR-CALNAME") or None)
    for component, line in zip(events, lines, strict=True):
        try:
            rows = _read_event(component, line, window, overrides, tz)
        except _Refused as reason:
            label = _text(component, "SUMMARY")[:60] or _text(component, "UID")[:60] or "ohne Titel"
            result.refused.append(f"Zeile {line}: „{label}“: {reason}")
            continue
        result.rows.extend(rows)
        if len(result.rows) > MAX_ROWS:
            raise ValidationError("holiday_file.too_many_holidays", field=FIELD, max=MAX_ROWS)
    return result
