"""The media page's dialogs: add a website, confirm a delete."""

from __future__ import annotations

from nicegui import ui

from app.ui.actions import closed
from app.ui.i18n import t
from app.ui.pages.media.library import MediaLibrary


def website_dialog(library: MediaLibrary) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label("Website").classes("text-lg font-medium")
        url = ui.input("URL", placeholder="https://").classes("w-full")
        name = ui.input(t("common.name")).classes("w-full")

        async def save() -> None:
            if await library.add_website((url.value or "").strip(), (name.value or "").strip()):
                dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(t("common.save"), on_click=save)
    dialog.on("hide", dialog.delete)
    dialog.open()


def delete_dialog(library: MediaLibrary, media_id: int) -> None:
    media = library.library.get(media_id)
    if media is None:
        return
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(t("media.delete_confirm", name=media["fileName"]))

        async def go() -> None:
            with closed(dialog):
                await library.delete(media_id)

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(t("common.delete"), on_click=go, color="negative").props('data-testid="confirm-yes"')
    dialog.on("hide", dialog.delete)
    dialog.open()
