"""The list of room groups with move up/down, rename and delete."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.i18n import t
from app.ui.pages.groups.controller import GroupsController
from app.ui.pages.groups.dialogs import confirm, name_dialog


def group_list(ctrl: GroupsController) -> None:
    @ui.refreshable
    def groups_list() -> None:
        state = ctrl.state
        with ui.list().props("bordered separator").classes("w-full rounded-borders"):
            if not state.groups:
                with ui.item(), ui.item_section():
                    ui.label(t("common.empty")).classes("is-muted")
            for index, group in enumerate(state.groups):
                _group_item(ctrl, index, group)
            with ui.item(), ui.item_section().classes("text-sm is-muted"):
                unassigned = sum(1 for c in state.clients.values() if c.get("groupId") is None)
                ui.label(f"{t('dash.unassigned')}: {unassigned} {t('dash.clients')}")

    ctrl.groups_list = groups_list
    groups_list()


def _group_item(ctrl: GroupsController, index: int, group: dict[str, Any]) -> None:
    count = sum(1 for c in ctrl.state.clients.values() if c.get("groupId") == group["id"])
    with ui.item().props(f'data-testid="group-item-{group["id"]}"'):
        with ui.item_section():
            ui.item_label(group["name"]).classes("font-medium")
            ui.item_label(f"{count} {t('dash.clients')}").props("caption")
        with ui.item_section().props("side"), ui.row().classes("gap-0 no-wrap"):
            ui.button(icon="arrow_upward", on_click=lambda i=index: ctrl.move_group(i, -1)).props(
                "flat dense round size=sm"
            ).set_enabled(index > 0)
            ui.button(icon="arrow_downward", on_click=lambda i=index: ctrl.move_group(i, 1)).props(
                "flat dense round size=sm"
            ).set_enabled(index < len(ctrl.state.groups) - 1)
            ui.button(
                icon="edit",
                on_click=lambda g=group: name_dialog(
                    t("groups.rename"), g["name"], lambda n, g=g: ctrl.rename_group(g, n)
                ),
            ).props(f'flat dense round size=sm data-testid="group-rename-{group["id"]}"')
            ui.button(
                icon="delete",
                on_click=lambda g=group: confirm(
                    t("groups.delete_confirm", name=g["name"]),
                    lambda g=g: ctrl.delete_group(g),
                    label=t("common.delete"),
                ),
            ).props(f'flat dense round size=sm color=negative data-testid="group-delete-{group["id"]}"')
