"""RFC 5545 recurrence: validating RRULE strings and expanding a series into UTC occurrences (pure).

A series is anchored at the event's start and expanded in the school's time zone exactly as RFC 5545 says
(floating local expansion, then local times mapped to instants; see the expansion section below and
docs/scheduling.md), so a weekly 08:00 lesson stays at 08:00 local time across daylight-saving changes.
Each occurrence lasts as long as the master event (end - start). Exceptions (EXDATEs) are the UTC starts
of excluded occurrences. `iter_starts` is the one expansion: eventOccurrences, the scheduler, holiday
skips, deleteOccurrence/detachOccurrence, power intents and the calendar all go through it.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from dateutil.rrule import DAILY, HOURLY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

from app.domain.clock import as_utc
from app.domain.errors import ValidationError
from app.domain.events.rrule_spec import (
    FIELD,
    MAX_COUNT,
    MAX_INTERVAL,
    MAX_RULE_LENGTH,
    RuleSpec,
    canonical_text,
    parse_spec,
)

__all__ = ["FIELD", "MAX_COUNT", "MAX_INTERVAL", "MAX_RULE_LENGTH", "RuleSpec"]

log = logging.getLogger(__name__)

# No expansion ever returns more than this many occurrences (a guard against hostile windows).
MAX_OCCURRENCES = 20_000
# A rule must produce its first instance within this time from the start, or it is rejected
# (impossible rules like "30 February" would otherwise be scanned until the year 9999).
FIRST_OCCURRENCE_HORIZON = timedelta(days=366 * 10)
ALLOWED_FREQS = frozenset({"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
EXDATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One concrete showing of an event, in aware UTC."""

    start: datetime
    end: datetime


def _invalid(key: str, **params: object) -> ValidationError:
    return ValidationError(key, field=FIELD, **params)


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
        raise ValidationError("event.bad_exdate", field="occurrenceStart", value=text[:40]) from None
    utc = as_utc(parsed)
    assert utc is not None
    return utc


def truncate_seconds(value: datetime) -> datetime:
    """Occurrences are matched to the second (the EXDATE precision)."""
    return value.replace(microsecond=0)


# --- validation ------------------------------------------------------------------------------------


def normalize_rule(rule: str | None, tz: tzinfo) -> str | None:
    """Validate an RRULE and return its canonical form (upper-case, UNTIL in UTC), or None if blank.

    Accepts an optional `RRULE:` prefix. Rejects DTSTART/EXDATE/RDATE lines (the event's start anchors the
    series, exceptions are stored separately), sub-hourly frequencies, COUNT together with UNTIL, absurd
    COUNT/INTERVAL values and every combination RFC 5545 forbids for a VEVENT (see `rrule_spec`).
    """
    if rule is None or not rule.strip():
        return None
    spec = parse_spec(rule, tz)
    return canonical_text(rule, spec)


@lru_cache(maxsize=8192)
def rule_spec(rule: str, tz: tzinfo) -> RuleSpec:
    """The parsed, checked form of a rule (raises ValidationError naming the problem)."""
    return parse_spec(rule, tz)


@lru_cache(maxsize=8192)
def _stored_spec(rule: str, tz: tzinfo) -> RuleSpec | None:
    """A stored rule for expansion; None (logged once) if it cannot be read at all.

    Rules stored before the RFC 5545 combination checks existed are still expanded; an unreadable one makes
    the event a single occurrence at its start instead of stopping the scheduler or a calendar.
    """
    try:
        return parse_spec(rule, tz, strict=False)
    except ValidationError as exc:
        log.warning("event=recurrence_rule_unreadable rule=%r error=%s", rule[:200], exc.message)
        return None


