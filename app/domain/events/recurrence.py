"""RFC 5545 recurrence: validating RRULE strings and expanding a series into UTC occurrences (pure).

A series is anchored at the event's start, expanded in the school's time zone so a weekly 08:00 lesson
stays at 08:00 local time across daylight-saving changes, then converted back to UTC. Each occurrence lasts
as long as the master event (end - start). Exceptions (EXDATEs) are the UTC starts of excluded occurrences.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from dateutil.rrule import DAILY, WEEKLY, rrule, rrulestr

from app.domain.clock import as_utc
from app.domain.errors import ValidationError

FIELD = "recurrenceRule"
MAX_RULE_LENGTH = 1000
MAX_COUNT = 5000
MAX_INTERVAL = 1000
# No expansion ever returns more than this many occurrences (a guard against hostile windows).
MAX_OCCURRENCES = 20_000
# A rule must produce its first occurrence within this time from the start, or it is rejected
# (impossible rules like "30 February" would otherwise make dateutil scan until the year 9999).
FIRST_OCCURRENCE_HORIZON = timedelta(days=366 * 10)
ALLOWED_FREQS = frozenset({"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_ALLOWED_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
EXDATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One concrete showing of an event, in aware UTC."""

    start: datetime
    end: datetime


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, field=FIELD)


# --- EXDATE tokens ---------------------------------------------------------------------------------


def format_exdate(value: datetime) -> str:
    """The RFC 5545 compact UTC form `yyyyMMddTHHmmssZ` of an occurrence start."""
    utc = as_utc(value)
    assert utc is not None
    return utc.strftime(EXDATE_FORMAT)


