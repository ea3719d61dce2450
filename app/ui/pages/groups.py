"""Raumgruppen & Clients: manage room groups, move displays between them, edit, delete and command them.

Two views of the displays: a table (multi-select and assign) and a board with one column per group where a
card is dragged onto another group. Displays update live through `clientUpdated`, groups through
`groupsChanged`; a command's lifecycle (queued → … → completed) through
`commandUpdated` in the client's detail dialog. When the server manages per-display broker accounts, the
table shows each display's broker access and the detail dialog approves, rotates or revokes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.broker_access import (
    BROKER_CLIENT_FIELDS,
    PENDING,
    access_label,
    access_of,
    accounts_managed,
    broker_fields_available,
    broker_panel,
)
from app.ui.client_board import ClientBoard
from app.ui.i18n import t
from app.ui.layout import PageContext, notify_ok, page_heading, protected_page, run_action, unavailable
from app.ui.live_reload import CoalescedReload
from app.ui.selection import has_field
from app.ui.widgets import (
    CLIENT_FIELDS,
    CommandTracker,
    alive_now,
    client_name,
    commands_available,
    confirm_with_reason,
    display_health,
    health_badge,
    health_color,
    health_label,
    last_alive_label,
    run_command,
)

LOCAL_REFRESH_SECONDS = 10
ALL = "all"
UNASSIGNED = "none"

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
  <q-btn flat dense round icon="tune" :data-testid="'client-details-' + props.row.uuid"
         @click.stop="() => $parent.$emit('details', props.row.uuid)" />
</q-td>
"""


@dataclass
class GroupsState:
    grace: int = 180
    groups: list[dict[str, Any]] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_filter: str = ALL
    # The server manages per-display broker accounts (MQTT_DYNSEC_ENABLED): show access and its actions.
    managed: bool = False
    pending_only: bool = False

    @staticmethod
    def client_fields() -> str:
        return f"{CLIENT_FIELDS} {BROKER_CLIENT_FIELDS}" if broker_fields_available() else CLIENT_FIELDS

    async def load(self) -> None:
        data = await gql.gql(
            "query { heartbeatGracePeriodSeconds groups(includeUnassigned: false) { id name displayOrder } "
            f"clients {{ {self.client_fields()} }} }}"
        )
        self.grace = int(data["heartbeatGracePeriodSeconds"])
        self.groups = data["groups"]
        self.clients = {c["uuid"]: c for c in data["clients"]}
        self.managed = await accounts_managed()

    def group_name(self, group_id: int | None) -> str:
        for group in self.groups:
            if group["id"] == group_id:
                return str(group["name"])
        return t("dash.unassigned")

    def group_options(self) -> dict[str, str]:
        options = {str(g["id"]): g["name"] for g in self.groups}
        options[UNASSIGNED] = t("dash.unassigned")
        return options

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for client in sorted(self.clients.values(), key=lambda c: client_name(c).lower()):
            key = UNASSIGNED if client.get("groupId") is None else str(client["groupId"])
            if self.group_filter not in (ALL, key):
                continue
            if self.managed and self.pending_only and access_of(client) != PENDING:
                continue
            alive = alive_now(client, self.grace)
            health = display_health(client, self.grace)
            broker_label, broker_color = access_label(client)
            rows.append(
                {
                    "uuid": client["uuid"],
                    "name": client_name(client),
                    "hostname": client.get("hostname") or "–",
                    "ip": client.get("ip") or "–",
                    "group": self.group_name(client.get("groupId")),
                    "lastAlive": last_alive_label(client),
                    "alive": alive,
                    "health": health,
                    "statusLabel": health_label(health),
                    "statusColor": health_color(health),
                    "brokerAccess": access_of(client),
                    "brokerLabel": broker_label,
                    "brokerColor": broker_color,
                }
            )
        return rows


