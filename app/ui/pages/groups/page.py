"""Raumgruppen & Clients: manage room groups, move displays between them, edit, delete and command them.

Two views of the displays: a table (multi-select and assign) and a board with one column per group where a
card is dragged onto another group. Displays update live by reading the fleet every POLL_SECONDS (one query:
with hundreds of displays reporting every 5 s far cheaper than `clientUpdated` per report), groups through
`groupsChanged`; a command's lifecycle (queued → … → completed) through
`commandUpdated` in the client's detail dialog. When the server manages per-display broker accounts, the
table shows each display's broker access and the detail dialog approves, rotates or revokes it.

This module holds the route and composes the views: `group_list`, `client_table` (table and board),
`client_details` (the dialog), `dialogs`; the actions live in `controller`, the data in `state`.
"""

from __future__ import annotations

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.live_reload import CoalescedReload
from app.ui.pages.groups.client_details import open_details
from app.ui.pages.groups.client_table import client_views
from app.ui.pages.groups.controller import GroupsController
from app.ui.pages.groups.dialogs import name_dialog
from app.ui.pages.groups.group_list import group_list
from app.ui.pages.groups.state import GroupsState

# Ages ("vor 2 min") move on this often.
LOCAL_REFRESH_SECONDS = 10
# The displays are read this often (one query); a change, or a display turning offline, shows within it. Also
# the least time between two live redraws: at most one per POLL_SECONDS while displays report.
POLL_SECONDS = 2.0


@protected_page("/groups", nav="nav.groups", min_role=Role.ADMIN)
async def groups_page(ctx: PageContext) -> None:
    state = GroupsState()
    await state.load()
    ctrl = GroupsController(state)
    ctrl.open_details = lambda uuid: ctrl.in_dialog_host(lambda: open_details(ctrl, uuid))

    with ui.row().classes("w-full items-center"):
        page_heading(t("groups.title"))
        ui.space()
        ui.button(
            t("common.refresh"), icon="refresh", on_click=lambda: run_action(ctrl.reload, success=t("common.refreshed"))
        )
        ui.button(
            t("groups.new"),
            icon="add",
            on_click=lambda: ctrl.in_dialog_host(lambda: name_dialog(t("groups.new"), "", ctrl.create_group)),
        ).props('data-testid="group-new"')

    with ui.row().classes("w-full gap-4 items-start max-lg:flex-col"):
        with ui.column().classes("w-80 max-lg:w-full gap-2"):
            ui.label(t("nav.groups").split(" & ")[0]).classes("text-lg font-medium")
            group_list(ctrl)
        with ui.column().classes("flex-1 w-full gap-2 min-w-0"):
            client_views(ctrl)

    ctrl.dialog_host = ui.element("div")  # last on the page: never inside anything that is redrawn
    ui.timer(POLL_SECONDS, ctrl.poll)  # the displays' reports, status and broker access
    # Another admin created, renamed, deleted or reordered a group: lists, selects and board columns.
    groups_live = CoalescedReload(ctrl.reload)
    reload = groups_live.schedule
    gql.follow("subscription { groupsChanged { change } }", None, lambda _: reload(), on_live=reload)
    ui.timer(LOCAL_REFRESH_SECONDS, ctrl.tick)  # ages, computed locally
