"""The displays as a table (filter, multi-select, assign) and as a board with one column per group."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.client_board import ClientBoard
from app.ui.i18n import t
from app.ui.live_table import LiveTable
from app.ui.pages.groups.bulk import bulk_buttons
from app.ui.pages.groups.controller import GroupsController
from app.ui.pages.groups.state import ALL
from app.ui.widgets import HEALTH_ORDER

_STATUS_SLOT = r"""
<q-td :props="props">
  <q-badge :color="props.row.statusColor" :label="props.row.statusLabel" :data-health="props.row.health" />
</q-td>
"""
_BROKER_SLOT = r"""
<q-td :props="props">
  <q-badge :color="props.row.brokerColor" :label="props.row.brokerLabel"
           :data-testid="'broker-access-' + props.row.uuid" :data-access="props.row.brokerAccess" />
</q-td>
"""
_ACTIONS_SLOT = r"""
<q-td :props="props" auto-width>
  <q-btn flat dense round icon="tune" :data-testid="'client-details-' + props.row.uuid" aria-label="{details}"
         @click.stop="() => emit('details', props.row.uuid)" />
</q-td>
"""


def client_views(ctrl: GroupsController) -> None:
    view = ui.toggle({"table": t("groups.view_table"), "board": t("groups.view_board")}, value="table").props(
        'dense no-caps data-testid="view-toggle"'
    )
    table_view = ui.column().classes("w-full gap-2 min-w-0")
    table_view.bind_visibility_from(view, "value", value="table")
    with table_view:
        _table_toolbar(ctrl)
        _table(ctrl)
    board_view = ui.column().classes("w-full gap-2 min-w-0")
    board_view.bind_visibility_from(view, "value", value="board")
    with board_view:
        # Drawn when first shown and kept up to date only while shown: 500 hidden cards cost the browser too.
        ctrl.board = ClientBoard(ctrl.assign, ctrl.open_details_on_board)
    ctrl.board_view = board_view
    view.on_value_change(lambda e: ctrl.show_board(e.value == "board"))


def _table_toolbar(ctrl: GroupsController) -> None:
    with ui.row().classes("w-full items-center gap-2"):
        search = ui.input(t("fleet.search"), placeholder=t("fleet.search_hint")).classes("w-64 max-sm:w-full")
        search.props('dense clearable debounce=300 data-testid="clients-search"')
        search.on_value_change(lambda e: ctrl.on_search(str(e.value or "")))
        status = ui.select(ctrl.state.status_options(), value=ALL, label=t("client.status")).classes("w-40")
        status.props('data-testid="status-filter"')
        status.on_value_change(lambda e: ctrl.on_status(str(e.value or ALL)))
        filter_select = (
            ui.select(
                {ALL: t("common.all"), **ctrl.state.group_options()},
                value=ALL,
                label=t("client.group"),
            )
            .classes("w-48")
            .props('data-testid="group-filter"')
        )
        filter_select.on_value_change(lambda e: ctrl.on_filter(e.value))
        ctrl.filter_select = filter_select
        if ctrl.state.managed:
            ui.checkbox(t("broker.filter_pending"), on_change=lambda e: ctrl.on_pending_only(bool(e.value))).props(
                'dense data-testid="filter-pending"'
            )
    with ui.row().classes("w-full items-center gap-2"):
        ctrl.selection_label = ui.label(t("groups.selected", count=0)).classes("is-muted")
        ui.space()
        target = ui.select(ctrl.state.group_options(), label=t("groups.assign_to")).classes("w-56")
        target.props('data-testid="assign-target"')
        ctrl.target = target
        ui.button(
            t("groups.assign"),
            icon="drive_file_move",
            on_click=lambda: ctrl.assign([r["uuid"] for r in ctrl.table.selected] if ctrl.table else [], target.value),
        ).props('data-testid="assign-submit"')
        bulk_buttons(ctrl)


def _columns(managed: bool) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = [
        # First, not last: on a narrow screen the table scrolls sideways and the action stays in view.
        {"name": "actions", "label": "", "field": "uuid"},
        {"name": "status", "label": t("client.status"), "field": "alive", "align": "left", "sortable": True},
        {"name": "name", "label": t("client.description"), "field": "name", "align": "left", "sortable": True},
        {"name": "hostname", "label": t("client.hostname"), "field": "hostname", "align": "left"},
        {"name": "ip", "label": t("client.ip"), "field": "ip", "align": "left"},
        {"name": "group", "label": t("client.group"), "field": "group", "align": "left", "sortable": True},
        {"name": "lastAlive", "label": t("dash.last_alive"), "field": "lastAlive", "align": "left"},
    ]
    if managed:
        broker_column = {"name": "broker", "label": t("broker.section"), "field": "brokerAccess"}
        columns.append({**broker_column, "align": "left", "sortable": True})
    return columns


def _sort_by_status(row: dict[str, Any]) -> tuple[int, str]:
    health = str(row.get("health"))
    rank = HEALTH_ORDER.index(health) if health in HEALTH_ORDER else len(HEALTH_ORDER)
    return rank, str(row.get("name") or "").lower()


def _table(ctrl: GroupsController) -> None:
    # Paged on the server: the browser holds the 20 rows it shows, not the whole fleet.
    table = LiveTable(
        columns=_columns(ctrl.state.managed), row_key="uuid", rows_per_page=20, sort_keys={"status": _sort_by_status}
    ).classes("w-full max-w-full")
    table.props('flat bordered dense data-testid="clients-table" no-data-label="' + t("common.empty") + '"')
    table.cell_slot("body-cell-status", _STATUS_SLOT)
    table.cell_slot("body-cell-broker", _BROKER_SLOT)
    table.cell_slot("body-cell-actions", _ACTIONS_SLOT.replace("{details}", t("a11y.details")))
    # Selection checkboxes with a name a screen reader can say (Quasar's default ones have none).
    table.cell_slot(
        "body-selection", f'<q-checkbox v-model="props.selected" dense aria-label="{t("a11y.select_row")}" />'
    )
    table.cell_slot(
        "header-selection", f'<q-checkbox v-model="props.selected" dense aria-label="{t("a11y.select_all")}" />'
    )
    label = ctrl.selection_label
    assert label is not None
    table.on_select(lambda _: setattr(label, "text", t("groups.selected", count=len(table.selected))))
    table.on("details", lambda e: ctrl.open_details(str(e.args)))
    ctrl.table = table
    table.show(ctrl.state.rows())
