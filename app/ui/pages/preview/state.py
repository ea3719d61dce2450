"""What the Vorschau shows: the chosen rooms, the day or week, and each room's schedule segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.ui import gql
from app.ui.calendar_model import View, utc_range, view_days

SEGMENT_FIELDS = "start end eventIds titles powerState reason"
# The schema allows 30 aliases per request (app/graphql/schema.py MAX_ALIASES); a school has 40+ rooms.
ROOMS_PER_REQUEST = 20


@dataclass
class PreviewState:
    tz: ZoneInfo
    view: View = "day"
    anchor: date = field(default_factory=date.today)
    groups: list[dict[str, Any]] = field(default_factory=list)
    # None: every room (also rooms created later); otherwise the chosen group ids.
    chosen: list[int] | None = None
    segments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def days(self) -> list[date]:
        return view_days(self.view, self.anchor)

    def window(self) -> tuple[datetime, datetime]:
        return utc_range(self.days(), self.tz)

    def shown(self) -> list[dict[str, Any]]:
        """The chosen rooms in the group order."""
        if self.chosen is None:
            return list(self.groups)
        chosen = set(self.chosen)
        return [g for g in self.groups if g["id"] in chosen]

    def group_name(self, group_id: int) -> str:
        return next((g["name"] for g in self.groups if g["id"] == group_id), str(group_id))

    async def load(self) -> None:
        data = await gql.gql("{ groups(includeUnassigned: false) { id name } }")
        self.groups = [g for g in data["groups"] if g["id"] is not None]
        await self.load_segments()

    async def load_segments(self) -> None:
        """Every shown room's `groupSchedule` over the window, a few rooms per request (one alias per room,
        below the schema's alias limit)."""
        shown = [int(g["id"]) for g in self.shown()]
        start, end = self.window()
        variables = {"s": start.isoformat(), "e": end.isoformat()}
        segments: dict[int, list[dict[str, Any]]] = {}
        for first in range(0, len(shown), ROOMS_PER_REQUEST):
            chunk = shown[first : first + ROOMS_PER_REQUEST]
            fields = " ".join(
                f"g{gid}: groupSchedule(groupId: {gid}, start: $s, end: $e) {{ {SEGMENT_FIELDS} }}" for gid in chunk
            )
            data = await gql.gql(f"query($s: DateTime!, $e: DateTime!) {{ {fields} }}", variables)
            segments.update({gid: data[f"g{gid}"] for gid in chunk})
        self.segments = segments

    async def payload_at(self, group_id: int, at: datetime) -> dict[str, Any]:
        data = await gql.gql(
            "query($g: Int!, $at: DateTime!) { displayPayloadAt(groupId: $g, at: $at) { eventList powerIntent } }",
            {"g": group_id, "at": at.isoformat()},
        )
        return dict(data["displayPayloadAt"])
