"""What the resources timeline shows: the day or week window, the groups, their occurrences and the holidays
(of the active period)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.ui import gql
from app.ui.calendar_model import View, utc_range, view_days
from app.ui.pages.calendar.state import OCCURRENCE_FIELDS


@dataclass
class ResourcesState:
    tz: ZoneInfo
    view: View = "day"
    anchor: date = field(default_factory=date.today)
    groups: list[dict[str, Any]] = field(default_factory=list)
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    holidays: list[dict[str, Any]] = field(default_factory=list)

    def days(self) -> list[date]:
        return view_days(self.view, self.anchor)

    def window(self) -> tuple[datetime, datetime]:
        return utc_range(self.days(), self.tz)

    async def load(self) -> None:
        start, end = self.window()
        data = await gql.gql(
            "query($s: DateTime!, $e: DateTime!) { groups(includeUnassigned: false) { id name displayOrder } "
            f"eventOccurrences(start: $s, end: $e) {{ {OCCURRENCE_FIELDS} }} "
            "holidays { name startDate endDate } }",
            {"s": start.isoformat(), "e": end.isoformat()},
        )
        self.groups = [g for g in data["groups"] if g["id"] is not None]
        self.occurrences = data["eventOccurrences"]
        self.holidays = data["holidays"]
