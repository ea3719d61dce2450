"""iCalendar in and out: holiday import and subscriptions, the schedule feed and its tokens."""
