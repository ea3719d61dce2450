"""What the Dashboard shows: the room groups with their displays, each group's active event, the active
period and whether today is a holiday — "today" and "now" in the school's time zone, not the host's."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.domain.clock import utcnow
from app.ui import gql
from app.ui.format import school_tz
from app.ui.i18n import t
from app.ui.widgets import CLIENT_FIELDS, HEALTH_ORDER, alive_now, client_name, display_health

FILTERS = ("all", *(status.lower() for status in HEALTH_ORDER))


def school_today(now: datetime | None = None) -> date:
    """The school's date now (a school in Vienna has its Monday while a UTC host still has Sunday)."""
    return (now or utcnow()).astimezone(school_tz()).date()


def holiday_on(holidays: list[dict[str, Any]], day: date) -> dict[str, Any] | None:
    iso = day.isoformat()
    for holiday in holidays:
        if str(holiday.get("startDate", "")) <= iso <= str(holiday.get("endDate", "")):
            return holiday
    return None


@dataclass
class DashboardState:
    grace: int = 180
    groups: list[dict[str, Any]] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    period: dict[str, Any] | None = None
    holiday: dict[str, Any] | None = None
    banner_loaded: bool = False
    filter: str = "all"
    expanded: set[str] = field(default_factory=set)
    # Displays per group, sorted by name; rebuilt after a change (a page with 500 displays asks per card).
    _by_group: dict[int | None, list[dict[str, Any]]] | None = None

    async def load(self) -> None:
        """Everything, the parts read side by side (a refresh click waits for the slowest, not for their sum)."""
        await asyncio.gather(self._load_clients(), self.load_schedule())

    async def _load_clients(self) -> None:
        data = await gql.gql(
            f"query {{ heartbeatGracePeriodSeconds groups {{ id name displayOrder clients {{ {CLIENT_FIELDS} }} }} }}"
        )
        self.grace = int(data["heartbeatGracePeriodSeconds"])
        self.groups = [{"id": g["id"], "name": g["name"], "displayOrder": g["displayOrder"]} for g in data["groups"]]
        self.clients = {c["uuid"]: c for g in data["groups"] for c in g["clients"]}
        self._by_group = None

    async def load_schedule(self) -> None:
        """The time-dependent part: each group's event now, the active period and today's holiday."""
        await asyncio.gather(self._load_events(), self._load_banner())

    async def _load_events(self) -> None:
        now = utcnow()
        try:
            data = await gql.gql(
                "query($s: DateTime!, $e: DateTime!) { eventOccurrences(start: $s, end: $e) "
                "{ eventId groupId title eventType start end } }",
                {"s": now.isoformat(), "e": (now + timedelta(seconds=1)).isoformat()},
            )
        except gql.GqlError:
            return  # events are optional decoration of the cards
        self.events = {}
        for occurrence in data["eventOccurrences"]:
            self.events.setdefault(occurrence["groupId"], occurrence)

    async def _load_banner(self) -> None:
        data = await gql.gql("query { activeAcademicPeriod { id name displayName startDate endDate } }")
        self.period = data.get("activeAcademicPeriod")
        self.banner_loaded = True
        self.holiday = None
        if self.period:
            holidays = await gql.gql(
                "query($p: Int) { holidays(academicPeriodId: $p) { id name region startDate endDate } }",
                {"p": self.period["id"]},
            )
            self.holiday = holiday_on(holidays.get("holidays") or [], school_today())

    def group_clients(self, group_id: int | None) -> list[dict[str, Any]]:
        if self._by_group is None:
            index: dict[int | None, list[dict[str, Any]]] = {}
            for client in sorted(self.clients.values(), key=lambda c: client_name(c).lower()):
                index.setdefault(client.get("groupId"), []).append(client)
            self._by_group = index
        return self._by_group.get(group_id, [])

    def ordered_groups(self) -> list[dict[str, Any]]:
        known = [g for g in self.groups if g["id"] is not None]
        # "Nicht zugeordnet" is always last, named in the page's language.
        return [*known, {"id": None, "name": t("dash.no_group")}]

    def health(self, client: dict[str, Any]) -> str:
        return display_health(client, self.grace)

    def alive(self, client: dict[str, Any]) -> bool:
        return alive_now(client, self.grace)

    def counts(self) -> dict[str, int]:
        """Displays per health status (lower case keys) and in total."""
        statuses = [self.health(c) for c in self.clients.values()]
        counts = {status.lower(): statuses.count(status) for status in HEALTH_ORDER}
        return {"all": len(statuses), **counts}

    def visible(self, client: dict[str, Any]) -> bool:
        return self.filter == "all" or self.health(client).lower() == self.filter

    def knows_group(self, group_id: int | None) -> bool:
        return any(g["id"] == group_id for g in self.groups)

    def apply_update(self, client: dict[str, Any]) -> None:
        self.clients[client["uuid"]] = {**self.clients.get(client["uuid"], {}), **client}
        self._by_group = None
