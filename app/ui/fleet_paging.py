"""Which slice of the fleet the monitoring page shows: a status filter and a page of PAGE_SIZE cards.

The server filters and pages (`monitoringOverview(status:, limit:, offset:)`), so a large fleet costs one
page of cards and screenshots, not every display. Pure arithmetic here; the page renders it.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 48

# Filter key -> the GraphQL ClientHealth values it asks for (None: every display).
STATUS_FILTERS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "problems": ("CRITICAL", "WARNING", "OFFLINE"),
    "critical": ("CRITICAL",),
    "warning": ("WARNING",),
    "offline": ("OFFLINE",),
    "healthy": ("HEALTHY",),
}


def page_count(matching: int) -> int:
    """At least one page, so an empty result is "page 1 of 1" rather than a page that does not exist."""
    return max(1, -(-matching // PAGE_SIZE))


@dataclass
class FleetSlice:
    status_filter: str = "all"
    page: int = 1

    @property
    def statuses(self) -> list[str] | None:
        chosen = STATUS_FILTERS.get(self.status_filter)
        return None if chosen is None else list(chosen)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def select(self, status_filter: str) -> None:
        """A new filter starts at page 1 (page 7 of "Alle" means nothing for "Kritisch")."""
        self.status_filter = status_filter if status_filter in STATUS_FILTERS else "all"
        self.page = 1

    def fit(self, matching: int) -> bool:
        """Move to the last existing page when the fleet shrank under the current one; True if it moved."""
        last = page_count(matching)
        if self.page <= last:
            return False
        self.page = last
        return True

    def shown_range(self, shown: int) -> tuple[int, int]:
        """1-based first and last position of the `shown` cards on this page (0, 0 when there are none)."""
        if shown <= 0:
            return 0, 0
        return self.offset + 1, self.offset + shown
