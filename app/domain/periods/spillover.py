"""Recurrence spillover: does a recurring series still show on or after today?

An academic period cannot be archived (or deleted) while a recurring master event assigned to it still
has current or future occurrences, because archiving would hide a series that is still on screens.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, date, datetime, time, tzinfo

from app.domain.clock import as_utc
from app.domain.errors import ValidationError
from app.domain.events.recurrence import build_rrule, truncate_seconds

log = logging.getLogger(__name__)

# How many excluded occurrences in a row we step over before giving up (and counting it as still running).
_MAX_STEPS = 1000


def has_occurrence_on_or_after(
    rule: str,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    today: date,
    now: datetime,
    exceptions: Collection[datetime] = (),
) -> bool:
    """True if an un-excluded occurrence starts on/after local `today` or is still running at `now`."""
    start_utc = as_utc(start)
    end_utc = as_utc(end)
    assert start_utc is not None and end_utc is not None
    duration = end_utc - start_utc
    try:
        rr = build_rrule(rule, start_utc, tz)
    except (ValidationError, ValueError, TypeError) as exc:
        # An unreadable stored rule: err on the side of keeping the period (the admin can fix the event).
        log.warning("event=spillover_rule_unreadable rule=%r error=%s", rule[:200], exc)
        return True
    midnight = datetime.combine(today, time(0), tzinfo=tz)
    threshold = min(midnight, (as_utc(now) or now) - duration).astimezone(tz)
    excluded = {truncate_seconds(as_utc(e) or e) for e in exceptions}
    cursor, inclusive = threshold, True
    for _ in range(_MAX_STEPS):
        occurrence = rr.after(cursor, inc=inclusive)
        if occurrence is None:
            return False
        if truncate_seconds(occurrence.astimezone(UTC)) not in excluded:
            return True
        cursor, inclusive = occurrence, False
    return True
