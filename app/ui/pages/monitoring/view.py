"""The live Monitoring view: loads one page of the fleet and patches the parts whose content changed.

The metric cards and the filter row are built once and patched (numbers, counts, the pressed filter);
the two panels and each card are a `PatchedSection` keyed by what they show, so a reload that finds
nothing new sends nothing and a changed display rebuilds its own card only. The grid keeps each display's
card across reloads, filters and pages (patched and moved, `show_cards`): a click builds only the cards
new to the page. Reloads come from `fleetChanged` / `clientLogAdded` through one `CoalescedReload`
(at most one per `MIN_INTERVAL_SECONDS`) and from the page's own tick, which also turns silent displays
offline when nothing reports at all (a broker outage). Dialogs live in a host outside every section, so
no reload ever closes or redraws an open dialog.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.fleet_paging import PAGE_SIZE, FleetSlice, page_count
from app.ui.i18n import t
from app.ui.live_reload import LIVE_PAGE_INTERVAL_SECONDS, CoalescedReload, PatchedSection
from app.ui.pages.monitoring.cards import CardSlot
from app.ui.pages.monitoring.logs import LOG_FIELDS, LogsDialog
from app.ui.pages.monitoring.panels import (
    crashed_key,
    crashed_panel,
    patch_ages,
    service_failed_key,
    service_failed_panel,
)
from app.ui.pages.monitoring.restart import RestartTracker
from app.ui.widgets import CLIENT_FIELDS, health_color, health_label

TICK_SECONDS = 5.0
# Filter key -> label key, in the order of the filter row; the metric cards select the single-status ones.
FILTER_LABELS = {
    "all": "common.all",
    "problems": "mon.filter_problems",
    "critical": "mon.filter_critical",
    "warning": "mon.filter_warning",
    "offline": "mon.filter_offline",
    "healthy": "mon.filter_healthy",
}
# Reloads after which the page still lies past the (shrinking) fleet's end are not retried forever.
MAX_FIT_ATTEMPTS = 3
# Ages and analysis times move on this often (every reload would change them: a redraw every 2 s).
AGES_SECONDS = 10.0
# A filter or page seen this recently is shown at once (dimmed) while its fresh cards load.
SEEN_MAX_AGE_SECONDS = 60.0
# Cards kept (hidden) after they left the page: two pages' worth, so switching back builds nothing.
KEPT_CARDS = 2 * PAGE_SIZE

OVERVIEW = f"""
query($h: Int, $s: [ClientHealth!], $l: Int, $o: Int!, $p: Boolean!) {{
  monitoringOverview(hours: $h, status: $s, limit: $l, offset: $o) {{
    generatedAt windowHours matchingClients
    summary {{ totalClients healthy warning critical offline activePriorityScreenshots errorLogs warnLogs }}
    clients {{
      uuid description hostname ip groupName isActive isAlive lastAlive status health {{ status reasons }}
      processStatus currentProcess processPid
      screenHealthStatus lastScreenshotAnalyzed latestScreenshotUrl latestScreenshotType priorityScreenshotType
      priorityScreenshotReceivedAt hasActivePriorityScreenshot mqttReconnectCount mqttLastDisconnectAt
      logCounts {{ error warn }}
      latestError {{ {LOG_FIELDS} }}
    }}
  }}
  crashedClients @include(if: $p) {{ crashReason client {{ {CLIENT_FIELDS} group {{ name }} }} }}
  serviceFailedClients @include(if: $p) {{ {CLIENT_FIELDS} group {{ name }} }}
}}
"""


def _ring_color(color: str) -> str:
    """Tailwind ring colour for a Quasar colour name (Tailwind does not know "positive" etc.)."""
    return {"positive": "green-700", "warning": "amber-500", "negative": "red-700", "primary": "sky-800"}.get(
        color, "gray-500"
    )


def _metric(
    label: str, value: object, color: str, testid: str, hint: str = "", **click: Any
) -> tuple[ui.card, ui.label]:
    on_click: Callable[[], Any] | None = click.get("on_click")
    card = ui.card().classes("is-stat items-center p-3").props(f'data-testid="mon-metric-{testid}"')
    if on_click is not None:
        # A metric card is also the shortcut to its status filter (its pressed look: `_mark_metric`).
        card.classes("cursor-pointer").props("role=button tabindex=0")
        card.on("click", on_click)
        card.on("keydown.enter", on_click)
        _mark_metric(card, color, bool(click.get("selected")))
    with card:
        number = ui.label(str(value)).classes(f"text-3xl font-bold text-{color}").props(f'data-testid="mon-{testid}"')
        ui.label(label).classes("is-muted text-sm text-center")
        if hint:
            ui.label(hint).classes("is-muted text-xs")
    return card, number


def _mark_metric(card: ui.card, color: str, selected: bool) -> None:
    ring = f"ring-2 ring-offset-1 ring-{_ring_color(color)}"
    card.props(f'aria-pressed="{str(selected).lower()}"')
    if selected:
        card.classes(ring)
    else:
        card.classes(remove=ring)


def _filter_counts(summary: dict[str, Any]) -> dict[str, int]:
    return {
        "all": summary["totalClients"],
        "problems": summary["critical"] + summary["warning"] + summary["offline"],
        "critical": summary["critical"],
        "warning": summary["warning"],
        "offline": summary["offline"],
        "healthy": summary["healthy"],
    }


class MonitoringView:
    def __init__(self) -> None:
        self.hours = 24
        self.slice = FleetSlice()
        self.data: dict[str, Any] = {}
        # Bumped by every load: a slow answer for an older filter/page must not overwrite a newer one.
        self.generation = 0
        self.expanded: set[str] = set()  # panels the admin expanded past their first rows
        self.live = CoalescedReload(self.load, min_interval=LIVE_PAGE_INTERVAL_SECONDS)
        self.loads = 0
        self.dialog_host = ui.element("div").props('data-testid="mon-dialogs"')
        with self.dialog_host:
            self.logs = LogsDialog()
        self.metrics = PatchedSection(ui.row().classes("w-full gap-3"))
        self.crashed = PatchedSection(ui.element("div").classes("w-full"))
        self.service_failed = PatchedSection(ui.element("div").classes("w-full"))
        self.restarts = RestartTracker(self.dialog_host, lambda: self.show_panels(ages=False))
        self.filters = PatchedSection(ui.element("div").classes("w-full"))
        self.grid = ui.column().classes("w-full gap-3")
        with self.grid:
            self.range = ui.label().classes("text-sm is-muted").props('data-testid="mon-range"')
            self.empty = PatchedSection(ui.element("div").classes("w-full"))
            self.card_grid = ui.element("div").classes("is-card-grid w-full").props('data-testid="mon-grid"')
            self.pager = PatchedSection(ui.element("div").classes("w-full"))
        self.cards: dict[str, CardSlot] = {}
        self.metric_numbers: dict[str, ui.label] = {}
        self.metric_cards: dict[str, tuple[ui.card, str]] = {}  # filter -> (its metric card, colour)
        self.image_epoch = 0  # bumped by the refresh button: the screenshots are fetched anew
        self.filter_buttons: dict[str, ui.button] = {}
        self.crashed_ages: dict[str, ui.label] = {}
        self.service_failed_ages: dict[str, ui.label] = {}
        # (hours, filter, page) -> (when, the overview then): what a filter click can show before its answer.
        self.seen: dict[tuple[int, str, int], tuple[float, dict[str, Any]]] = {}
        self.ages_shown = time.monotonic()

    # --- loading ----------------------------------------------------------------------------------
    async def load(self, *, panels: bool = True) -> None:
        """Fetch the page of cards (and, unless only the filter or page changed, the problem panels)."""
        self.generation += 1
        generation = self.generation
        self.live.mark_loaded()
        for attempt in range(MAX_FIT_ATTEMPTS):
            data = await gql.gql(
                OVERVIEW,
                {"h": self.hours, "s": self.slice.statuses, "l": PAGE_SIZE, "o": self.slice.offset, "p": panels},
            )
            if generation != self.generation:
                return
            # Fewer matching displays than before (a reload, a fixed display): show the last page that exists.
            matching = data["monitoringOverview"]["matchingClients"]
            if attempt == MAX_FIT_ATTEMPTS - 1 or not self.slice.fit(matching):
                break
        if not panels:  # the panels do not depend on the filter or page: keep the ones shown
            data = {**data, **{k: self.data.get(k) for k in ("crashedClients", "serviceFailedClients")}}
        self.seen[self._seen_key()] = (time.monotonic(), data["monitoringOverview"])
        self.data = data
        self.loads += 1
        self.show()
        await self.restarts.poll()

    def _seen_key(self) -> tuple[int, str, int]:
        return (self.hours, self.slice.status_filter, self.slice.page)

    def show_seen(self) -> None:
        """Answer a filter or page click at once with that slice as it was last loaded (if recently)."""
        when, overview = self.seen.get(self._seen_key(), (0.0, None))
        if overview is not None and time.monotonic() - when <= SEEN_MAX_AGE_SECONDS:
            self.data = {**self.data, "monitoringOverview": overview}
            self.show()

    def on_notice(self, _: dict[str, Any] | None = None) -> None:
        self.live.schedule()

    async def refresh(self) -> None:
        self.live.schedule()

    def start_tick(self) -> None:
        self.live.tick(TICK_SECONDS)

    async def select_filter(self, status_filter: str) -> None:
        if status_filter == self.slice.status_filter and self.slice.page == 1:
            return
        self.slice.select(status_filter)
        self._press(status_filter)
        self.show_seen()
        try:
            await self.load(panels=False)
        finally:
            self.grid.classes(remove="opacity-50")

    def _press(self, status_filter: str) -> None:
        """Answer the click at once (the chosen button and metric card pressed, the cards dimmed) while the
        page loads. Patched, not rebuilt: the button the admin pressed keeps the keyboard focus."""
        for key, button in self.filter_buttons.items():
            selected = key == status_filter
            button.props(
                f'{"unelevated" if selected else "outline"} aria-pressed="{str(selected).lower()}"',
                remove="outline" if selected else "unelevated",
            )
        for key, (card, color) in self.metric_cards.items():
            _mark_metric(card, color, key == status_filter)
        self.grid.classes("opacity-50")

    async def go_to_page(self, page: int | None) -> None:
        if page is None or page == self.slice.page:
            return
        self.slice.page = max(1, int(page))
        self.show_seen()
        await self.load(panels=False)
        # The pagination sits below the grid: bring the new page's first cards into view.
        ui.run_javascript('document.querySelector(\'[data-testid="mon-filter"]\')?.scrollIntoView({block: "start"})')

    async def set_hours(self, hours: int) -> None:
        self.hours = int(hours)
        self.slice.page = 1
        await self.load()

    # --- showing ----------------------------------------------------------------------------------
    def show(self) -> None:
        overview = self.data.get("monitoringOverview")
        if not overview:
            return
        summary = overview["summary"]
        ages = time.monotonic() - self.ages_shown >= AGES_SECONDS - 0.05
        if ages:
            self.ages_shown = time.monotonic()
        # The metric cards and the filter row are built once; numbers, counts and the pressed filter
        # (`_press`) are patched in place.
        self.metrics.show("metrics", lambda: self._metrics(summary))
        for key, number in self.metric_numbers.items():
            number.text = str(summary[key])
        self.show_panels(ages=ages)
        self.filters.show("filters", lambda: self._filters(summary))
        counts = _filter_counts(summary)
        for key, button in self.filter_buttons.items():
            button.text = f"{t(FILTER_LABELS[key])} ({counts[key]})"
        self.show_cards(overview["clients"], overview["matchingClients"], ages=ages)

    def show_panels(self, *, ages: bool = True) -> None:
        crashed = self.data.get("crashedClients") or []
        failed = self.data.get("serviceFailedClients") or []
        running = {uuid for uuid in self.restarts.restarts if self.restarts.running(uuid)}
        self.crashed.show(
            crashed_key(crashed, "crashed" in self.expanded, running),
            lambda: crashed_panel(
                crashed,
                expanded="crashed" in self.expanded,
                running=running,
                on_restart=self.ask_restart,
                on_toggle=lambda: self.toggle("crashed"),
                ages=self.crashed_ages,
            ),
        )
        if ages:
            patch_ages(self.crashed_ages, [item["client"] for item in crashed])
        self.service_failed.show(
            service_failed_key(failed, "service-failed" in self.expanded),
            lambda: service_failed_panel(
                failed,
                expanded="service-failed" in self.expanded,
                on_toggle=lambda: self.toggle("service-failed"),
                reload=self.refresh,
                ages=self.service_failed_ages,
            ),
        )
        if ages:
            patch_ages(self.service_failed_ages, failed)

    def toggle(self, panel: str) -> None:
        self.expanded.symmetric_difference_update({panel})
        self.show_panels()

    def ask_restart(self, client: dict[str, Any], crash_reason: str) -> None:
        self.restarts.confirm(client, crash_reason, offline=not client.get("isAlive", True))

    def open_logs(self, client: dict[str, Any]) -> None:
        with self.dialog_host:
            self.logs.open(client, self.hours)

    def _metrics(self, summary: dict[str, Any]) -> None:
        chosen = self.slice.status_filter
        self.metric_numbers = {}
        self.metric_cards = {}
        for key, label, color, testid in (
            ("all", t("mon.clients"), "primary", "total"),
            ("healthy", health_label("HEALTHY"), health_color("HEALTHY"), "healthy"),
            ("warning", health_label("WARNING"), health_color("WARNING"), "warning"),
            ("critical", health_label("CRITICAL"), health_color("CRITICAL"), "critical"),
            ("offline", health_label("OFFLINE"), health_color("OFFLINE"), "offline"),
        ):
            field = "totalClients" if key == "all" else key
            card, self.metric_numbers[field] = _metric(
                label,
                summary[field],
                color,
                testid,
                on_click=lambda k=key: self.select_filter(k),
                selected=chosen == key,
            )
            self.metric_cards[key] = (card, color)
        _, self.metric_numbers["errorLogs"] = _metric(
            t("mon.error_logs"), summary["errorLogs"], "negative", "error-logs", t("mon.in_window")
        )

    def _filters(self, summary: dict[str, Any]) -> None:
        counts = _filter_counts(summary)
        self.filter_buttons = {}
        with ui.row().classes("w-full items-center gap-1 scroll-mt-20").props('data-testid="mon-filter" role=group'):
            ui.label(t("mon.filter")).classes("is-muted text-sm mr-1")
            for key, label_key in FILTER_LABELS.items():
                selected = key == self.slice.status_filter
                look = "unelevated" if selected else "outline"
                self.filter_buttons[key] = (
                    ui.button(f"{t(label_key)} ({counts[key]})", on_click=lambda k=key: self.select_filter(k))
                    .props(
                        f'{look} no-caps dense color=primary data-testid="mon-filter-{key}" '
                        f'aria-pressed="{str(selected).lower()}"'
                    )
                    .classes("px-3")
                )

    def show_cards(self, clients: list[dict[str, Any]], matching: int, *, ages: bool) -> None:
        """The page's cards, each kept by its display: a card already shown (the same slice reloaded, the
        fresh answer after the seen one, a display in both filters) is patched and moved, never rebuilt.
        Cards that leave the page are hidden and kept (the `KEPT_CARDS` most recently shown), so going back
        to a filter or page shown before builds nothing and reloads no screenshot."""
        first, last = self.slice.shown_range(len(clients))
        self.range.text = t("mon.range", first=first, last=last, total=matching)
        self.range.set_visibility(bool(clients))
        self.empty.show((not clients, self.slice.status_filter), lambda: self._empty(not clients))
        wanted = {client["uuid"] for client in clients}
        for uuid, slot in self.cards.items():
            if slot.visible and uuid not in wanted:
                slot.hide()
        order = self.card_grid.default_slot.children  # the grid's cards in their order, kept up to date by move
        for index, client in enumerate(clients):
            slot = self.cards.pop(client["uuid"], None)
            if slot is None:
                with self.card_grid:
                    slot = CardSlot(self.open_logs, lambda: self.image_epoch, client["uuid"])
            self.cards[client["uuid"]] = slot  # the most recently shown last
            slot.patch(client, ages=ages)
            if order[index] is not slot.card:
                slot.card.move(self.card_grid, target_index=index)
        hidden = [uuid for uuid, slot in self.cards.items() if not slot.visible]
        for uuid in hidden[: max(0, len(self.cards) - KEPT_CARDS)]:
            self.card_grid.remove(self.cards.pop(uuid).card)
        pages = page_count(matching)
        self.pager.show(
            (pages, self.slice.page, first, last, matching) if clients and pages > 1 else None,
            lambda: self._pager(pages, first, last, matching) if clients and pages > 1 else None,
        )

    def _empty(self, empty: bool) -> None:
        if not empty:
            return
        filtered = self.slice.status_filter != "all"
        with ui.row().classes("w-full items-center gap-2 p-4 is-muted"):
            ui.icon("filter_alt_off" if filtered else "devices_other")
            ui.label(t("mon.no_clients_with_status" if filtered else "mon.no_clients")).props('data-testid="mon-empty"')
            if filtered:
                ui.button(t("mon.show_all"), on_click=lambda: self.select_filter("all")).props(
                    'flat dense no-caps color=primary data-testid="mon-show-all"'
                )

    def _pager(self, pages: int, first: int, last: int, matching: int) -> None:
        with ui.row().classes("w-full items-center justify-center gap-3"):
            ui.pagination(
                1, pages, direction_links=True, value=self.slice.page, on_change=lambda e: self.go_to_page(e.value)
            ).props('max-pages=9 boundary-numbers data-testid="mon-pagination"')
            ui.label(t("mon.range", first=first, last=last, total=matching)).classes("text-sm is-muted")
