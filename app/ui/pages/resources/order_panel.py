"""The group order panel: up/down saved with setGroupOrder (admin+), read-only for everyone else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.ui.calendar_model import group_color
from app.ui.i18n import t
from app.ui.pages.resources.state import ResourcesState

MoveGroup = Callable[[int, int], Awaitable[None]]


def order_panel(state: ResourcesState, move_group: MoveGroup | None) -> None:
    """`move_group` None: read only."""
    with ui.list().props('bordered separator dense data-testid="res-order"').classes("w-full rounded-borders"):
        for index, group in enumerate(state.groups):
            with ui.item().props(f'data-testid="res-order-{group["id"]}"'):
                with ui.item_section().props("avatar").classes("min-w-0"):
                    ui.element("span").style(
                        f"width:12px;height:12px;border-radius:50%;background:{group_color(group['id'])}"
                    )
                with ui.item_section():
                    ui.item_label(group["name"]).classes("ellipsis")
                if move_group is not None:
                    with ui.item_section().props("side"), ui.row().classes("gap-0 no-wrap"):
                        ui.button(icon="arrow_upward", on_click=lambda i=index: move_group(i, -1)).props(
                            f'flat dense round size=sm data-testid="res-up-{group["id"]}" '
                            f'aria-label="{t("a11y.move_up")}"'
                        ).set_enabled(index > 0)
                        ui.button(icon="arrow_downward", on_click=lambda i=index: move_group(i, 1)).props(
                            f'flat dense round size=sm data-testid="res-down-{group["id"]}" '
                            f'aria-label="{t("a11y.move_down")}"'
                        ).set_enabled(index < len(state.groups) - 1)
