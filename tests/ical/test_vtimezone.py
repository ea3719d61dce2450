"""The feed's VTIMEZONE, read back by `icalendar` without looking the TZID up, gives the tz database's offset
around every switch and across three decades, and is the compact yearly-rule form Outlook reads best."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.calendar_feeds.vtimezone import transitions, vtimezone


@pytest.mark.parametrize(
    "name", ["Europe/Vienna", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Tokyo"]
)
def test_vtimezone_matches_the_tz_database(name: str) -> None:
    zone = ZoneInfo(name)
    component = vtimezone(zone, name, 2012, 2040)
    read_back = component.to_tz(lookup_tzid=False)
    # Every quarter hour of the day before to the day after each switch, and noon of every fifth day between.
    instants = {datetime(2012, 1, 1, 12, tzinfo=UTC) + timedelta(days=5 * i) for i in range(33 * 73)}
    for change in transitions(zone, 2012, 2045):  # beyond the years the component was built for
        instants.update(change.at + timedelta(minutes=15 * k) for k in range(-96, 97))
    wrong = sorted(m for m in instants if m.astimezone(read_back).utcoffset() != m.astimezone(zone).utcoffset())
    assert wrong == []


def test_vienna_is_two_yearly_rules_with_onsets_in_the_old_offset() -> None:
    component = vtimezone(ZoneInfo("Europe/Vienna"), "Europe/Vienna", 2025, 2041)
    text = component.to_ical().decode().replace("\r\n", "\n")
    assert "BEGIN:DAYLIGHT\nDTSTART:20240331T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n" in text
    assert "BEGIN:STANDARD\nDTSTART:20241027T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n" in text
    assert "RDATE" not in text
