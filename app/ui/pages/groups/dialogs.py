"""The groups page's small dialogs: a name to save, a yes/no before deleting."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.actions import closed
from app.ui.i18n import t

# Quasar animates a dialog's closing for 300 ms, during which it still covers the page: a short fade instead,
# so the list with the saved name is there to use right after "Speichern".
_DIALOG_PROPS = "transition-duration=50"


def name_dialog(title: str, initial: str, on_save: Any) -> None:
    with ui.dialog().props(_DIALOG_PROPS) as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(title).classes("text-lg font-medium")
        name = ui.input(t("common.name"), value=initial).classes("w-full").props('autofocus data-testid="group-name"')

        async def save() -> None:
            if await on_save((name.value or "").strip()):
                dialog.close()

        name.on("keydown.enter", save)
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(t("common.save"), on_click=save).props('data-testid="group-save"')
    dialog.on("hide", dialog.delete)  # closed dialogs do not pile up in the page's dialog host
    dialog.open()


def confirm(text: str, on_yes: Any, *, label: str) -> None:
    with ui.dialog().props(_DIALOG_PROPS) as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(text)

        async def yes() -> None:
            with closed(dialog):
                await on_yes()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(label, on_click=yes, color="negative").props('data-testid="confirm-yes"')
    dialog.on("hide", dialog.delete)
    dialog.open()