def parse_exdate(token: str) -> datetime:
    """Parse `yyyyMMddTHHmmssZ` (also accepts an ISO 8601 string) into an aware UTC datetime."""
    text = (token or "").strip()
    try:
        return datetime.strptime(text, EXDATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ValidationError(f"Ungültiges Ausnahmedatum: {text[:40]}", field="occurrenceStart") from None
    utc = as_utc(parsed)
    assert utc is not None
    return utc


def truncate_seconds(value: datetime) -> datetime:
    """Occurrences are matched to the second (the EXDATE precision)."""
    return value.replace(microsecond=0)


# --- validation ------------------------------------------------------------------------------------


def _parse_until(value: str, tz: tzinfo) -> datetime:
    """UNTIL as aware UTC: `...Z` is UTC, a local date-time is in the school zone, a date means its end."""
    text = value.strip().upper()
    try:
        if text.endswith("Z"):
            return datetime.strptime(text, EXDATE_FORMAT).replace(tzinfo=UTC)
        if "T" in text:
            local = datetime.strptime(text, "%Y%m%dT%H%M%S")
            return local.replace(tzinfo=tz).astimezone(UTC)
        day = datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _invalid(f"Ungültiges UNTIL-Datum: {value[:40]}") from None
    # A date-only UNTIL includes the whole (local) day.
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def normalize_rule(rule: str | None, tz: tzinfo) -> str | None:
    """Validate an RRULE and return its canonical form (upper-case, UNTIL in UTC), or None if blank.

    Accepts an optional `RRULE:` prefix. Rejects DTSTART/EXDATE/RDATE lines (the event's start anchors the
    series, exceptions are stored separately), sub-hourly frequencies, COUNT together with UNTIL and
    absurd COUNT/INTERVAL values.
    """
    if rule is None or not rule.strip():
        return None
    text = rule.strip()
    if len(text) > MAX_RULE_LENGTH:
        raise _invalid("Die Wiederholungsregel ist zu lang.")
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if len(lines) != 1:
        raise _invalid("Die Wiederholungsregel darf nur eine RRULE enthalten (kein DTSTART, EXDATE oder RDATE).")
    body = lines[0]
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if ":" in body:
        raise _invalid("Die Wiederholungsregel darf nur eine RRULE enthalten (kein DTSTART, EXDATE oder RDATE).")
    parts: dict[str, str] = {}
    for chunk in body.split(";"):
        if not chunk.strip():
            continue
        key, sep, value = chunk.partition("=")
        key = key.strip().upper()
        value = value.strip().upper()
        if not sep or not value:
            raise _invalid(f"Ungültiger Teil der Wiederholungsregel: {chunk[:40]}")
        if key == "DTSTART":
            raise _invalid("DTSTART gehört nicht in die Wiederholungsregel; der Terminbeginn ist der Anker.")
        if key not in _ALLOWED_PARTS:
            raise _invalid(f"Nicht unterstützter Teil der Wiederholungsregel: {key[:20]}")
        if key in parts:
            raise _invalid(f"{key} kommt mehrfach vor.")
        parts[key] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise _invalid("FREQ fehlt in der Wiederholungsregel.")
    if freq in ("SECONDLY", "MINUTELY"):
        raise _invalid("Wiederholungen im Sekunden- oder Minutentakt sind nicht erlaubt.")
    if freq not in ALLOWED_FREQS:
        raise _invalid(f"Unbekannte Frequenz: {freq[:20]}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid("COUNT und UNTIL dürfen nicht gemeinsam verwendet werden.")
    for key, upper in (("COUNT", MAX_COUNT), ("INTERVAL", MAX_INTERVAL)):
        if key in parts:
            if not parts[key].isdigit() or not 1 <= int(parts[key]) <= upper:
                raise _invalid(f"{key} muss zwischen 1 und {upper} liegen.")
            parts[key] = str(int(parts[key]))
    if "UNTIL" in parts:
        parts["UNTIL"] = format_exdate(_parse_until(parts["UNTIL"], tz))
    order = ["FREQ", *sorted(k for k in parts if k != "FREQ")]
    canonical = ";".join(f"{k}={parts[k]}" for k in order)
    # Let dateutil check the BY* values (ranges, weekday syntax).
    try:
        rrulestr(canonical, dtstart=datetime(2000, 1, 3, 8, 0, tzinfo=tz))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _invalid(f"Ungültige Wiederholungsregel: {str(exc)[:120]}") from None
    return canonical


@lru_cache(maxsize=8192)
def _template(rule: str, tz: tzinfo) -> rrule:
    """The parsed rule (parsing dominates the cost); `replace(dtstart=...)` anchors it.

    dateutil keeps only the parts the rule spelled out (`_original_rule`), so values it derives from
    DTSTART (weekday, day of month, time) are derived again from the real start on `replace`.
    """
    parsed = rrulestr(rule, dtstart=datetime(2000, 1, 3, 8, 0, tzinfo=tz))
    assert isinstance(parsed, rrule)
    return parsed


def build_rrule(rule: str, start: datetime, tz: tzinfo) -> rrule:
    """The dateutil rule anchored at `start` expressed as local wall time in `tz` (DST-stable)."""
    utc = as_utc(start)
    assert utc is not None
    return _template(rule, tz).replace(dtstart=truncate_seconds(utc).astimezone(tz))


def ensure_has_occurrences(rule: str, start: datetime, tz: tzinfo) -> None:
    """Reject a rule whose first occurrence is not within FIRST_OCCURRENCE_HORIZON of the start."""
    rr = build_rrule(rule, start, tz)
    horizon = (as_utc(start) or start) + FIRST_OCCURRENCE_HORIZON
    capped = rr.replace(count=None, until=min(_until(rr) or horizon, horizon))
    if capped.after(capped._dtstart, inc=True) is None:  # type: ignore[attr-defined]
        raise _invalid("Die Wiederholungsregel ergibt keinen einzigen Termin.")


def _until(rr: rrule) -> datetime | None:
    return rr._until  # type: ignore[attr-defined,no-any-return]


def _count(rr: rrule) -> int | None:
    return rr._count  # type: ignore[attr-defined,no-any-return]


# --- expansion -------------------------------------------------------------------------------------


def _fast_forward(template: rrule, anchor_local: datetime, since: datetime, tz: tzinfo) -> datetime:
    """A DTSTART moved forward by whole periods to shortly before `since` (same series from there on).

    Only for DAILY/WEEKLY rules without COUNT (COUNT counts from the original start): shifting the local
    start date by a multiple of the period keeps the wall-clock time, the weekday and the INTERVAL
    alignment, and the kept margin of one full period means no occurrence at or after `since` is lost.
    """
    freq = template._freq  # type: ignore[attr-defined]
    if _count(template) is not None or freq not in (DAILY, WEEKLY):
        return anchor_local
    period_days = template._interval * (7 if freq == WEEKLY else 1)  # type: ignore[attr-defined]
    gap_days = (since.astimezone(tz).date() - anchor_local.date()).days
    periods = gap_days // period_days - 1
    if periods <= 0:
        return anchor_local
    return datetime.combine(anchor_local.date() + timedelta(days=periods * period_days), anchor_local.time(), tzinfo=tz)


def iter_starts(
    rule: str | None, start: datetime, tz: tzinfo, until: datetime, since: datetime | None = None
) -> Iterator[datetime]:
    """UTC starts of the series (un-excluded) up to and including `until`.

    With `since`, iteration may begin later (skipping starts before `since`): far cheaper for long-running
    series. Without it, the series is produced from its first occurrence.
    """
    anchor = truncate_seconds(as_utc(start) or start)
    if not rule:
        if anchor <= until:
            yield anchor
        return
    template = _template(rule, tz)
    local = anchor.astimezone(tz)
    changes: dict[str, Any] = {"dtstart": local}
    if since is not None and since > anchor:
        changes["dtstart"] = _fast_forward(template, local, since, tz)
    if _count(template) is None:
        rule_until = _until(template)
        changes["until"] = until if rule_until is None else min(rule_until, until)
    # Terminates: UNTIL is capped at `until`, and COUNT is at most MAX_COUNT.
    for occurrence in template.replace(**changes):
        utc = occurrence.astimezone(UTC)
        if utc > until:
            return
        yield utc


def expand(
    start: datetime,
    end: datetime,
    rule: str | None,
    tz: tzinfo,
    window_start: datetime,
    window_end: datetime,
    exceptions: Collection[datetime] = (),
    *,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Occurrences overlapping [window_start, window_end), minus `exceptions`, sorted by start."""
    start_utc = truncate_seconds(as_utc(start) or start)
    end_utc = truncate_seconds(as_utc(end) or end)
    duration = end_utc - start_utc
    ws, we = as_utc(window_start), as_utc(window_end)
    assert ws is not None and we is not None
    excluded = {truncate_seconds(as_utc(e) or e) for e in exceptions}
    result: list[Occurrence] = []
    for occ_start in iter_starts(rule, start_utc, tz, we, since=ws - duration):
        if occ_start >= we:
            break
        occ_end = occ_start + duration
        if occ_end <= ws or occ_start in excluded:
            continue
        result.append(Occurrence(occ_start, occ_end))
        if len(result) >= limit:
            break
    return result


def recurrence_end(start: datetime, end: datetime, rule: str | None, tz: tzinfo) -> datetime | None:
    """The end of the last occurrence (UNTIL/COUNT resolved); None for open-ended or non-recurring events."""
    if not rule:
        return None
    start_utc = truncate_seconds(as_utc(start) or start)
    duration = truncate_seconds(as_utc(end) or end) - start_utc
    rr = build_rrule(rule, start_utc, tz)
    if _count(rr) is None and _until(rr) is None:
        return None
    last: datetime | None = None
    if _count(rr) is not None:
        for local in rr:
            last = local
    else:
        last = rr.before(_until(rr), inc=True)  # type: ignore[arg-type]
    if last is None:
        return start_utc + duration
    return last.astimezone(UTC) + duration


def occurs_at(rule: str | None, start: datetime, tz: tzinfo, occurrence_start: datetime) -> bool:
    """Whether `occurrence_start` (UTC, to the second) is a start of the series (ignoring exceptions)."""
    target = truncate_seconds(as_utc(occurrence_start) or occurrence_start)
    return any(s == target for s in iter_starts(rule, start, tz, target, since=target))


def local_date(value: datetime, tz: tzinfo) -> date:
    return (as_utc(value) or value).astimezone(tz).date()


def local_day_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """UTC instants of local midnight at the start of `first` and after the end of `last`."""
    begin = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    finish = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return begin, finish


class OccurrenceIndex:
    """Sorted occurrence starts of one series within a horizon, for fast "what is active at t" lookups."""

    __slots__ = ("duration", "horizon_end", "horizon_start", "starts")

    def __init__(self, starts: list[datetime], duration: timedelta, horizon_start: datetime, horizon_end: datetime):
        self.starts = starts
        self.duration = duration
        self.horizon_start = horizon_start
        self.horizon_end = horizon_end

    @classmethod
    def build(
        cls,
        start: datetime,
        end: datetime,
        rule: str | None,
        tz: tzinfo,
        horizon_start: datetime,
        horizon_end: datetime,
    ) -> OccurrenceIndex:
        occurrences = expand(start, end, rule, tz, horizon_start, horizon_end)
        start_utc = truncate_seconds(as_utc(start) or start)
        duration = truncate_seconds(as_utc(end) or end) - start_utc
        return cls([o.start for o in occurrences], duration, horizon_start, horizon_end)

    def covers(self, window_start: datetime, window_end: datetime) -> bool:
        return self.horizon_start <= window_start and window_end <= self.horizon_end

    def overlapping(self, window_start: datetime, window_end: datetime) -> list[Occurrence]:
        """Occurrences overlapping [window_start, window_end) (the window must lie within the horizon)."""
        lo = bisect.bisect_right(self.starts, window_start - self.duration)
        hi = bisect.bisect_left(self.starts, window_end)
        return [Occurrence(s, s + self.duration) for s in self.starts[lo:hi] if s + self.duration > window_start]
