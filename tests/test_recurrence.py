"""Recurrence expansion: DST-stable local times, exceptions and holidays never shown, brute-force agreement."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.domain.events.holiday_skips import holiday_skip_starts
from app.domain.events.recurrence import (
    OccurrenceIndex,
    build_rrule,
    ensure_has_occurrences,
    expand,
    format_exdate,
    iter_starts,
    normalize_rule,
    parse_exdate,
    recurrence_end,
)

VIENNA = ZoneInfo("Europe/Vienna")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

local_starts = st.builds(
    lambda d, h, m: datetime.combine(d, time(h, m), tzinfo=VIENNA),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=6, max_value=20),
    st.sampled_from([0, 15, 30, 45]),
)


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC)


@FAST
@given(start=local_starts, count=st.integers(min_value=1, max_value=120), minutes=st.integers(15, 240))
def test_weekly_lesson_keeps_its_local_time_across_dst(start: datetime, count: int, minutes: int) -> None:
    rule = normalize_rule(f"FREQ=WEEKLY;COUNT={count}", VIENNA)
    begin = _utc(start)
    occurrences = expand(
        begin, begin + timedelta(minutes=minutes), rule, VIENNA, begin, begin + timedelta(days=7 * 200)
    )
    assert len(occurrences) == count
    for occ in occurrences:
        local = occ.start.astimezone(VIENNA)
        assert (local.hour, local.minute, local.weekday()) == (start.hour, start.minute, start.weekday())
        assert occ.end - occ.start == timedelta(minutes=minutes)
    end = recurrence_end(begin, begin + timedelta(minutes=minutes), rule, VIENNA)
    assert end == occurrences[-1].end


def _brute_force(start: datetime, step_days: int, count: int | None, until: datetime | None, limit: int) -> list:
    """Reference: step the local calendar date and keep the wall-clock time."""
    out: list[datetime] = []
    day = start.date()
    while len(out) < limit:
        local = datetime.combine(day, start.timetz().replace(tzinfo=None), tzinfo=VIENNA)
        utc = local.astimezone(UTC)
        if until is not None and utc > until:
            break
        out.append(utc)
        if count is not None and len(out) >= count:
            break
        day += timedelta(days=step_days)
    return out


@FAST
@given(
    start=local_starts,
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(1, 4),
    bound=st.one_of(
        st.none(),
        st.tuples(st.just("COUNT"), st.integers(1, 60)),
        st.tuples(st.just("UNTIL"), st.integers(0, 400)),
    ),
    window=st.tuples(st.integers(-30, 300), st.integers(1, 120)),
    excluded=st.sets(st.integers(0, 59), max_size=15),
)
def test_expansion_matches_brute_force_and_skips_exceptions(
    start: datetime,
    freq: str,
    interval: int,
    bound: tuple[str, int] | None,
    window: tuple[int, int],
    excluded: set[int],
) -> None:
    begin = _utc(start)
    duration = timedelta(minutes=50)
    rule = f"FREQ={freq};INTERVAL={interval}"
    count = until = None
    if bound is not None and bound[0] == "COUNT":
        count = bound[1]
        rule += f";COUNT={count}"
    elif bound is not None:
        until = begin + timedelta(days=bound[1], hours=3)
        rule += f";UNTIL={format_exdate(until)}"
    canonical = normalize_rule(rule, VIENNA)
    step = interval * (7 if freq == "WEEKLY" else 1)
    reference = _brute_force(start, step, count, until, limit=500)
    exdates = {reference[i] for i in excluded if i < len(reference)}
    ws = begin + timedelta(days=window[0])
    we = ws + timedelta(days=window[1])
    expected = [s for s in reference if s < we and s + duration > ws and s not in exdates]
    got = expand(begin, begin + duration, canonical, VIENNA, ws, we, exdates)
    assert [o.start for o in got] == expected
    assert not {o.start for o in got} & exdates
    # The cached index answers the same for any sub-window.
    index = OccurrenceIndex.build(begin, begin + duration, canonical, VIENNA, ws, we)
    kept = [o for o in index.overlapping(ws, we) if o.start not in exdates]
    assert kept == got


@FAST
@given(
    start=local_starts,
    days=st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, max_size=4),
    interval=st.integers(1, 3),
    freq=st.sampled_from(["WEEKLY", "DAILY"]),
    offset=st.integers(0, 900),
    span=st.integers(1, 60),
)
def test_fast_forwarded_expansion_equals_full_iteration(
    start: datetime, days: set[str], interval: int, freq: str, offset: int, span: int
) -> None:
    """Long-running series are expanded from shortly before the window; the result must not change."""
    rule = normalize_rule(f"FREQ={freq};INTERVAL={interval};BYDAY={','.join(sorted(days))};BYHOUR=8,13", VIENNA)
    begin = _utc(start)
    duration = timedelta(minutes=45)
    ws = begin + timedelta(days=offset)
    we = ws + timedelta(days=span)
    full = [s for s in iter_starts(rule, begin, VIENNA, we) if s < we and s + duration > ws]
    assert [o.start for o in expand(begin, begin + duration, rule, VIENNA, ws, we)] == full


@FAST
@given(
    start=local_starts,
    holidays=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 14)), min_size=1, max_size=6),
)
def test_holiday_skipped_occurrences_never_appear(start: datetime, holidays: list[tuple[int, int]]) -> None:
    begin = _utc(start)
    duration = timedelta(hours=1)
    rule = normalize_rule("FREQ=DAILY;INTERVAL=2", VIENNA)
    ranges = [
        (start.date() + timedelta(days=a), start.date() + timedelta(days=a + length), i)
        for i, (a, length) in enumerate(holidays)
    ]
    skips = holiday_skip_starts(rule, begin, ranges, VIENNA)
    window_end = begin + timedelta(days=230)
    visible = expand(begin, begin + duration, rule, VIENNA, begin, window_end, [s for s, _ in skips])
    everything = expand(begin, begin + duration, rule, VIENNA, begin, window_end)

    def on_holiday(occ_start: datetime) -> bool:
        day = occ_start.astimezone(VIENNA).date()
        return any(a <= day <= b for a, b, _ in ranges)

    assert all(not on_holiday(o.start) for o in visible)
    assert [o for o in everything if not on_holiday(o.start)] == visible


def test_spring_forward_lesson_is_0800_local_on_both_sides() -> None:
    # 2026-03-29 is the switch to summer time in Vienna.
    begin = _utc(datetime(2026, 3, 23, 8, 0, tzinfo=VIENNA))
    occ = expand(begin, begin + timedelta(hours=1), "FREQ=DAILY;COUNT=10", VIENNA, begin, begin + timedelta(days=30))
    assert [o.start.hour for o in occ] == [7] * 6 + [6] * 4  # 08:00 CET = 07:00Z, 08:00 CEST = 06:00Z
    assert {o.start.astimezone(VIENNA).hour for o in occ} == {8}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("DTSTART:20260101T080000Z\nRRULE:FREQ=DAILY", "nur eine RRULE"),
        ("FREQ=DAILY;DTSTART=20260101T080000Z", "DTSTART"),
        ("FREQ=MINUTELY", "Minutentakt"),
        ("FREQ=SECONDLY;COUNT=3", "Minutentakt"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z", "COUNT und UNTIL"),
        ("FREQ=DAILY;COUNT=999999", "COUNT"),
        ("INTERVAL=2", "FREQ fehlt"),
        ("FREQ=WEEKLY;BYDAY=XX", "Ungültige"),
        ("FREQ=DAILY;FOO=1", "Nicht unterstützt"),
        ("FREQ=DAILY;UNTIL=notadate", "UNTIL"),
        ("x" * 2000, "zu lang"),
    ],
)
def test_bad_rules_are_rejected_with_a_clear_message(rule: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        normalize_rule(rule, VIENNA)
    assert message in err.value.message
    assert err.value.field == "recurrenceRule"


def test_rule_canonical_form_and_local_until() -> None:
    assert normalize_rule("  ", VIENNA) is None
    assert normalize_rule("RRULE:freq=weekly;byday=mo,we;interval=2", VIENNA) == "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2"
    # A date-only UNTIL includes that whole local day: 2026-06-30 23:59:59 CEST = 21:59:59Z.
    assert normalize_rule("FREQ=DAILY;UNTIL=20260630", VIENNA) == "FREQ=DAILY;UNTIL=20260630T215959Z"


def test_impossible_rule_has_no_occurrences() -> None:
    begin = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    rule = normalize_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", VIENNA)
    assert rule is not None
    with pytest.raises(ValidationError):
        ensure_has_occurrences(rule, begin, VIENNA)
    ensure_has_occurrences("FREQ=WEEKLY", begin, VIENNA)


rule_like = st.lists(
    st.tuples(
        st.sampled_from(["FREQ", "COUNT", "UNTIL", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "BYHOUR", "WKST"]),
        st.one_of(
            st.sampled_from(["DAILY", "WEEKLY", "MO,TU", "-1", "0", "99", "20260101", "1FR"]), st.text(max_size=8)
        ),
    ),
    max_size=5,
).map(lambda parts: ";".join(f"{k}={v}" for k, v in parts))


@given(st.one_of(st.text(max_size=200), rule_like))
@settings(max_examples=300, deadline=None)
def test_garbage_rules_only_ever_raise_validation_errors(text: str) -> None:
    with contextlib.suppress(ValidationError):
        normalize_rule(text, VIENNA)


def test_exdate_round_trip() -> None:
    moment = datetime(2026, 4, 1, 6, 0, 3, tzinfo=UTC)
    assert format_exdate(moment) == "20260401T060003Z"
    assert parse_exdate("20260401T060003Z") == moment
    assert parse_exdate("2026-04-01T08:00:03+02:00") == moment
    with pytest.raises(ValidationError):
        parse_exdate("gestern")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYWEEKNO=-1,1;BYDAY=MO;WKST=SU",
        "FREQ=YEARLY;BYYEARDAY=-1,100;BYHOUR=8;BYMINUTE=0,30;BYSECOND=0,30",
        "FREQ=MONTHLY;BYDAY=-1FR,2TU,WE;BYSETPOS=1,-1",
        "FREQ=MONTHLY;BYMONTHDAY=-1,-31",
        "FREQ=HOURLY;BYHOUR=8,9;BYMINUTE=15;INTERVAL=2",
        "FREQ=WEEKLY;BYDAY=MO;BYMONTH=3,10;WKST=SU;BYSETPOS=-1",
        "FREQ=DAILY;BYSECOND=0,60",
        "FREQ=YEARLY;BYDAY=+20MO",
    ],
)
def test_every_rfc5545_vevent_rule_part_is_accepted(rule: str) -> None:
    canonical = normalize_rule(rule, VIENNA)
    assert canonical is not None
    ensure_has_occurrences(canonical, datetime(2026, 1, 5, 7, 0, tzinfo=UTC), VIENNA)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO ist nur mit FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYYEARDAY=3", "BYYEARDAY ist mit FREQ=MONTHLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY ist mit FREQ=WEEKLY"),
        ("FREQ=DAILY;BYDAY=1MO", "nur mit MONTHLY oder YEARLY"),
        ("FREQ=YEARLY;BYWEEKNO=3;BYDAY=1MO", "zusammen mit BYWEEKNO"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS braucht"),
        ("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO", "BYSETPOS=0"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR=24"),
        ("FREQ=DAILY;BYMONTH=-1", "BYMONTH"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367"),
        ("FREQ=MONTHLY;BYDAY=54MO", "±53"),
        ("FREQ=WEEKLY;WKST=XX", "WKST"),
        ("FREQ=DAILY;UNTIL=20260101T1000", "UNTIL"),
        ("FREQ=DAILY;UNTIL=20260101T100000", "Ortszeit ohne Zone"),
    ],
)
def test_rules_rfc5545_forbids_are_refused_with_the_reason(rule: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        normalize_rule(rule, VIENNA)
    assert message in err.value.message, err.value.message
    assert err.value.field == "recurrenceRule"


def test_stored_rules_from_before_the_rfc_checks_still_expand_and_never_crash() -> None:
    begin = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday
    # Accepted by dateutil before, refused for new rules now: still expanded (dateutil ignored BYMONTHDAY).
    legacy = [
        o.start
        for o in expand(
            begin, begin + timedelta(hours=1), "FREQ=WEEKLY;BYMONTHDAY=3", VIENNA, begin, begin + timedelta(days=15)
        )
    ]
    assert legacy[0] == begin
    # Unreadable: the event is shown once at its start.
    broken = expand(begin, begin + timedelta(hours=1), "FREQ=DAILY;BYHOUR=99", VIENNA, begin, begin + timedelta(days=5))
    assert [o.start for o in broken] == [begin]
    assert recurrence_end(begin, begin + timedelta(hours=1), "FREQ=DAILY;BYHOUR=99", VIENNA) is None


def test_until_before_the_start_is_refused() -> None:
    rule = normalize_rule("FREQ=DAILY;UNTIL=20251231T000000Z", VIENNA)
    assert rule is not None
    with pytest.raises(ValidationError) as err:
        ensure_has_occurrences(rule, datetime(2026, 1, 5, 7, 0, tzinfo=UTC), VIENNA)
    assert "UNTIL liegt vor dem Beginn" in err.value.message


def test_build_rrule_cursor_follows_the_one_expansion_at_the_fold() -> None:
    """periods/spillover looks up the next occurrence with build_rrule(...).after: same instants as iter_starts."""
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second pass
    cursor = build_rrule("FREQ=DAILY;COUNT=3", start, VIENNA)
    first = cursor.after(start.astimezone(VIENNA), inc=True)
    assert first is not None and first.astimezone(UTC) == start
    second = cursor.after(start, inc=False)
    assert second is not None and second.astimezone(UTC) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
    assert cursor.after(datetime(2026, 10, 27, 1, 30, tzinfo=UTC)) is None
    assert build_rrule("FREQ=WEEKLY", start, VIENNA).after(datetime(2030, 1, 1, tzinfo=UTC)) is not None
