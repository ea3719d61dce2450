"""Medien: upload with progress, the library with live conversion state (`conversionUpdated`), websites, delete.

This module holds the route and the upload bar; the table and the writes are `library`, the dialogs `dialogs`.
"""

from __future__ import annotations

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.pages.media.dialogs import delete_dialog, website_dialog
from app.ui.pages.media.library import MediaLibrary

ACCEPT = ".pdf,.ppt,.pptx,.odp,.jpg,.jpeg,.png,.gif,.webp,.mp4,.webm,.mov,.mkv"


@protected_page("/media", nav="nav.media", min_role=Role.EDITOR)
async def media_page(ctx: PageContext) -> None:
    page_heading(t("media.title"))
    max_bytes = gql.container().settings.max_upload_mb * 1024 * 1024
    library = MediaLibrary()
    with ui.row().classes("w-full items-start gap-4"):
        ui.upload(
            label=t("media.upload"),
            multiple=True,
            auto_upload=True,
            max_file_size=max_bytes,
            on_upload=library.on_upload,
        ).props(f'accept="{ACCEPT}" bordered data-testid="media-upload"').classes("w-96 max-w-full")
        ui.button("Website", icon="language", on_click=lambda: website_dialog(library)).props("outline")
        ui.space()
        ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(library.load)).props("flat")
    table = library.build_table()
    table.on("delete_media", lambda e: delete_dialog(library, int(e.args)))
    await library.load()
    library.follow()
