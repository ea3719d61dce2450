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
        ctrl.count_labels.clear()
        ctrl.name_labels.clear()
        with ui.list().props('bordered separator data-testid="group-list"').classes("w-full rounded-borders"):
            if not state.groups:
                with ui.item(), ui.item_section():
                    ui.label(t("common.empty")).classes("is-muted")
            for index, group in enumerate(state.groups):
                _group_item(ctrl, index, group)
            with ui.item(), ui.item_section().classes("text-sm is-muted"):
                unassigned = sum(1 for c in state.clients.values() if c.get("groupId") is None)
                ctrl.count_labels[None] = ui.label(ctrl.count_text(None, unassigned))

    ctrl.groups_list = groups_list
    ctrl._drawn_groups = [(g["id"], g.get("displayOrder")) for g in ctrl.state.groups]
    groups_list()


def _group_item(ctrl: GroupsController, index: int, group: dict[str, Any]) -> None:
    count = sum(1 for c in ctrl.state.clients.values() if c.get("groupId") == group["id"])
    with ui.item().props(f'data-testid="group-item-{group["id"]}"'):
        with ui.item_section():
            ctrl.name_labels[group["id"]] = ui.item_label(group["name"]).classes("font-medium")
            ctrl.count_labels[group["id"]] = ui.item_label(ctrl.count_text(group["id"], count)).props("caption")
        with ui.item_section().props("side"), ui.row().classes("gap-0 no-wrap"):
            gid = group["id"]
            ui.button(icon="arrow_upward", on_click=lambda g=gid: ctrl.move_group(g, -1)).props(
                f'flat dense round size=sm data-testid="group-up-{gid}" aria-label="{t("a11y.move_up")}"'
            ).set_enabled(index > 0)
            ui.button(icon="arrow_downward", on_click=lambda g=gid: ctrl.move_group(g, 1)).props(
                f'flat dense round size=sm data-testid="group-down-{gid}" aria-label="{t("a11y.move_down")}"'
            ).set_enabled(index < len(ctrl.state.groups) - 1)
            ui.button(icon="edit", on_click=lambda g=gid: _rename(ctrl, g)).props(
                f'flat dense round size=sm data-testid="group-rename-{gid}" aria-label="{t("groups.rename")}"'
            )
            ui.button(icon="delete", on_click=lambda g=gid: _delete(ctrl, g)).props(
                f'flat dense round size=sm color=negative data-testid="group-delete-{gid}" '
                f'aria-label="{t("common.delete")}"'
            )


def _rename(ctrl: GroupsController, group_id: int) -> None:
    group = ctrl.group(group_id)  # the name as it is now: a rename patches the list without redrawing it
    if group is not None:
        ctrl.in_dialog_host(
            lambda: name_dialog(t("groups.rename"), group["name"], lambda n: ctrl.rename_group(group, n))
        )


def _delete(ctrl: GroupsController, group_id: int) -> None:
    group = ctrl.group(group_id)
    if group is not None:
        ctrl.in_dialog_host(
            lambda: confirm(
                t("groups.delete_confirm", name=group["name"]),
                lambda: ctrl.delete_group(group),
                label=t("common.delete"),
            )
        )
