"""The school zone as a VTIMEZONE that Outlook, Google Calendar and Thunderbird read the same way.

The transitions come from zoneinfo (the tz database). Each observance's DTSTART is the local time of its
onset *before* the change, in TZOFFSETFROM — RFC 5545 §3.6.5 (Europe/Vienna: summer time starts
20260329T020000, winter time 20261025T030000). A change that happens every year on the same weekday
rule (the usual European and North American rules) becomes one open-ended yearly RRULE — the form Outlook
understands best and one that stays right for series beyond the exported years; anything irregular is
listed with RDATEs. A zone without changes gets one STANDARD observance.
"""

from __future__ import annotations

import calendar as monthcal
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

import icalendar

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC instant of the change
    before: timedelta
    after: timedelta
    name: str
    dst: bool

    @property
    def onset(self) -> datetime:
        """Local wall time of the change, in the offset before it (naive)."""
        return (self.at + self.before).replace(tzinfo=None)


def _offset(tz: tzinfo, moment: datetime) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def transitions(tz: tzinfo, first_year: int, last_year: int) -> list[Transition]:
    """Every offset change from 1 January of `first_year` to 1 January of `last_year` (to the second)."""
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year, 1, 1, tzinfo=UTC)
    current = _offset(tz, moment)
    found: list[Transition] = []
    step = timedelta(hours=12)
    while moment < end:
        following = moment + step
        offset = _offset(tz, following)
        if offset != current:
            lo, hi = int(moment.timestamp()), int(following.timestamp())  # the change lies in (lo, hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(tz, datetime.fromtimestamp(mid, UTC)) == current:
                    lo = mid
                else:
                    hi = mid
            at = datetime.fromtimestamp(hi, UTC)
            local = at.astimezone(tz)
            found.append(Transition(at, current, offset, local.tzname() or "", bool(local.dst())))
            current = offset
        moment = following
    return found


def _yearly_rule(onsets: list[datetime], last_year: int) -> dict[str, object] | None:
    """BYMONTH/BYDAY of onsets that follow one weekday rule in consecutive years up to the end, else None."""
    if len(onsets) < 2:
        return None
    first = onsets[0]
    if any(o.year != first.year + i for i, o in enumerate(onsets)) or onsets[-1].year < last_year - 1:
        return None
    if any((o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time()) for o in onsets):
        return None
    weekday = _WEEKDAYS[first.weekday()]
    if all(o.day + 7 > monthcal.monthrange(o.year, o.month)[1] for o in onsets):
        return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"-1{weekday}"}
    nth = {(o.day - 1) // 7 + 1 for o in onsets}
    if len(nth) == 1:
        return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{nth.pop()}{weekday}"}
    return None


def _observance(t: Transition, onsets: list[datetime], last_year: int) -> icalendar.cal.Component:
    component = icalendar.TimezoneDaylight() if t.dst else icalendar.TimezoneStandard()
    component.add("DTSTART", onsets[0])
    rule = _yearly_rule(onsets, last_year)
    if rule is not None:
        component.add("RRULE", rule)
    elif len(onsets) > 1:
        component.add("RDATE", onsets[1:])
    component.add("TZNAME", t.name)
    component.add("TZOFFSETFROM", t.before)
    component.add("TZOFFSETTO", t.after)
    return component


@lru_cache(maxsize=16)
def vtimezone(tz: tzinfo, tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE valid from `first_year` (the year before is scanned, so its January is covered)."""
    found = transitions(tz, first_year - 1, last_year)
    result = icalendar.Timezone()
    result.add("TZID", tzid)
    if not found:
        start = datetime(first_year - 1, 1, 1, tzinfo=UTC)
        offset = _offset(tz, start)
        standard = icalendar.TimezoneStandard()
        standard.add("DTSTART", datetime(first_year - 1, 1, 1))
        standard.add("TZNAME", start.astimezone(tz).tzname() or tzid)
        standard.add("TZOFFSETFROM", offset)
        standard.add("TZOFFSETTO", offset)
        result.add_component(standard)
        return result
    groups: dict[tuple[timedelta, timedelta, str, bool], list[Transition]] = defaultdict(list)
    for t in found:
        groups[(t.before, t.after, t.name, t.dst)].append(t)
    for members in sorted(groups.values(), key=lambda ms: ms[0].at):
        result.add_component(_observance(members[0], [m.onset for m in members], last_year))
    return result
