"""A display's detail dialog: description, group, broker access, reboot/shutdown with live status, delete."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.broker_access import broker_panel
from app.ui.i18n import t
from app.ui.layout import run_action
from app.ui.pages.groups.controller import GroupsController
from app.ui.pages.groups.dialogs import confirm
from app.ui.pages.groups.state import group_mutation
from app.ui.widgets import (
    CommandTracker,
    client_name,
    confirm_with_reason,
    health_badge,
    last_alive_label,
    run_command,
)


def open_details(ctrl: GroupsController, uuid: str) -> None:
    client = ctrl.state.clients.get(uuid)
    if client is None:
        return
    with ui.dialog() as dialog, ui.card().classes("w-[42rem] max-w-full gap-3").props('data-testid="client-dialog"'):
        dialog.props["aria-label"] = client_name(client)
        _header(ctrl, dialog, client, uuid)
        _description_and_group(ctrl, client, uuid)
        if ctrl.state.managed:
            ui.separator()
            _broker_section(ctrl, dialog, client, uuid)
        ui.separator()
        tracker = _commands(client, uuid)
        ui.separator()
        _delete_button(ctrl, dialog, client, uuid)
    dialog.on("hide", dialog.delete)
    dialog.open()
    ui.timer(0.01, lambda: run_action(tracker.load), once=True)


def _header(ctrl: GroupsController, dialog: ui.dialog, client: dict[str, Any], uuid: str) -> None:
    with ui.row().classes("w-full items-center"):
        ui.label(client_name(client)).classes("text-lg font-medium")
        health_badge(client, ctrl.state.grace)
        ui.space()
        ui.button(icon="close", on_click=dialog.close).props(f'flat round dense aria-label="{t("common.close")}"')
    ui.label(f"{client.get('hostname') or '–'} · {client.get('ip') or '–'} · {uuid}").classes(
        "is-muted text-sm break-all"
    )
    ui.label(f"{t('dash.last_alive')}: {last_alive_label(client)}").classes("text-sm")


def _description_and_group(ctrl: GroupsController, client: dict[str, Any], uuid: str) -> None:
    description = ui.input(t("client.description"), value=client.get("description") or "").classes("w-full")
    description.props('data-testid="client-description" maxlength=255')

    async def save_description() -> None:
        value = (description.value or "").strip() or None
        result = await run_action(
            lambda: group_mutation(
                "mutation($u: String!, $d: String) { updateClient(uuid: $u, description: $d) { __typename "
                "... on Client { uuid description } ... on Error { message code } } }",
                {"u": uuid, "d": value},
                "updateClient",
            ),
            success=t("common.saved"),
        )
        if result:
            ctrl.state.clients[uuid]["description"] = result["description"]
            ctrl.refresh_table()

    with ui.row().classes("w-full items-center gap-2"):
        ui.button(t("common.save"), on_click=save_description).props('outline data-testid="client-save"')
        move_to = ui.select(ctrl.state.group_options(), label=t("groups.move_to")).classes("w-56")
        ui.button(t("groups.assign"), on_click=lambda: ctrl.assign([uuid], move_to.value)).props("outline")


def _broker_section(ctrl: GroupsController, dialog: ui.dialog, client: dict[str, Any], uuid: str) -> None:
    @ui.refreshable
    def broker_section() -> None:
        broker_panel(ctrl.state.clients.get(uuid, client), client_name(client), ctrl.broker_changed)

    broker_section()
    ctrl.open_broker_panels[uuid] = broker_section
    dialog.on("hide", lambda: ctrl.open_broker_panels.pop(uuid, None))


def _commands(client: dict[str, Any], uuid: str) -> CommandTracker:
    tracker: CommandTracker | None = None
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
    return tracker


def _delete_button(ctrl: GroupsController, dialog: ui.dialog, client: dict[str, Any], uuid: str) -> None:
    async def delete_client() -> None:
        result = await run_action(
            lambda: group_mutation(
                "mutation($u: String!) { deleteClient(uuid: $u) { __typename ... on ClientDeleted { uuid } "
                "... on Error { message code } } }",
                {"u": uuid},
                "deleteClient",
            ),
            success=t("common.deleted"),
        )
        if result:
            ctrl.state.clients.pop(uuid, None)
            dialog.close()
            ctrl.patch_counts()
            ctrl.refresh_table()

    ui.button(
        t("common.delete"),
        icon="delete",
        on_click=lambda: confirm(
            t("client.delete_confirm", name=client_name(client)), delete_client, label=t("common.delete")
        ),
    ).props('flat color=negative data-testid="client-delete"')
