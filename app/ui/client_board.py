"""The board view of Raumgruppen & Clients: one column per room group plus "Nicht zugeordnet", one card per display.

Dragging a card onto another column moves the display there (HTML5 drag and drop). The dragged display's
uuid travels in the browser's `dataTransfer`, so a drop never depends on an earlier server round trip, and
dragover/highlighting stay in the browser. The board redraws only what changed: a column whose cards changed
is refilled, the other columns (and a drag in progress over them) stay as they are; only a change of the
columns themselves (a group added, removed, reordered) rebuilds the board; a renamed group refills its column.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.ui.i18n import t
from app.ui.widgets import alive_now, client_name, display_health, health_color, health_label, health_reasons

UNASSIGNED = "none"
_CSS = """
.is-board { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-start; padding-bottom: 0.5rem; }
/* A column scrolls on its own: 200 new displays in "Nicht zugeordnet" must not push the other groups away. */
.is-board-column { flex: 0 0 15rem; min-height: 8rem; max-height: 70vh; overflow-y: auto; background: #eef2f6;
                   border-radius: 6px; padding: 0.5rem; border: 2px dashed transparent;
                   transition: border-color 0.1s, background 0.1s; }
.is-board-column.is-drop-target { border-color: #1f4e79; background: #dbe7f3; }
.is-board-card { cursor: grab; width: 100%; }
.is-board-card:active { cursor: grabbing; }
.is-dot { width: 0.6rem; height: 0.6rem; border-radius: 50%; flex: none; }
"""
# Browser-side handlers: only a drop is sent to the server, carrying the dragged display's uuid.
_ALLOW_DROP = (
    "(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move';"
    " e.currentTarget.classList.add('is-drop-target'); }"
)
_LEAVE = (
    "(e) => { if (!e.currentTarget.contains(e.relatedTarget)) e.currentTarget.classList.remove('is-drop-target'); }"
)
_DROP = (
    "(e) => { e.preventDefault(); e.currentTarget.classList.remove('is-drop-target');"
    " const uuid = e.dataTransfer.getData('text/plain'); if (uuid) emit(uuid); }"
)

# Enter or Space on a focused card opens it, as a click does (the cards are in the tab order).
_ACTIVATE = "(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); emit(); } }"

MoveHandler = Callable[[list[str], str], Awaitable[bool]]
DetailsHandler = Callable[[str], None]


def _drag_start(uuid: str) -> str:
    return (
        f"(e) => {{ e.dataTransfer.setData('text/plain', {json.dumps(uuid)}); e.dataTransfer.effectAllowed = 'move'; }}"
    )


class ClientBoard:
    """Columns = groups (in display order) and "Nicht zugeordnet" last; cards = displays."""

    def __init__(self, on_move: MoveHandler, on_details: DetailsHandler) -> None:
        self._on_move = on_move
        self._on_details = on_details
        self._groups: list[dict[str, Any]] = []
        self._clients: dict[str, dict[str, Any]] = {}
        self._grace = 180
        self._shown: tuple[Any, ...] | None = None
        # The drawn columns by key: (element, what it shows).
        self._drawn: dict[str, tuple[ui.column, tuple[Any, ...]]] = {}
        ui.add_css(_CSS)
        ui.label(t("groups.board_hint")).classes("is-muted text-sm")
        self.container = ui.element("div").classes("is-board w-full").props('data-testid="clients-board"')

    def show(self, groups: list[dict[str, Any]], clients: dict[str, dict[str, Any]], grace: int) -> None:
        self._groups, self._clients, self._grace = groups, clients, grace
        columns = self._columns()
        if columns != self._shown:
            self._shown = columns
            self._render(columns)

    def _columns(self) -> tuple[Any, ...]:
        """What the board shows, as plain values: redraw only when this changes."""
        keys = [(str(g["id"]), str(g["name"])) for g in self._groups] + [(UNASSIGNED, t("dash.unassigned"))]
        by_key: dict[str, list[tuple[str, str, str, bool, str, str]]] = {key: [] for key, _ in keys}
        for client in sorted(self._clients.values(), key=lambda c: client_name(c).lower()):
            group_id = client.get("groupId")
            key = UNASSIGNED if group_id is None or str(group_id) not in by_key else str(group_id)
            health = display_health(client, self._grace)
            by_key[key].append(
                (
                    client["uuid"],
                    client_name(client),
                    client.get("hostname") or "",
                    alive_now(client, self._grace),
                    health,
                    health_reasons(client, health),
                )
            )
        return tuple((key, name, tuple(by_key[key])) for key, name in keys)

    def _render(self, columns: tuple[Any, ...]) -> None:
        # Same columns in the same order: refill only the changed ones (a renamed group refills its own column).
        if [shown[0] for shown in columns] == list(self._drawn):
            for shown in columns:
                column, drawn = self._drawn[shown[0]]
                if drawn != shown:
                    column.clear()
                    self._fill(column, shown)
                    self._drawn[shown[0]] = (column, shown)
            return
        self.container.clear()
        self._drawn = {}
        with self.container:
            for shown in columns:
                key = shown[0]
                column = ui.column().classes("is-board-column gap-2").props(f'data-testid="board-column-{key}"')
                column.on("dragover", js_handler=_ALLOW_DROP)
                column.on("dragleave", js_handler=_LEAVE)
                column.on("drop", lambda e, target=key: self._dropped(str(e.args), target), js_handler=_DROP)
                self._fill(column, shown)
                self._drawn[key] = (column, shown)

    def _fill(self, column: ui.column, shown: tuple[Any, ...]) -> None:
        _key, name, cards = shown
        with column:
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label(name).classes("font-medium ellipsis")
                ui.space()
                ui.badge(str(len(cards)), color="grey-7").props("rounded")
            if not cards:
                ui.label(t("groups.board_empty")).classes("is-muted text-sm self-center q-pa-md")
            for uuid, label, hostname, alive, health, reasons in cards:
                self._card(uuid, label, hostname, alive, health, reasons)

    def _card(self, uuid: str, label: str, hostname: str, alive: bool, health: str, reasons: str) -> None:
        card = (
            ui.card()
            .classes("is-board-card q-pa-sm gap-1")
            .props(f'draggable="true" flat bordered tabindex="0" role="button" data-testid="board-card-{uuid}"')
        )
        card.props["aria-label"] = t("a11y.open_display", name=label)
        card.on("dragstart", js_handler=_drag_start(uuid))
        card.on("click", lambda u=uuid: self._on_details(u))
        card.on("keydown", lambda u=uuid: self._on_details(u), js_handler=_ACTIVATE)
        with card:
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                # The health word and colour every page uses; the reasons as tooltip.
                status = health_label(health) + (f": {reasons}" if reasons else "")
                ui.element("span").classes(f"is-dot bg-{health_color(health)}").props(
                    f'role="img" title="{status}" aria-label="{status}" data-testid="board-dot-{uuid}" '
                    f'data-alive="{alive}" data-health="{health}"'
                )
                ui.label(label).classes("font-medium ellipsis")
            if hostname and hostname != label:
                ui.label(hostname).classes("is-muted text-xs ellipsis")

    async def _dropped(self, uuid: str, target: str) -> None:
        client = self._clients.get(uuid)
        if client is None:
            return  # not a card of this board (e.g. text dragged in from elsewhere)
        current = UNASSIGNED if client.get("groupId") is None else str(client["groupId"])
        if current == target:
            return
        await self._on_move([uuid], target)
