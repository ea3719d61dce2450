"""A brute-force RFC 5545 recurrence reference that shares no code with dateutil or the application.

It walks every candidate local date-time (day by day; on a day, every hour and the candidate minutes and
seconds) from the start of DTSTART's period, tests each against the rule's parts as predicates (the
RFC 5545 §3.3.10 expand/limit table reduces to "every named part must hold", with BYDAY ordinals counted in
the month for MONTHLY and for YEARLY+BYMONTH, else in the year), groups the survivors by FREQ period, keeps
every INTERVAL-th period, drops local times that do not exist (the spring-forward gap), applies BYSETPOS per
period, maps local times to instants (a fold time is its first pass, DTSTART keeps its own instant and is
always the first instance), and then applies COUNT and UNTIL. Slow and simple on purpose.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass
class Rule:
    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None  # aware UTC
    bysecond: list[int] | None = None
    byminute: list[int] | None = None
    byhour: list[int] | None = None
    byday: list[tuple[int, int]] | None = None
    bymonthday: list[int] | None = None
    byyearday: list[int] | None = None
    byweekno: list[int] | None = None
    bymonth: list[int] | None = None
    bysetpos: list[int] | None = None
    wkst: int = 0


def parse(text: str) -> Rule:
    """Parse a canonical RRULE value (UNTIL in UTC)."""
    rule = Rule(freq="")
    for part in text.split(";"):
        key, value = part.split("=")
        if key == "FREQ":
            rule.freq = value
        elif key in ("INTERVAL", "COUNT"):
            setattr(rule, key.lower(), int(value))
        elif key == "UNTIL":
            rule.until = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif key == "WKST":
            rule.wkst = DAYS.index(value)
        elif key == "BYDAY":
            days = []
            for item in value.split(","):
                number = item[:-2]
                days.append((int(number) if number not in ("", "+") else 0, DAYS.index(item[-2:])))
            rule.byday = days
        else:
            setattr(rule, key.lower(), [int(v) for v in value.split(",")])
    return rule


# --- calendar facts, computed the slow way ---------------------------------------------------------


def week_start(day: date, wkst: int) -> date:
    while day.weekday() != wkst:
        day -= timedelta(days=1)
    return day


def week_number(day: date, wkst: int) -> tuple[int, int, int]:
    """(week-year, week number, weeks in that week-year): week 1 is the first week with 4+ days of the year."""

    def first_week_start(year: int) -> date:
        day = date(year, 1, 1)
        start = week_start(day, wkst)
        return start if (day - start).days < 4 else start + timedelta(days=7)

    year = day.year + 1
    while first_week_start(year) > day:
        year -= 1
    weeks = (first_week_start(year + 1) - first_week_start(year)).days // 7
    return year, (day - first_week_start(year)).days // 7 + 1, weeks


def nth_in(day: date, first: date, last: date) -> tuple[int, int]:
    """(n, -m): `day` is the n-th of its weekday from `first` and the m-th counted back from `last`."""
    return (day - first).days // 7 + 1, -((last - day).days // 7 + 1)


def date_matches(rule: Rule, day: date, dtstart: datetime) -> bool:
    month_len = calendar.monthrange(day.year, day.month)[1]
    year_len = 366 if calendar.isleap(day.year) else 365
    bymonth, bymonthday, byday = rule.bymonth, rule.bymonthday, rule.byday
    # Parts the rule leaves out come from DTSTART.
    if rule.freq == "YEARLY" and not (rule.byweekno or rule.byyearday or bymonthday or byday):
        bymonthday = [dtstart.day]
        bymonth = bymonth or [dtstart.month]
    if rule.freq == "MONTHLY" and not (bymonthday or byday):
        bymonthday = [dtstart.day]
    if rule.freq == "WEEKLY" and not byday:
        byday = [(0, dtstart.weekday())]
    if bymonth and day.month not in bymonth:
        return False
    if rule.byweekno:
        _, number, weeks = week_number(day, rule.wkst)
        if number not in rule.byweekno and number - weeks - 1 not in rule.byweekno:
            return False
    if rule.byyearday:
        doy = day.timetuple().tm_yday
        if doy not in rule.byyearday and doy - year_len - 1 not in rule.byyearday:
            return False
    if bymonthday and day.day not in bymonthday and day.day - month_len - 1 not in bymonthday:
        return False
    if byday:
        if rule.freq == "MONTHLY" or (rule.freq == "YEARLY" and rule.bymonth):
            first, last = day.replace(day=1), day.replace(day=month_len)
        else:
            first, last = date(day.year, 1, 1), date(day.year, 12, 31)
        if not any(wd == day.weekday() and (n == 0 or n in nth_in(day, first, last)) for n, wd in byday):
            return False
    return True


def period_index(rule: Rule, local: datetime) -> int:
    if rule.freq == "YEARLY":
        return week_number(local.date(), rule.wkst)[0] if rule.byweekno else local.year
    if rule.freq == "MONTHLY":
        return local.year * 12 + local.month
    if rule.freq == "WEEKLY":
        return (week_start(local.date(), rule.wkst) - date(1, 1, 1)).days // 7
    if rule.freq == "DAILY":
        return (local.date() - date(1, 1, 1)).days
    return (local.date() - date(1, 1, 1)).days * 24 + local.hour


def to_instant(local: datetime, tz: tzinfo) -> datetime | None:
    """Try every UTC offset the zone uses around that day; none fits = gap, two fit = fold (take the first)."""
    offsets = set()
    for hours in range(-48, 49, 6):
        probe = (local - timedelta(hours=hours)).replace(tzinfo=UTC)
        offset = probe.astimezone(tz).utcoffset()
        assert offset is not None
        offsets.add(offset)
    fits = []
    for offset in offsets:
        utc = (local - offset).replace(tzinfo=UTC)
        if utc.astimezone(tz).replace(tzinfo=None) == local:
            fits.append(utc)
    return min(fits) if fits else None


def instants(
    rule_text: str, dtstart_utc: datetime, tz: tzinfo, until: datetime, *, pattern_only: bool = False
) -> list[datetime]:
    """The recurrence set up to and including `until`, sorted.

    With `pattern_only`, neither DTSTART is forced in nor COUNT/UNTIL applied: what the rule's pattern hits.
    """
    rule = parse(rule_text)
    dt0 = dtstart_utc.astimezone(tz).replace(tzinfo=None)
    first_day = dt0.date() - timedelta(days=400 if rule.freq == "YEARLY" else 31)
    last_day = until.astimezone(tz).date() + timedelta(days=400 if rule.freq == "YEARLY" else 32)
    minutes = rule.byminute or [dt0.minute]
    seconds = [s for s in (rule.bysecond or [dt0.second]) if s < 60]
    hours = rule.byhour or ([dt0.hour] if rule.freq != "HOURLY" else list(range(24)))
    start_period = period_index(rule, dt0)
    periods: dict[int, list[datetime]] = {}
    day = first_day
    while day <= last_day:
        if date_matches(rule, day, dt0):
            for hour in range(24):
                if hour not in hours:
                    continue
                for minute in range(60):
                    for second in seconds:
                        if minute in minutes:
                            local = datetime(day.year, day.month, day.day, hour, minute, second)
                            periods.setdefault(period_index(rule, local), []).append(local)
        day += timedelta(days=1)
    locals_: list[datetime] = []
    for index in sorted(periods):
        if index < start_period or (index - start_period) % rule.interval:
            continue
        # A local time that does not exist is no instance (like 30 February): BYSETPOS does not count it.
        members = sorted(m for m in periods[index] if m == dt0 or to_instant(m, tz) is not None)
        if rule.bysetpos:
            size = len(members)
            chosen = {members[p - 1] if p > 0 else members[size + p] for p in rule.bysetpos if 1 <= abs(p) <= size}
            members = sorted(chosen)
        locals_.extend(members)
    result: set[datetime] = set()
    for local in locals_:
        if local < dt0:
            continue
        instant = dtstart_utc if local == dt0 else to_instant(local, tz)
        if instant is not None and instant >= dtstart_utc:
            result.add(instant)
    if pattern_only:
        return sorted(r for r in result if r <= until)
    result.add(dtstart_utc)
    ordered = sorted(result)
    if rule.until is not None:
        ordered = [r for r in ordered if r <= rule.until]
    if rule.count is not None:
        ordered = ordered[: rule.count]
    return [r for r in ordered if r <= until]
