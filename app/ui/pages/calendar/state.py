"""What the calendar shows: the room groups (one, several or all), academic period, view and window, and their
events and holidays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import app

from app.ui import gql
from app.ui.calendar_model import VIEWS, View, utc_range, view_days
from app.ui.event_form import EVENT_FIELDS
from app.ui.format import fmt_date
from app.ui.i18n import t
from app.ui.pages.calendar.entries import occurrence_key

STORAGE_KEY = "calendar-view"
OCCURRENCE_FIELDS = "eventId groupId title eventType start end isRecurring isDetached detachedFromEventId"
PERIOD_FIELDS = "id name displayName startDate endDate isActive"


@dataclass
class CalendarState:
    tz: ZoneInfo
    groups: list[dict[str, Any]] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)
    period_id: int | None = None
    view: View = "week"
    anchor: date = field(default_factory=date.today)
    holidays: list[dict[str, Any]] = field(default_factory=list)
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    masters: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def group_id(self) -> int | None:
        """The group a new event starts in and the feed buttons act on: the one chosen last."""
        return self.group_ids[-1] if self.group_ids else None

    def by_key(self, key: str) -> dict[str, Any] | None:
        return next((o for o in self.occurrences if occurrence_key(o) == key), None)

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
        self._choose_groups(saved.get("groups"))
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

    def _choose_groups(self, wanted: Any) -> None:
        ids = [g["id"] for g in self.groups]
        kept = [i for i in wanted if i in ids] if isinstance(wanted, list) else []
        self.group_ids = kept if kept else ids[:1]

    async def load_groups(self) -> None:
        """Re-read the group list (renamed, created, deleted); keeps the shown groups while they exist."""
        data = await gql.gql("query { groups(includeUnassigned: false) { id name } }")
        self.groups = data["groups"]
        self._choose_groups(self.group_ids)

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
        if not self.group_ids:
            return
        start, end = utc_range(self.days(), self.tz)
        # One group: ask for it; several: ask for all groups once and keep the shown ones.
        only = self.group_ids[0] if len(self.group_ids) == 1 else None
        data = await gql.gql(
            f"query($g: Int, $s: DateTime!, $e: DateTime!) {{ "
            f"eventOccurrences(groupId: $g, start: $s, end: $e) {{ {OCCURRENCE_FIELDS} }} "
            f"events(groupId: $g, start: $s, end: $e) {{ {EVENT_FIELDS} }} }}",
            {"g": only, "s": start.isoformat(), "e": end.isoformat()},
        )
        shown = set(self.group_ids)
        self.occurrences = [o for o in data["eventOccurrences"] if o["groupId"] in shown]
        self.masters = {e["id"]: e for e in data["events"] if e["groupId"] in shown}

    async def group_occurrences(self, group_id: int, start: str, end: str) -> list[dict[str, Any]]:
        """One group's occurrences in [start, end) (for the overlap warning)."""
        data = await gql.gql(
            f"query($g: Int, $s: DateTime!, $e: DateTime!) {{ "
            f"eventOccurrences(groupId: $g, start: $s, end: $e) {{ {OCCURRENCE_FIELDS} }} }}",
            {"g": group_id, "s": start, "e": end},
        )
        return list(data["eventOccurrences"])

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
