"""A group's schedule as an iCalendar feed, reachable with revocable per-feed tokens."""
