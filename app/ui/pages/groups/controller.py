"""The groups page's actions: group and assignment mutations, and redrawing the views that show their result.

The views register what they draw (the group list, the table, the board, open broker panels) so that an action
or a live update redraws exactly those.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from nicegui import background_tasks, context, ui

from app.ui import gql
from app.ui.broker_access import access_of
from app.ui.client_board import ClientBoard
from app.ui.i18n import t
from app.ui.layout import notify_ok, run_action
from app.ui.live_table import LiveTable
from app.ui.pages.groups.dialogs import name_dialog
from app.ui.pages.groups.state import ALL, UNASSIGNED, GroupsState, group_mutation

log = logging.getLogger(__name__)

# A rename sends the list and the dialog's closing on their own, this long before the (large) table update.
RENAME_TABLE_DELAY_SECONDS = 0.1


class GroupsController:
    def __init__(self, state: GroupsState) -> None:
        self.state = state
        # Set by the views while the page is built.
        self.groups_list: Any = None  # the refreshable group list
        self.table: LiveTable | None = None
        self.selection_label: ui.label | None = None
        self.filter_select: ui.select | None = None
        self.target: ui.select | None = None
        self.board: ClientBoard | None = None
        self.board_view: ui.column | None = None
        self.board_shown = False
        self.open_broker_panels: dict[str, Any] = {}
        self.open_details: Callable[[str], None] = lambda _uuid: None
        # Patched in place on live updates (no rebuild): each group's display count, the unassigned count;
        # each group's name (a rename).
        self.count_labels: dict[int | None, ui.item_label | ui.label] = {}
        self.name_labels: dict[int, ui.item_label] = {}
        # Dialogs live here, outside every redrawn view: a redraw never takes an open dialog along.
        self.dialog_host: ui.element | None = None
        self._drawn_groups: list[tuple[Any, ...]] = []
        # Renames shown at once and still being saved (group id -> name): a reload meanwhile keeps showing them.
        self.pending_names: dict[int, str] = {}

    def in_dialog_host(self, open_dialog: Callable[[], None]) -> None:
        """Open a dialog in the page's stable host (not inside the row or list that was clicked)."""
        if self.dialog_host is None:
            open_dialog()
            return
        with self.dialog_host:
            open_dialog()

    def group(self, group_id: int) -> dict[str, Any] | None:
        """The group as it is now (a list item's buttons act on the current name, not the one drawn)."""
        return next((g for g in self.state.groups if g["id"] == group_id), None)

    def draw_groups(self) -> None:
        """Rebuild the group list only when groups were added, removed or reordered; a rename patches the
        name, a moved display the counts."""
        shape = [(g["id"], g.get("displayOrder")) for g in self.state.groups]
        if shape != self._drawn_groups:
            self._drawn_groups = shape
            self.groups_list.refresh()
            return
        for group in self.state.groups:
            label = self.name_labels.get(group["id"])
            if label is not None and label.text != group["name"]:
                label.text = group["name"]
        self.patch_counts()

    def patch_counts(self) -> None:
        counts: dict[int | None, int] = {}
        for client in self.state.clients.values():
            counts[client.get("groupId")] = counts.get(client.get("groupId"), 0) + 1
        for group_id, label in self.count_labels.items():
            text = self.count_text(group_id, counts.get(group_id, 0))
            if label.text != text:
                label.text = text

    @staticmethod
    def count_text(group_id: int | None, count: int) -> str:
        if group_id is None:
            return f"{t('dash.unassigned')}: {count} {t('dash.clients')}"
        return f"{count} {t('dash.clients')}"

    async def reload(self) -> None:
        """After group edits: the list, both selects' options and the table."""
        await self.state.load()
        self.show_groups()

    def _apply_pending_names(self) -> None:
        for shown in self.state.groups:
            if shown["id"] in self.pending_names:
                shown["name"] = self.pending_names[shown["id"]]

    def show_groups(self) -> None:
        """The groups as `state` has them: both selects' options, the list (patched if only counts changed), the
        table and board."""
        self.show_group_names()
        self.refresh_table()

    def show_group_names(self) -> None:
        """The groups in both selects' options and the list (cheap: no table rows, no board)."""
        self._apply_pending_names()
        # Re-sent only when the options changed: a select is never sent again with what it already shows.
        options = self.state.group_options()
        if self.target is not None and self.target.options != options:
            self.target.set_options(options)
        filter_options = {ALL: t("common.all"), **options}
        if self.filter_select is not None and self.filter_select.options != filter_options:
            value = self.filter_select.value if self.filter_select.value in filter_options else ALL
            self.filter_select.set_options(filter_options, value=value)
        self.draw_groups()

    def refresh_table(self) -> None:
        """After the user's own action: the table and the board, at once."""
        self._redraw(ages=True)

    def live_refresh(self) -> None:
        """After display reports: redraw only what the user would notice (status, name, group, access, a
        display turned offline), not an age label alone; ages follow with the periodic `tick`."""
        self._redraw(ages=False)

    def tick(self) -> None:
        """Periodic: the ages shown (\"vor 2 min\") move on."""
        self._redraw(ages=True)

    def _redraw(self, *, ages: bool) -> None:
        """The table's shown page when it changed (not for an age alone unless `ages`), the board if shown."""
        assert self.table is not None and self.selection_label is not None
        self.table.show(self.state.rows(), ignore=() if ages else ("lastAlive",))
        text = t("groups.selected", count=len(self.table.selected))
        if self.selection_label.text != text:
            self.selection_label.text = text
        if self.board_shown:
            self._show_board()

    def show_board(self, shown: bool) -> None:
        """The board view was opened (drawn now) or closed (no longer kept up to date)."""
        self.board_shown = shown
        if shown:
            self._show_board()

    def _show_board(self) -> None:
        assert self.board is not None
        self.board.show(self.state.groups, self.state.clients, self.state.grace)

    # --- groups ------------------------------------------------------------------------------------
    async def create_group(self, name: str) -> bool:
        result = await run_action(
            lambda: group_mutation(
                "mutation($n: String!) { createGroup(name: $n) { __typename ... on ClientGroup { id name } "
                "... on Error { message code } } }",
                {"n": name},
                "createGroup",
            ),
            success=t("common.saved"),
        )
        if result:
            await self.reload()
        return bool(result)

    async def rename_group(self, group: dict[str, Any], name: str) -> bool:
        """Shown at once (the dialog closes, the list, board and table carry the new name), saved meanwhile:
        the write may wait for the fleet's ingest. The server stays the judge: if it refuses the name, the old
        one returns and the dialog opens again with the typed name and the reason."""
        self.pending_names[group["id"]] = " ".join(name.split())
        self.show_group_names()  # the list and the closing dialog reach the browser first …
        background_tasks.create(self._save_name(group, name), name="groups-rename", context=context.client)
        return True

    async def _save_name(self, group: dict[str, Any], name: str) -> None:
        await asyncio.sleep(RENAME_TABLE_DELAY_SECONDS)
        self.refresh_table()  # … then the table rows and board columns of the renamed group
        try:
            result = await run_action(
                lambda: group_mutation(
                    "mutation($i: Int!, $n: String!) { renameGroup(id: $i, name: $n) { __typename "
                    "... on ClientGroup { id name } ... on Error { message code } } }",
                    {"i": group["id"], "n": name},
                    "renameGroup",
                ),
                success=t("common.saved"),
            )
        finally:
            if self.pending_names.get(group["id"]) == " ".join(name.split()):
                del self.pending_names[group["id"]]
        if not result:
            await self.reload()  # the name the server has
            self.in_dialog_host(lambda: name_dialog(t("groups.rename"), name, lambda n: self.rename_group(group, n)))
            return
        # The groupsChanged notice reloads everything in the background as well.
        for shown in self.state.groups:
            if shown["id"] == result["id"]:
                shown["name"] = result["name"]
        self.show_groups()

    async def delete_group(self, group: dict[str, Any]) -> None:
        result = await run_action(
            lambda: group_mutation(
                "mutation($i: Int!) { deleteGroup(id: $i) { __typename ... on GroupDeleted { id } "
                "... on Error { message code } } }",
                {"i": group["id"]},
                "deleteGroup",
            ),
            success=t("common.deleted"),
        )
        if result:
            await self.reload()

    async def move_group(self, group_id: int, delta: int) -> None:
        """Move by id, not by drawn position: a list changed meanwhile still moves the group that was clicked."""
        ids = [g["id"] for g in self.state.groups]
        if group_id not in ids:
            return
        index = ids.index(group_id)
        other = index + delta
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]
        result = await run_action(
            lambda: group_mutation(
                "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { __typename ... on GroupOrder { groups { id } } "
                "... on Error { message code } } }",
                {"ids": ids},
                "setGroupOrder",
            )
        )
        if result:
            await self.reload()

    # --- clients -----------------------------------------------------------------------------------
    async def assign(self, uuids: list[str], target: str) -> bool:
        if not uuids or not target:
            return False
        if target == UNASSIGNED:
            query = "mutation($u: [String!]!) { unassignClients(uuids: $u) "
            variables: dict[str, Any] = {"u": uuids}
            name = "unassignClients"
        else:
            query = "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) "
            variables = {"u": uuids, "g": int(target)}
            name = "assignClientsToGroup"
        query += "{ __typename ... on ClientsAssigned { clients { uuid groupId } } ... on Error { message code } } }"
        result = await run_action(lambda: group_mutation(query, variables, name))
        if not result:
            return False
        for moved in result["clients"]:
            if moved["uuid"] in self.state.clients:
                self.state.clients[moved["uuid"]]["groupId"] = moved["groupId"]
        notify_ok(t("groups.assigned", count=len(result["clients"])))
        assert self.table is not None
        self.table.selected = []
        self.patch_counts()
        self.refresh_table()
        return True

    def on_filter(self, value: str) -> None:
        self.state.group_filter = value or ALL
        self._refilter()

    def on_search(self, value: str) -> None:
        self.state.search = value
        self._refilter()

    def on_status(self, value: str) -> None:
        self.state.status_filter = value
        self._refilter()

    def on_pending_only(self, value: bool) -> None:
        self.state.pending_only = value
        self._refilter()

    def _refilter(self) -> None:
        """Another filter: its first page (the selection stays, on every page)."""
        if self.table is not None:
            self.table.first_page()
        self.refresh_table()

    def open_details_on_board(self, uuid: str) -> None:
        assert self.board_view is not None
        with self.board_view:  # not inside the card: a board redraw would take the open dialog along
            self.open_details(uuid)

    # --- live updates ------------------------------------------------------------------------------
    def broker_changed(self, changed: dict[str, Any]) -> None:
        uuid = changed["uuid"]
        if uuid in self.state.clients:
            self.state.clients[uuid] = {**self.state.clients[uuid], **changed}
        self.refresh_table()
        panel = self.open_broker_panels.get(uuid)
        if panel is not None:
            panel.refresh()

    async def poll(self) -> None:
        """The fleet as the server has it now, in one query, then a redraw of what changed.

        With hundreds of displays reporting every few seconds, one read of the fleet per POLL_SECONDS costs the
        server far less than re-reading a display for every report (clientUpdated), and a change shows within
        POLL_SECONDS however many displays report."""
        try:
            fresh = await self.state.fetch_clients()
        except gql.GqlError as exc:
            log.info("event=ui_groups_poll_failed message=%s", exc.message)
            return
        previous, self.state.clients = self.state.clients, fresh
        if previous.keys() != fresh.keys() or any(
            previous[uuid].get("groupId") != client.get("groupId") for uuid, client in fresh.items() if uuid in previous
        ):
            self.patch_counts()
        self.live_refresh()
        for uuid, panel in list(self.open_broker_panels.items()):
            if access_of(previous.get(uuid, {})) != access_of(fresh.get(uuid, {})):
                panel.refresh()
