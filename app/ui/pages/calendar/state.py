"""What the calendar shows: the room group, academic period, view and window, and their events and holidays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import app

from app.ui import gql
from app.ui.calendar_model import VIEWS, View, utc_range, view_days
from app.ui.event_form import EVENT_FIELDS
from app.ui.format import fmt_date, parse_dt
from app.ui.i18n import t

STORAGE_KEY = "calendar-view"
OCCURRENCE_FIELDS = "eventId groupId title eventType start end isRecurring isDetached detachedFromEventId"
PERIOD_FIELDS = "id name displayName startDate endDate isActive"


@dataclass
class CalendarState:
    tz: ZoneInfo
    groups: list[dict[str, Any]] = field(default_factory=list)
    group_id: int | None = None
    periods: list[dict[str, Any]] = field(default_factory=list)
    period_id: int | None = None
    view: View = "week"
    anchor: date = field(default_factory=date.today)
    holidays: list[dict[str, Any]] = field(default_factory=list)
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    masters: dict[int, dict[str, Any]] = field(default_factory=dict)
    keep_scroll: float | None = None  # a live reload keeps the hour the user scrolled to

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def days(self) -> list[date]:
        return view_days(self.view, self.anchor)

    def period(self) -> dict[str, Any] | None:
        return next((p for p in self.periods if p["id"] == self.period_id), None)

    def period_label(self) -> str:
        period = self.period()
        if period is None:
            return t("cal.no_period")
        return str(period.get("displayName") or period["name"])

    def group_names(self) -> dict[int, str]:
        return {g["id"]: g["name"] for g in self.groups}

    async def load_meta(self) -> None:
        data = await gql.gql(
            f"query {{ groups(includeUnassigned: false) {{ id name }} academicPeriods {{ {PERIOD_FIELDS} }} "
            f"activeAcademicPeriod {{ id }} }}"
        )
        self.groups = data["groups"]
        self.periods = data["academicPeriods"]
        saved = saved_view()
        self._choose_group(saved.get("group"))
        if saved.get("view") in VIEWS:
            self.view = saved["view"]
        self.anchor = self.today()
        active = data.get("activeAcademicPeriod")
        covering = next(
            (p for p in self.periods if p["startDate"] <= self.anchor.isoformat() <= p["endDate"]),
            None,
        )
        chosen = active or covering or (self.periods[0] if self.periods else None)
        self.period_id = chosen["id"] if chosen else None
        await self.load_holidays()

    def _choose_group(self, wanted: Any) -> None:
        ids = [g["id"] for g in self.groups]
        self.group_id = wanted if wanted in ids else (ids[0] if ids else None)

    async def load_groups(self) -> None:
        """Re-read the group list (renamed, created, deleted); keeps the shown group while it exists."""
        data = await gql.gql("query { groups(includeUnassigned: false) { id name } }")
        self.groups = data["groups"]
        self._choose_group(self.group_id)

    async def load_holidays(self) -> None:
        self.holidays = []
        if self.period_id is not None:
            data = await gql.gql(
                "query($p: Int) { holidays(academicPeriodId: $p) { id name startDate endDate } }",
                {"p": self.period_id},
            )
            self.holidays = data["holidays"]

    async def load_events(self) -> None:
        self.occurrences, self.masters = [], {}
        if self.group_id is None:
            return
        start, end = utc_range(self.days(), self.tz)
        data = await gql.gql(
            f"query($g: Int, $s: DateTime!, $e: DateTime!) {{ "
            f"eventOccurrences(groupId: $g, start: $s, end: $e) {{ {OCCURRENCE_FIELDS} }} "
            f"events(groupId: $g, start: $s, end: $e) {{ {EVENT_FIELDS} }} }}",
            {"g": self.group_id, "s": start.isoformat(), "e": end.isoformat()},
        )
        self.occurrences = data["eventOccurrences"]
        self.masters = {e["id"]: e for e in data["events"]}

    async def master(self, event_id: int) -> dict[str, Any]:
        if event_id not in self.masters:
            data = await gql.gql(f"query($i: Int!) {{ event(id: $i) {{ {EVENT_FIELDS} }} }}", {"i": event_id})
            if data.get("event") is None:
                raise gql.GqlError(t("cal.not_found"))
            self.masters[event_id] = data["event"]
        return self.masters[event_id]

    def skips_holidays(self, occurrence: dict[str, Any]) -> bool:
        return bool(self.masters.get(occurrence["eventId"], {}).get("skipHolidays"))


def saved_view() -> dict[str, Any]:
    value = app.storage.user.get(STORAGE_KEY)
    return value if isinstance(value, dict) else {}


def occurrence_key(occurrence: dict[str, Any]) -> str:
    start = parse_dt(occurrence["start"])
    stamp = start.strftime("%Y%m%dT%H%M%SZ") if start else "x"
    return f"{occurrence['eventId']}-{stamp}"


def weekday_names() -> list[str]:
    return [t(f"cal.wd.{d}") for d in ("mo", "tu", "we", "th", "fr", "sa", "su")]


def range_label(view: View, days: list[date], anchor: date) -> str:
    if view == "month":
        months = t("cal.months").split(",")
        return f"{months[anchor.month - 1]} {anchor.year}"
    if view == "day":
        return f"{weekday_names()[anchor.weekday()]}, {fmt_date(anchor)}"
    week = days[0].isocalendar().week
    return f"{t('cal.kw', week=week)} · {fmt_date(days[0])} – {fmt_date(days[-1])}"