def ensure_has_occurrences(rule: str, start: datetime, tz: tzinfo) -> None:
    """Reject a rule that never generates an instance within FIRST_OCCURRENCE_HORIZON, or ends before it starts.

    The start itself is always the first instance (RFC 5545 §3.8.5.3), so "no instance" means that the rule's
    own pattern (COUNT and UNTIL aside) never hits a real local time, e.g. 30 February, or only ever hits the
    hour skipped when clocks go forward.
    """
    spec = rule_spec(rule, tz)
    start_utc = truncate_seconds(as_utc(start) or start)
    if spec.until is not None and spec.until < start_utc:
        raise _invalid("rrule.until_before_start")
    dt0 = _naive_local(start_utc, tz)
    horizon = dt0 + FIRST_OCCURRENCE_HORIZON
    checks = [spec]
    if spec.freq in ("DAILY", "HOURLY") and (spec.bymonthday or spec.byyearday or spec.byday):
        # Day by day (or hour by hour) over ten years is slow; the same parts evaluated YEARLY, every hour
        # of every matching day, give a superset, so when that is empty the rule is refused at once.
        hours = spec.byhour or (tuple(range(24)) if spec.freq == "HOURLY" else None)
        checks.insert(0, replace(spec, freq="YEARLY", interval=1, bysetpos=None, byhour=hours))
    for check in checks:
        if not any(
            local >= dt0 and _instant(local, tz) is not None
            for local in _floating(check, dt0, _period_start(check, dt0), horizon, tz)
        ):
            raise _invalid("rrule.no_occurrences")


# --- expansion -------------------------------------------------------------------------------------
#
# RFC 5545 in three steps:
# 1. floating expansion: the rule is evaluated on local wall-clock date-times (no time zone). dateutil
#    enumerates the date-times matching the BYxxx parts, period after period; values the rule leaves out
#    are taken from DTSTART (§3.3.10) and passed explicitly, so dateutil may start at the beginning of
#    DTSTART's period instead of at DTSTART.
# 2. per period: BYSETPOS is applied here, to the whole period (the week that begins on WKST, the month,
#    the year), because dateutil cuts the first week at DTSTART; for BYWEEKNO the year is the week-year
#    (a 29 December in week 1 belongs to the next year's weeks), which dateutil does not do either.
# 3. instants: DTSTART keeps its own instant and is always the first instance (§3.8.5.3); any other local
#    time that does not exist (spring-forward gap) is ignored and not counted, a repeated local time
#    (autumn fold) is its first occurrence (§3.3.5/§3.3.10); instances before DTSTART are dropped, COUNT
#    counts what is left, UNTIL compares instants.

_DATEUTIL_FREQ = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY, "HOURLY": HOURLY}
# How far past a bound the floating expansion must run so the last (possibly cut) period lies beyond it.
_PERIOD_SPAN = {
    "YEARLY": timedelta(days=400),
    "MONTHLY": timedelta(days=32),
    "WEEKLY": timedelta(days=8),
    "DAILY": timedelta(days=1),
    "HOURLY": timedelta(hours=1),
}
_FAR_FUTURE = datetime(9998, 12, 31)


def _naive_local(utc: datetime, tz: tzinfo) -> datetime:
    return utc.astimezone(tz).replace(tzinfo=None)


def _instant(local: datetime, tz: tzinfo) -> datetime | None:
    """The UTC instant of a generated local time: None in a gap, the first pass in a fold (§3.3.10)."""
    utc = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local:
        return None
    return utc


def _week_start(day: date, wkst: int) -> date:
    return day - timedelta(days=(day.weekday() - wkst) % 7)


def _week_year(day: date, wkst: int) -> int:
    """The year whose weeks (RFC 5545 BYWEEKNO: week 1 has at least 4 days of the year) contain `day`."""
    return (_week_start(day, wkst) + timedelta(days=3)).year


def _first_week(year: int, wkst: int) -> date:
    """The first day of week 1 of `year`: the first week (starting on WKST) with at least 4 days in `year`."""
    return _week_start(date(year, 1, 4), wkst)


def _in_weeks(spec: RuleSpec, local: datetime) -> bool:
    """BYWEEKNO as a test on one date: its week number in its week-year, from the start or (negative) the end."""
    assert spec.byweekno is not None
    day = local.date()
    year = _week_year(day, spec.wkst)
    first = _first_week(year, spec.wkst)
    number = (day - first).days // 7 + 1
    weeks = (_first_week(year + 1, spec.wkst) - first).days // 7
    return number in spec.byweekno or number - weeks - 1 in spec.byweekno