async def _group_mutation(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    data = await gql.gql(query, variables)
    return gql.ok(data[name])


def _name_dialog(title: str, initial: str, on_save: Any) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(title).classes("text-lg font-medium")
        name = ui.input(t("common.name"), value=initial).classes("w-full").props('autofocus data-testid="group-name"')

        async def save() -> None:
            if await on_save((name.value or "").strip()):
                dialog.close()

        name.on("keydown.enter", save)
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(t("common.save"), on_click=save).props('data-testid="group-save"')
    dialog.open()


def _confirm(text: str, on_yes: Any, *, label: str) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(text)

        async def yes() -> None:
            dialog.close()
            await on_yes()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(label, on_click=yes, color="negative").props('data-testid="confirm-yes"')
    dialog.open()


@protected_page("/groups", nav="nav.groups", min_role=Role.ADMIN)
async def groups_page(ctx: PageContext) -> None:
    if not has_field("Mutation", "assignClientsToGroup"):
        page_heading(t("groups.title"))
        unavailable("Raumgruppen/Clients")
        return
    state = GroupsState()
    await state.load()

    async def reload() -> None:
        """After group edits: the list, both selects' options and the table."""
        await state.load()
        options = state.group_options()
        target.set_options(options)
        filter_select.set_options({ALL: t("common.all"), **options}, value=filter_select.value)
        groups_list.refresh()
        refresh_table()

    # --- groups ------------------------------------------------------------------------------------
    async def create_group(name: str) -> bool:
        result = await run_action(
            lambda: _group_mutation(
                "mutation($n: String!) { createGroup(name: $n) { __typename ... on ClientGroup { id name } "
                "... on Error { message } } }",
                {"n": name},
                "createGroup",
            ),
            success=t("common.saved"),
        )
        if result:
            await reload()
        return bool(result)

    async def rename_group(group: dict[str, Any], name: str) -> bool:
        result = await run_action(
            lambda: _group_mutation(
                "mutation($i: Int!, $n: String!) { renameGroup(id: $i, name: $n) { __typename "
                "... on ClientGroup { id name } ... on Error { message } } }",
                {"i": group["id"], "n": name},
                "renameGroup",
            ),
            success=t("common.saved"),
        )
        if result:
            await reload()
        return bool(result)

    async def delete_group(group: dict[str, Any]) -> None:
        result = await run_action(
            lambda: _group_mutation(
                "mutation($i: Int!) { deleteGroup(id: $i) { __typename ... on GroupDeleted { id } "
                "... on Error { message } } }",
                {"i": group["id"]},
                "deleteGroup",
            ),
            success=t("common.deleted"),
        )
        if result:
            await reload()

    async def move_group(index: int, delta: int) -> None:
        ids = [g["id"] for g in state.groups]
        other = index + delta
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]
        result = await run_action(
            lambda: _group_mutation(
                "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { __typename ... on GroupOrder { groups { id } } "
                "... on Error { message } } }",
                {"ids": ids},
                "setGroupOrder",
            )
        )
        if result:
            await reload()

    @ui.refreshable
    def groups_list() -> None:
        with ui.list().props("bordered separator").classes("w-full rounded-borders"):
            if not state.groups:
                with ui.item(), ui.item_section():
                    ui.label(t("common.empty")).classes("is-muted")
            for index, group in enumerate(state.groups):
                count = sum(1 for c in state.clients.values() if c.get("groupId") == group["id"])
                with ui.item().props(f'data-testid="group-item-{group["id"]}"'):
                    with ui.item_section():
                        ui.item_label(group["name"]).classes("font-medium")
                        ui.item_label(f"{count} {t('dash.clients')}").props("caption")
                    with ui.item_section().props("side"), ui.row().classes("gap-0 no-wrap"):
                        ui.button(icon="arrow_upward", on_click=lambda i=index: move_group(i, -1)).props(
                            "flat dense round size=sm"
                        ).set_enabled(index > 0)
                        ui.button(icon="arrow_downward", on_click=lambda i=index: move_group(i, 1)).props(
                            "flat dense round size=sm"
                        ).set_enabled(index < len(state.groups) - 1)
                        ui.button(
                            icon="edit",
                            on_click=lambda g=group: _name_dialog(
                                t("groups.rename"), g["name"], lambda n, g=g: rename_group(g, n)
                            ),
                        ).props(f'flat dense round size=sm data-testid="group-rename-{group["id"]}"')
                        ui.button(
                            icon="delete",
                            on_click=lambda g=group: _confirm(
                                t("groups.delete_confirm", name=g["name"]),
                                lambda g=g: delete_group(g),
                                label=t("common.delete"),
                            ),
                        ).props(f'flat dense round size=sm color=negative data-testid="group-delete-{group["id"]}"')
            with ui.item(), ui.item_section().classes("text-sm is-muted"):
                unassigned = sum(1 for c in state.clients.values() if c.get("groupId") is None)
                ui.label(f"{t('dash.unassigned')}: {unassigned} {t('dash.clients')}")

    # --- clients -----------------------------------------------------------------------------------
    async def assign(uuids: list[str], target: str) -> bool:
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
        query += "{ __typename ... on ClientsAssigned { clients { uuid groupId } } ... on Error { message } } }"
        result = await run_action(lambda: _group_mutation(query, variables, name))
        if not result:
            return False
        for moved in result["clients"]:
            if moved["uuid"] in state.clients:
                state.clients[moved["uuid"]]["groupId"] = moved["groupId"]
        notify_ok(t("groups.assigned", count=len(result["clients"])))
        table.selected = []
        groups_list.refresh()
        refresh_table()
        return True

    def refresh_table() -> None:
        """The table and the board (which redraws only if what it shows changed)."""
        table.rows = state.rows()
        table.update()
        selection_label.text = t("groups.selected", count=len(table.selected))
        board.show(state.groups, state.clients, state.grace)

    with ui.row().classes("w-full items-center"):
        page_heading(t("groups.title"))
        ui.space()
        ui.button(
            t("common.refresh"), icon="refresh", on_click=lambda: run_action(reload, success=t("common.refreshed"))
        )
        ui.button(t("groups.new"), icon="add", on_click=lambda: _name_dialog(t("groups.new"), "", create_group)).props(
            'data-testid="group-new"'
        )

    with ui.row().classes("w-full gap-4 items-start max-lg:flex-col"):
        with ui.column().classes("w-80 max-lg:w-full gap-2"):
            ui.label(t("nav.groups").split(" & ")[0]).classes("text-lg font-medium")
            groups_list()
        with ui.column().classes("flex-1 w-full gap-2 min-w-0"):
            view = ui.toggle({"table": t("groups.view_table"), "board": t("groups.view_board")}, value="table").props(
                'dense no-caps data-testid="view-toggle"'
            )
            table_view = ui.column().classes("w-full gap-2 min-w-0")
            table_view.bind_visibility_from(view, "value", value="table")
            with table_view:
                with ui.row().classes("w-full items-center gap-2"):
                    filter_select = ui.select(
                        {ALL: t("common.all"), **state.group_options()},
                        value=ALL,
                        label=t("client.group"),
                    ).classes("w-48")
                    if state.managed:
                        ui.checkbox(
                            t("broker.filter_pending"), on_change=lambda e: on_pending_only(bool(e.value))
                        ).props('dense data-testid="filter-pending"')
                    selection_label = ui.label(t("groups.selected", count=0)).classes("is-muted")
                    ui.space()
                    target = ui.select(state.group_options(), label=t("groups.assign_to")).classes("w-56")
                    target.props('data-testid="assign-target"')
                    ui.button(
                        t("groups.assign"),
                        icon="drive_file_move",
                        on_click=lambda: assign([r["uuid"] for r in table.selected], target.value),
                    ).props('data-testid="assign-submit"')
                columns = [
                    {
                        "name": "status",
                        "label": t("client.status"),
                        "field": "alive",
                        "align": "left",
                        "sortable": True,
                    },
                    {
                        "name": "name",
                        "label": t("client.description"),
                        "field": "name",
                        "align": "left",
                        "sortable": True,
                    },
                    {"name": "hostname", "label": t("client.hostname"), "field": "hostname", "align": "left"},
                    {"name": "ip", "label": t("client.ip"), "field": "ip", "align": "left"},
                    {"name": "group", "label": t("client.group"), "field": "group", "align": "left", "sortable": True},
                    {"name": "lastAlive", "label": t("dash.last_alive"), "field": "lastAlive", "align": "left"},
                    {"name": "actions", "label": "", "field": "uuid"},
                ]
                if state.managed:
                    broker_column = {"name": "broker", "label": t("broker.section"), "field": "brokerAccess"}
                    columns.insert(-1, {**broker_column, "align": "left", "sortable": True})
                table = ui.table(
                    columns=columns, rows=state.rows(), row_key="uuid", selection="multiple", pagination=20
                ).classes("w-full")
                table.props('flat bordered dense data-testid="clients-table" no-data-label="' + t("common.empty") + '"')
                table.add_slot("body-cell-status", _STATUS_SLOT)
                table.add_slot("body-cell-broker", _BROKER_SLOT)
                table.add_slot("body-cell-actions", _ACTIONS_SLOT)
                table.on_select(
                    lambda _: setattr(selection_label, "text", t("groups.selected", count=len(table.selected)))
                )
            board_view = ui.column().classes("w-full gap-2 min-w-0")
            board_view.bind_visibility_from(view, "value", value="board")
            with board_view:
                board = ClientBoard(assign, lambda uuid: open_details_on_board(uuid))
                board.show(state.groups, state.clients, state.grace)

    def on_filter(value: str) -> None:
        state.group_filter = value or ALL
        refresh_table()

    filter_select.on_value_change(lambda e: on_filter(e.value))

    def on_pending_only(value: bool) -> None:
        state.pending_only = value
        refresh_table()

    # --- broker access (only when the server manages broker accounts) ------------------------------
    open_broker_panels: dict[str, Any] = {}

    def broker_changed(changed: dict[str, Any]) -> None:
        uuid = changed["uuid"]
        if uuid in state.clients:
            state.clients[uuid] = {**state.clients[uuid], **changed}
        refresh_table()
        panel = open_broker_panels.get(uuid)
        if panel is not None:
            panel.refresh()

    # --- client details ----------------------------------------------------------------------------
    def open_details(uuid: str) -> None:
        client = state.clients.get(uuid)
        if client is None:
            return
        with ui.dialog() as dialog, ui.card().classes("w-[42rem] max-w-full gap-3"):
            with ui.row().classes("w-full items-center"):
                ui.label(client_name(client)).classes("text-lg font-medium")
                health_badge(client, state.grace)
                ui.space()
                ui.button(icon="close", on_click=dialog.close).props("flat round dense")
            ui.label(f"{client.get('hostname') or '–'} · {client.get('ip') or '–'} · {uuid}").classes(
                "is-muted text-sm break-all"
            )
            ui.label(f"{t('dash.last_alive')}: {last_alive_label(client)}").classes("text-sm")
            description = ui.input(t("client.description"), value=client.get("description") or "").classes("w-full")
            description.props('data-testid="client-description" maxlength=255')

            async def save_description() -> None:
                value = (description.value or "").strip() or None
                result = await run_action(
                    lambda: _group_mutation(
                        "mutation($u: String!, $d: String) { updateClient(uuid: $u, description: $d) { __typename "
                        "... on Client { uuid description } ... on Error { message } } }",
                        {"u": uuid, "d": value},
                        "updateClient",
                    ),
                    success=t("common.saved"),
                )
                if result:
                    state.clients[uuid]["description"] = result["description"]
                    refresh_table()

            with ui.row().classes("w-full items-center gap-2"):
                ui.button(t("common.save"), on_click=save_description).props('outline data-testid="client-save"')
                move_to = ui.select(state.group_options(), label=t("groups.move_to")).classes("w-56")
                ui.button(t("groups.assign"), on_click=lambda: assign([uuid], move_to.value)).props("outline")

            if state.managed:
                ui.separator()

                @ui.refreshable
                def broker_section() -> None:
                    broker_panel(state.clients.get(uuid, client), client_name(client), broker_changed)

                broker_section()
                open_broker_panels[uuid] = broker_section
                dialog.on("hide", lambda: open_broker_panels.pop(uuid, None))

            tracker: CommandTracker | None = None
            if commands_available():
                ui.separator()
                with ui.row().classes("w-full items-center gap-2"):
                    ui.label(t("groups.commands")).classes("font-medium")
                    ui.space()
                    ui.button(
                        t("client.restart"),
                        icon="restart_alt",
                        on_click=lambda: confirm_with_reason(
                            t("cmd.confirm_restart", name=client_name(client)),
                            lambda reason: run_command(uuid, "reboot_host", reason, tracker),
                            confirm_label=t("client.restart"),
                        ),
                    ).props('color=negative outline data-testid="client-restart"')
                    ui.button(
                        t("client.shutdown"),
                        icon="power_settings_new",
                        on_click=lambda: confirm_with_reason(
                            t("cmd.confirm_shutdown", name=client_name(client)),
                            lambda reason: run_command(uuid, "shutdown_host", reason, tracker),
                            confirm_label=t("client.shutdown"),
                        ),
                    ).props('color=negative outline data-testid="client-shutdown"')
                tracker = CommandTracker(uuid)

            ui.separator()

            async def delete_client() -> None:
                result = await run_action(
                    lambda: _group_mutation(
                        "mutation($u: String!) { deleteClient(uuid: $u) { __typename ... on ClientDeleted { uuid } "
                        "... on Error { message } } }",
                        {"u": uuid},
                        "deleteClient",
                    ),
                    success=t("common.deleted"),
                )
                if result:
                    state.clients.pop(uuid, None)
                    dialog.close()
                    groups_list.refresh()
                    refresh_table()

            ui.button(
                t("common.delete"),
                icon="delete",
                on_click=lambda: _confirm(
                    t("client.delete_confirm", name=client_name(client)), delete_client, label=t("common.delete")
                ),
            ).props('flat color=negative data-testid="client-delete"')
        dialog.on("hide", dialog.delete)
        dialog.open()
        if tracker is not None:
            ui.timer(0.01, lambda: run_action(tracker.load), once=True)

    table.on("details", lambda e: open_details(str(e.args)))

    def open_details_on_board(uuid: str) -> None:
        with board_view:  # not inside the card: a board redraw would take the open dialog along
            open_details(uuid)

    def on_client(data: dict[str, Any]) -> None:
        client = data["clientUpdated"]
        previous = state.clients.get(client["uuid"], {})
        state.clients[client["uuid"]] = {**previous, **client}
        groups_list.refresh()
        refresh_table()
        panel = open_broker_panels.get(client["uuid"])
        if panel is not None and access_of(previous) != access_of(client):
            panel.refresh()

    if has_field("Subscription", "clientUpdated"):
        gql.follow(f"subscription {{ clientUpdated {{ {state.client_fields()} }} }}", None, on_client)
    if has_field("Subscription", "groupsChanged"):
        # Another admin created, renamed, deleted or reordered a group: lists, selects and board columns.
        groups_live = CoalescedReload(reload)
        gql.follow("subscription { groupsChanged { change } }", None, lambda _: groups_live.schedule())
    ui.timer(LOCAL_REFRESH_SECONDS, refresh_table)  # liveness and ages, computed locally
