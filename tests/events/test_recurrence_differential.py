"""The application's expansion against the brute-force RFC 5545 reference, on thousands of seeded random rules.

The rules concentrate on what goes wrong in practice: Europe/Vienna DST switches (starts in and around the
skipped and the repeated hour, BYHOUR lists that hit them), month ends and leap days, BYSETPOS (also with
WEEKLY and WKST), negative BYMONTHDAY/BYDAY ordinals, BYWEEKNO/BYYEARDAY, COUNT and UNTIL, EXDATEs and
holidays. A mismatch names the rule, DTSTART and the first differing instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.errors import ValidationError
from app.domain.events.holiday_skips import holiday_skip_starts
from app.domain.events.recurrence import (
    OccurrenceIndex,
    ensure_has_occurrences,
    expand,
    format_exdate,
    normalize_rule,
    occurs_at,
    recurrence_end,
)
from tests.events import rfc5545_reference as reference

VIENNA = ZoneInfo("Europe/Vienna")
DAYS = reference.DAYS
# How far each frequency is compared (long enough for several periods, short enough for the brute force).
SPAN = {
    "HOURLY": timedelta(days=3),
    "DAILY": timedelta(days=45),
    "WEEKLY": timedelta(days=150),
    "MONTHLY": timedelta(days=800),
    "YEARLY": timedelta(days=366 * 7),
}


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def random_dtstart(rng: random.Random) -> datetime:
    """A UTC start, mostly near a Vienna DST switch or a month end / leap day."""
    year = rng.choice([2024, 2025, 2026, 2027, 2028, 2029, 2031])
    kind = rng.random()
    if kind < 0.45:
        switch = _last_sunday(year, rng.choice([3, 10]))
        day = switch + timedelta(days=rng.choice([0, 0, 0, -1, -2, -7, 1, -30, -90]))
        local = datetime(day.year, day.month, day.day, rng.choice([0, 1, 2, 2, 2, 3, 8]), rng.choice([0, 30, 59]))
        if local.date() == switch and local.hour == 2 and rng.random() < 0.5:
            local = local.replace(fold=1)  # the second pass of the repeated hour (or a gap time, see below)
        utc = local.replace(tzinfo=VIENNA).astimezone(UTC)
        return utc.replace(second=rng.choice([0, 0, 0, 17]))
    if kind < 0.75:
        month = rng.randint(1, 12)
        last = (date(year, month % 12 + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
        day = last - timedelta(days=rng.choice([0, 0, 1, 2, 3]))
        if rng.random() < 0.2:
            day = date(rng.choice([2024, 2028]), 2, 29)
    else:
        day = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
    local = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.choice([0, 15, 30, 45]))
    return local.replace(tzinfo=VIENNA).astimezone(UTC)


def _pick(rng: random.Random, values: list[int], most: int) -> str:
    return ",".join(str(v) for v in rng.sample(values, rng.randint(1, most)))


def _byday(rng: random.Random, freq: str, ordinals: bool) -> str:
    items = []
    for wd in rng.sample(range(7), rng.randint(1, 4)):
        n = 0
        if ordinals and rng.random() < 0.5:
            n = rng.choice([1, 2, 3, 4, 5, -1, -2, -5] if freq == "MONTHLY" else [1, 2, 10, 20, 53, -1, -3, -53])
        items.append(f"{n if n else ''}{DAYS[wd]}")
    return ",".join(items)


def random_rule(rng: random.Random, start: datetime) -> str:
    freq = rng.choices(["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"], weights=[1, 3, 3, 3, 2])[0]
    parts = [f"FREQ={freq}"]
    if rng.random() < 0.4:
        parts.append(f"INTERVAL={rng.choice([2, 3, 4, 5, 7] if freq != 'HOURLY' else [2, 3, 5, 7, 13, 25])}")
    by = rng.random
    if freq == "YEARLY" and by() < 0.2:
        parts.append(f"BYWEEKNO={_pick(rng, [1, 2, 9, 20, 52, 53, -1, -2, -52, -53], 3)}")
        if by() < 0.7:
            parts.append(f"BYDAY={_byday(rng, freq, ordinals=False)}")
    else:
        if freq in ("YEARLY", "MONTHLY", "DAILY", "HOURLY") and by() < 0.3:
            parts.append(f"BYMONTHDAY={_pick(rng, [1, 2, 15, 28, 29, 30, 31, -1, -2, -3, -29, -31], 3)}")
        if freq == "YEARLY" and by() < 0.15:
            parts.append(f"BYYEARDAY={_pick(rng, [1, 59, 60, 100, 200, 365, 366, -1, -60, -366], 3)}")
        if by() < 0.5:
            parts.append(f"BYDAY={_byday(rng, freq, ordinals=freq in ('MONTHLY', 'YEARLY'))}")
    if (freq != "MONTHLY" and by() < 0.35) or (freq == "MONTHLY" and by() < 0.15):
        parts.append(f"BYMONTH={_pick(rng, [2, 3, 10, 12, start.astimezone(VIENNA).month], 3)}")
    if by() < 0.4:
        parts.append(f"BYHOUR={_pick(rng, [0, 1, 2, 3, 8, 12, 23], 3)}")
    if by() < 0.25:
        parts.append(f"BYMINUTE={_pick(rng, [0, 15, 30, 59], 2)}")
    if by() < 0.1:
        parts.append(f"BYSECOND={_pick(rng, [0, 30, 59], 2)}")
    if len(parts) > 1 and any(p.startswith("BY") for p in parts) and by() < 0.45:
        parts.append(f"BYSETPOS={_pick(rng, [1, 2, 3, -1, -2, 5, -7], 2)}")
    if by() < 0.3:
        parts.append(f"WKST={rng.choice(DAYS)}")
    bound = by()
    if bound < 0.35:
        parts.append(f"COUNT={rng.randint(1, 30)}")
    elif bound < 0.65:
        until = start + SPAN[freq] * rng.uniform(0.05, 0.9)
        parts.append(f"UNTIL={format_exdate(until)}")
    rng.shuffle(parts)
    return ";".join(parts)


@dataclass
class Case:
    rule: str
    start: datetime

    def describe(self) -> str:
        local = self.start.astimezone(VIENNA)
        return f"RRULE:{self.rule} DTSTART={format_exdate(self.start)} ({local.isoformat()} Europe/Vienna)"


def _first_difference(got: list[datetime], want: list[datetime]) -> str:
    for index, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            return f"at #{index}: got {a.isoformat()}, RFC 5545 says {b.isoformat()}"
    if len(got) > len(want):
        return f"extra instance #{len(want)}: {got[len(want)].isoformat()}"
    return f"missing instance #{len(got)}: {want[len(got)].isoformat()}"


def _check(case: Case, rng: random.Random) -> None:
    rule = normalize_rule(case.rule, VIENNA)
    assert rule is not None
    freq = reference.parse(rule).freq
    duration = timedelta(minutes=rng.choice([30, 50, 90]))
    window_end = case.start + SPAN[freq]
    try:
        ensure_has_occurrences(rule, case.start, VIENNA)
    except ValidationError:
        hits = reference.instants(rule, case.start, VIENNA, window_end, pattern_only=True)
        assert not hits, f"{case.describe()}: refused as empty, but RFC 5545 gives {hits[0].isoformat()}"
        return
    want = reference.instants(rule, case.start, VIENNA, window_end)
    exdates = set(rng.sample(want, min(len(want), rng.randint(0, 3))))
    first = case.start.astimezone(VIENNA).date()
    holidays = [(first + timedelta(days=a), first + timedelta(days=a + rng.randint(0, 9)), 1) for a in (3, 40)]
    holidays = holidays if rng.random() < 0.3 else []
    skipped = {s for s, _ in holiday_skip_starts(rule, case.start, holidays, VIENNA) if s <= window_end}
    on_holiday = {s for s in want if any(a <= s.astimezone(VIENNA).date() <= b for a, b, _ in holidays)}
    assert skipped == on_holiday, f"{case.describe()}: holiday skips {sorted(skipped ^ on_holiday)[:1]}"

    ws = case.start - timedelta(days=1)
    got = expand(case.start, case.start + duration, rule, VIENNA, ws, window_end, exdates | skipped)
    expected = [s for s in want if s < window_end and s not in exdates and s not in on_holiday]
    starts = [o.start for o in got]
    assert starts == expected, f"{case.describe()}: {_first_difference(starts, expected)}"

    # A later window (fast-forwarded expansion) and the scheduler's index say the same.
    mid = case.start + SPAN[freq] / 2
    later = [o.start for o in expand(case.start, case.start + duration, rule, VIENNA, mid, window_end)]
    assert later == [s for s in want if s < window_end and s + duration > mid], case.describe()
    index = OccurrenceIndex.build(case.start, case.start + duration, rule, VIENNA, mid, window_end)
    assert [o.start for o in index.overlapping(mid, window_end)] == later, case.describe()

    spec = reference.parse(rule)
    if want and ((spec.count is not None and len(want) == spec.count) or spec.until is not None):
        assert recurrence_end(case.start, case.start + duration, rule, VIENNA) == want[-1] + duration, (
            f"{case.describe()}: recurrenceEnd"
        )
    for probe in want[:2] + want[-1:]:
        assert occurs_at(rule, case.start, VIENNA, probe), f"{case.describe()}: {probe} not accepted"
    if want:
        wrong = want[0] + timedelta(hours=1)
        assert occurs_at(rule, case.start, VIENNA, wrong) == (wrong in want), case.describe()


@pytest.mark.parametrize("seed", range(8))
def test_random_rules_match_the_rfc5545_reference(seed: int) -> None:
    rng = random.Random(5545 * 1000 + seed)
    for _ in range(250):
        start = random_dtstart(rng)
        _check(Case(random_rule(rng, start), start), rng)