def _period_key(spec: RuleSpec, local: datetime) -> int:
    """Consecutive integers for consecutive FREQ periods."""
    if spec.freq == "YEARLY":
        return _week_year(local.date(), spec.wkst) if spec.byweekno is not None else local.year
    if spec.freq == "MONTHLY":
        return local.year * 12 + local.month - 1
    if spec.freq == "WEEKLY":
        return _week_start(local.date(), spec.wkst).toordinal() // 7
    if spec.freq == "DAILY":
        return local.toordinal()
    return local.toordinal() * 24 + local.hour


def _period_start(spec: RuleSpec, local: datetime) -> datetime:
    """The first local moment of the FREQ period holding `local` (for BYWEEKNO: early enough for its week-year)."""
    day = local.date()
    if spec.freq == "YEARLY":
        return datetime(local.year - (1 if spec.byweekno is not None else 0), 1, 1)
    if spec.freq == "MONTHLY":
        return datetime(local.year, local.month, 1)
    if spec.freq == "WEEKLY":
        return datetime.combine(_week_start(day, spec.wkst), time(0))
    if spec.freq == "DAILY":
        return datetime.combine(day, time(0))
    return local.replace(minute=0, second=0, microsecond=0)


def _skip_periods(spec: RuleSpec, anchor: datetime, periods: int) -> datetime:
    """`anchor` (a period start) moved forward by `periods` whole periods."""
    if spec.freq in ("YEARLY", "MONTHLY"):
        months = periods * (12 if spec.freq == "YEARLY" else 1)
        index = anchor.year * 12 + anchor.month - 1 + months
        return anchor.replace(year=index // 12, month=index % 12 + 1)
    step = {"WEEKLY": timedelta(days=7), "DAILY": timedelta(days=1), "HOURLY": timedelta(hours=1)}[spec.freq]
    return anchor + step * periods


def _fast_forward(spec: RuleSpec, anchor: datetime, since_local: datetime) -> datetime:
    """A later period start, a whole number of INTERVALs after `anchor`, at least one period before `since`.

    Only without COUNT (COUNT counts from DTSTART) and without BYWEEKNO (week-years are not a fixed step).
    """
    if spec.count is not None or spec.byweekno is not None:
        return anchor
    gap = _period_key(spec, since_local) - _period_key(spec, anchor)
    periods = (gap // spec.interval - 1) * spec.interval
    if periods <= 0:
        return anchor
    try:
        return _skip_periods(spec, anchor, periods)
    except (ValueError, OverflowError):
        return anchor


def _defaults(spec: RuleSpec, dt0: datetime) -> dict[str, Any]:
    """The dateutil BYxxx arguments, with what the rule leaves out taken from DTSTART (RFC 5545 §3.3.10)."""
    bymonth, bymonthday, byday = spec.bymonth, spec.bymonthday, spec.byday
    if spec.freq == "YEARLY" and not (spec.byweekno or spec.byyearday or bymonthday or byday):
        bymonthday = (dt0.day,)
        bymonth = bymonth or (dt0.month,)
    elif spec.freq == "MONTHLY" and not (bymonthday or byday):
        bymonthday = (dt0.day,)
    elif spec.freq == "WEEKLY" and not byday:
        byday = ((0, dt0.weekday()),)
    byhour = spec.byhour
    if byhour is None and spec.freq != "HOURLY":
        byhour = (dt0.hour,)
    seconds = spec.bysecond if spec.bysecond is not None else (dt0.second,)
    return {
        "bymonth": bymonth,
        "bymonthday": bymonthday,
        "byyearday": spec.byyearday,
        "byweekno": spec.byweekno,
        "byweekday": _dateutil_weekdays(spec, byday),
        "byhour": byhour,
        "byminute": spec.byminute if spec.byminute is not None else (dt0.minute,),
        # Second 60 (a leap second) names no local time: like 30 February it generates nothing.
        "bysecond": tuple(s for s in seconds if s < 60) or None,
    }


def _dateutil_weekdays(spec: RuleSpec, byday: tuple[tuple[int, int], ...] | None) -> list[weekday] | None:
    """BYDAY for dateutil. A list mixing plain and numbered days ("TH,3TU") is a union in RFC 5545, but
    dateutil intersects the two kinds; a plain day is then spelled as every numbered one of its scope."""
    if not byday:
        return None
    most = 53 if spec.freq == "YEARLY" and spec.bymonth is None else 5
    # A month has at most five of a weekday: "10MO" in a month names no day (dateutil would crash on it).
    reachable = [(n, d) for n, d in byday if abs(n) <= most]
    if any(n for n, _ in reachable) and not all(n for n, _ in reachable):
        return [weekday(d)(k) for n, d in reachable for k in ((n,) if n else range(1, most + 1))]
    return [weekday(d)(n) if n else weekday(d) for n, d in reachable]


def _floating(spec: RuleSpec, dt0: datetime, anchor: datetime, bound: datetime, tz: tzinfo) -> Iterator[datetime]:
    """Local date-times of the rule from the period starting at `anchor` up to `bound` (inclusive), sorted.

    BYSETPOS and INTERVAL are applied per whole period; COUNT/UNTIL and DTSTART are not looked at here. A
    local time that does not exist in `tz` is no member of its period (like 30 February), so BYSETPOS
    counts only times that exist.
    """
    args = _defaults(spec, dt0)
    if args["bysecond"] is None or args["byweekday"] == []:
        return  # only second 60 or only unreachable numbered weekdays: nothing to generate
    own_periods = spec.bysetpos is not None or spec.byweekno is not None
    freq = _DATEUTIL_FREQ[spec.freq]
    if spec.byweekno is not None:
        # dateutil misplaces weeks that straddle a new year (e.g. BYWEEKNO=-52 or week 1 in December): it
        # enumerates the days here and the week numbers are tested by `_in_weeks`.
        freq, args["byweekno"] = DAILY, None
    try:
        generated = rrule(
            freq,
            dtstart=anchor,
            interval=1 if spec.byweekno is not None else spec.interval,
            wkst=spec.wkst,
            until=min(bound, _FAR_FUTURE),
            cache=False,
            **args,
        )
    except ValueError:  # dateutil: the BYxxx parts can never be reached (e.g. HOURLY;INTERVAL=24;BYHOUR=5)
        return
    if not own_periods:
        yield from generated
        return
    candidates: Iterator[datetime] = iter(generated)
    if spec.byweekno is not None:
        candidates = (local for local in candidates if _in_weeks(spec, local))
    first_key = _period_key(spec, dt0)
    group: list[datetime] = []
    group_key: int | None = None
    for local in candidates:
        key = _period_key(spec, local)
        if key != group_key:
            yield from _select(spec, group, group_key, first_key)
            group, group_key = [], key
        if local == dt0 or _instant(local, tz) is not None:
            group.append(local)
    yield from _select(spec, group, group_key, first_key)


def _select(spec: RuleSpec, group: list[datetime], key: int | None, first_key: int) -> list[datetime]:
    """One period's date-times after INTERVAL (for week-years) and BYSETPOS."""
    if key is None or not group or key < first_key or (key - first_key) % spec.interval:
        return []
    if spec.bysetpos is None:
        return group
    picked = {group[p - 1 if p > 0 else p] for p in spec.bysetpos if -len(group) <= p <= len(group) and p}
    return sorted(picked)


def _starts(
    spec: RuleSpec, start_utc: datetime, tz: tzinfo, until: datetime, since: datetime | None
) -> Iterator[datetime]:
    """UTC instants of the recurrence set (no EXDATEs) up to and including `until` and the rule's UNTIL."""
    limit = until if spec.until is None else min(spec.until, until)
    if start_utc > limit:
        return
    yield start_utc  # DTSTART is always the first instance and counts (§3.8.5.3)
    produced = 1
    if spec.count is not None and produced >= spec.count:
        return
    dt0 = _naive_local(start_utc, tz)
    anchor = _period_start(spec, dt0)
    if since is not None and since > start_utc:
        anchor = _fast_forward(spec, anchor, _naive_local(since, tz))
    if spec.count is not None:
        bound = _FAR_FUTURE
    else:
        bound = min(_naive_local(limit, tz) + timedelta(days=1) + _PERIOD_SPAN[spec.freq], _FAR_FUTURE)
    for local in _floating(spec, dt0, anchor, bound, tz):
        if local <= dt0:
            continue  # before DTSTART, or DTSTART itself (already given with its own instant)
        utc = _instant(local, tz)
        if utc is None or utc <= start_utc:
            continue  # in the spring-forward gap, or a fold's first pass before a second-pass DTSTART
        if utc > limit:
            return
        yield utc
        produced += 1
        if spec.count is not None and produced >= spec.count:
            return


def iter_starts(
    rule: str | None, start: datetime, tz: tzinfo, until: datetime, since: datetime | None = None
) -> Iterator[datetime]:
    """UTC starts of the series (un-excluded) up to and including `until`, sorted, without duplicates.

    With `since`, iteration may begin later (skipping starts before `since`): far cheaper for long-running
    series. Without it, the series is produced from its first occurrence. This is the one expansion every
    part of the application uses.
    """
    anchor = truncate_seconds(as_utc(start) or start)
    if not rule:
        if anchor <= until:
            yield anchor
        return
    spec = _stored_spec(rule, tz)
    if spec is None:
        if anchor <= until:
            yield anchor
        return
    yield from _starts(spec, anchor, tz, until, since)


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
    """The end of the true last instance (UNTIL/COUNT resolved); None for open-ended or non-recurring events."""
    if not rule:
        return None
    spec = _stored_spec(rule, tz)
    if spec is None or (spec.count is None and spec.until is None):
        return None
    start_utc = truncate_seconds(as_utc(start) or start)
    duration = truncate_seconds(as_utc(end) or end) - start_utc
    last = start_utc
    for last in _starts(spec, start_utc, tz, spec.until or datetime.max.replace(tzinfo=UTC), None):  # noqa: B007
        pass
    return last + duration


def occurs_at(rule: str | None, start: datetime, tz: tzinfo, occurrence_start: datetime) -> bool:
    """Whether `occurrence_start` (UTC, to the second) is a start of the series (ignoring exceptions)."""
    target = truncate_seconds(as_utc(occurrence_start) or occurrence_start)
    return any(s == target for s in iter_starts(rule, start, tz, target, since=target))


class SeriesCursor:
    """`after(moment)` over the series' instants: what `build_rrule` hands out (dateutil's `after` shape)."""

    __slots__ = ("_rule", "_start", "_tz")

    def __init__(self, rule: str, start: datetime, tz: tzinfo):
        self._rule, self._start, self._tz = rule, start, tz

    def after(self, moment: datetime, inc: bool = False) -> datetime | None:
        """The first instance after `moment` (at or after with `inc`), as local time in the zone, or None."""
        since = truncate_seconds(as_utc(moment) or moment)
        # Instances are searched in growing spans so a sparse series is not expanded to its end at once.
        span = timedelta(days=32)
        horizon = datetime(9998, 1, 1, tzinfo=UTC)
        while True:
            until = horizon if span >= horizon - since else since + span
            for utc in iter_starts(self._rule, self._start, self._tz, until, since=since):
                if utc > since or (inc and utc == since):
                    return utc.astimezone(self._tz)
            if until >= horizon:
                return None
            span *= 4


def build_rrule(rule: str, start: datetime, tz: tzinfo) -> SeriesCursor:
    """The series anchored at `start`, with an `after` lookup (kept for callers of the former dateutil form)."""
    if _stored_spec(rule, tz) is None:
        raise _invalid("rrule.stored_unreadable")
    utc = as_utc(start)
    assert utc is not None
    return SeriesCursor(rule, truncate_seconds(utc), tz)


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
