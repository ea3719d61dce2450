"""The calendar pages' arithmetic: view ranges, the recurrence editor's RRULEs, group colours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.domain.events.recurrence import expand, normalize_rule
from app.ui.calendar_model import (
    Recurrence,
    anchor_for_period,
    group_color,
    holiday_names,
    is_all_day,
    overlapping,
    parse_rule,
    scroll_hour,
    shift,
    utc_range,
    view_days,
)

VIENNA = ZoneInfo("Europe/Vienna")


def test_month_view_covers_whole_weeks_and_week_view_starts_on_monday() -> None:
    days = view_days("month", date(2026, 3, 18))
    assert days[0] == date(2026, 2, 23) and days[0].weekday() == 0
    assert days[-1] == date(2026, 4, 5) and days[-1].weekday() == 6
    assert len(days) % 7 == 0
    week = view_days("week", date(2026, 3, 18))
    assert week[0] == date(2026, 3, 16) and len(week) == 7
    assert view_days("day", date(2026, 3, 18)) == [date(2026, 3, 18)]
    assert shift("month", date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert shift("month", date(2026, 1, 15), -1) == date(2025, 12, 1)
    assert shift("week", date(2026, 3, 18), -1) == date(2026, 3, 11)


def test_the_api_window_is_local_midnight_to_midnight_across_a_dst_change() -> None:
    start, end = utc_range(view_days("week", date(2026, 3, 25)), VIENNA)  # DST starts on 29 March
    assert start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_selecting_a_period_moves_to_today_inside_it_or_to_its_start() -> None:
    assert anchor_for_period(date(2026, 9, 1), date(2027, 7, 1), date(2026, 11, 5)) == date(2026, 11, 5)
    assert anchor_for_period(date(2027, 9, 1), date(2028, 7, 1), date(2026, 11, 5)) == date(2027, 9, 1)


def test_holidays_mark_the_shown_days_they_cover() -> None:
    days = view_days("week", date(2026, 12, 23))
    names = holiday_names(days, [{"name": "Weihnachtsferien", "startDate": "2026-12-24", "endDate": "2027-01-06"}])
    assert sorted(names) == [date(2026, 12, d) for d in (24, 25, 26, 27)]
    assert set(names.values()) == {"Weihnachtsferien"}


def test_recurrence_editor_builds_rules_the_api_accepts_and_reads_them_back() -> None:
    weekly = Recurrence(freq="WEEKLY", interval=2, weekdays=["WE", "MO"], ends="until", until=date(2026, 6, 30))
    rule = weekly.to_rule()
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20260630"
    assert normalize_rule(rule, VIENNA)
    back = parse_rule(normalize_rule(rule, VIENNA), VIENNA)
    assert (back.freq, back.interval, back.weekdays, back.ends, back.until) == (
        "WEEKLY",
        2,
        ["MO", "WE"],
        "until",
        date(2026, 6, 30),
    )
    assert Recurrence(freq="DAILY", ends="count", count=5).to_rule() == "FREQ=DAILY;COUNT=5"
    assert Recurrence().to_rule() is None
    # Parts the editor does not offer are kept verbatim instead of being lost on save.
    custom = parse_rule("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR", VIENNA)
    assert custom.custom == "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR"
    assert custom.to_rule() == custom.custom


def test_a_weekly_rule_from_the_editor_keeps_8_oclock_local_across_dst() -> None:
    rule = Recurrence(freq="WEEKLY", weekdays=["MO"], ends="count", count=3).to_rule()
    start = datetime(2026, 3, 23, 8, 0, tzinfo=VIENNA)
    occurrences = list(expand(start, start.replace(hour=9), rule, VIENNA, start, datetime(2026, 5, 1, tzinfo=UTC), []))
    assert [o.start.astimezone(VIENNA).hour for o in occurrences] == [8, 8, 8]


def test_group_colours_are_stable_and_differ_between_neighbours() -> None:
    assert group_color(3) == group_color(3) and group_color(3) != group_color(4)


def test_whole_local_days_are_all_day_and_the_week_opens_early_enough_for_the_earliest_event() -> None:
    at = lambda d, h, m=0: datetime(2026, 3, d, h, m, tzinfo=VIENNA)  # noqa: E731
    assert is_all_day(at(18, 0), at(19, 0), VIENNA)
    assert is_all_day(at(27, 0).astimezone(UTC), at(30, 0).astimezone(UTC), VIENNA)  # across the DST change
    assert not is_all_day(at(18, 0), at(18, 23), VIENNA)
    assert not is_all_day(at(18, 0), at(18, 0), VIENNA)
    assert scroll_hour([at(18, 9)], VIENNA) == 7  # the morning by default
    assert scroll_hour([at(18, 9), at(19, 6, 30).astimezone(UTC)], VIENNA) == 6  # an event at 06:30 stays visible


def test_overlaps_are_found_within_the_window_and_touching_events_do_not_overlap() -> None:
    at = lambda h, m=0: datetime(2026, 3, 18, h, m, tzinfo=VIENNA)  # noqa: E731
    others = [(0, at(8), at(9)), (1, at(9), at(10)), (2, at(9, 30), at(11)), (3, at(10), at(12))]
    assert overlapping(others, at(9), at(10), exclude=set()) == [1, 2]
    assert overlapping(others, at(9), at(10), exclude={1}) == [2]
    assert overlapping(others, at(12), at(13), exclude=set()) == []
