"""Medien: upload with progress, the library with live conversion state (`conversionUpdated`), websites, delete.

This module holds the route and the upload bar; the table and the writes are `library`, the dialogs `dialogs`.
"""

from __future__ import annotations

from nicegui import ui

from app.domain.enums import Role
from app.domain.media.detect import ACCEPTED_EXTENSIONS
from app.ui import gql
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.pages.media.dialogs import delete_dialog, website_dialog
from app.ui.pages.media.library import ALL_TYPES, MediaLibrary

# The picker offers exactly what the server accepts (one list, in the domain: they cannot drift apart).
ACCEPT = ",".join(ACCEPTED_EXTENSIONS)


def _uploader_header() -> str:
    """Quasar's uploader header with a named "add" button and its file input outside the button (the default
    puts an unlabelled input inside a link-button, which screen readers cannot name)."""
    return (
        '<div class="row no-wrap items-center q-pa-sm q-gutter-xs">'
        '<q-spinner v-if="props.isUploading" size="24px" />'
        '<div class="col column justify-center"><div class="q-uploader__title">'
        + t("media.upload")
        + '</div><div class="q-uploader__subtitle">{{ props.uploadSizeLabel }} / {{ props.uploadProgressLabel }}'
        "</div></div>"
        '<q-btn v-if="props.canAddFiles" icon="add_box" round dense flat @click="props.pickFiles" '
        f'aria-label="{t("a11y.upload")}" data-testid="media-pick" />'
        '<q-btn v-if="props.isUploading" icon="clear" round dense flat @click="props.abort" '
        f'aria-label="{t("common.cancel")}" />'
        '<div class="hidden"><q-uploader-add-trigger /></div>'
        "</div>"
    )


@protected_page("/media", nav="nav.media", min_role=Role.EDITOR)
async def media_page(ctx: PageContext) -> None:
    page_heading(t("media.title"))
    max_bytes = gql.container().settings.max_upload_mb * 1024 * 1024
    library = MediaLibrary()
    with ui.row().classes("w-full items-start gap-4"):
        upload = (
            ui.upload(
                label=t("media.upload"),
                multiple=True,
                auto_upload=True,
                max_file_size=max_bytes,
                on_upload=library.on_upload,
            )
            .props(f'accept="{ACCEPT}" bordered data-testid="media-upload"')
            .classes("w-96 max-w-full")
        )
        # Emptied once a batch is through: choosing the same file again uploads it again (the server then
        # answers, e.g. that it is a duplicate) instead of the picker silently ignoring it.
        upload.add_slot("header", _uploader_header())
        upload.on("finish", lambda: upload.reset())
        upload.on("rejected", lambda: upload.reset())
        ui.button("Website", icon="language", on_click=lambda: website_dialog(library)).props("outline")
        ui.space()
        ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(library.load)).props("flat")
    with ui.row().classes("w-full items-center gap-2"):
        search = ui.input(t("media_ui.search")).props('dense clearable debounce=300 data-testid="media-search"')
        search.classes("w-64 max-sm:w-full").on_value_change(lambda e: library.set_search(str(e.value or "")))
        kind = ui.select(library.type_options(), value=ALL_TYPES, label=t("media.type")).classes("w-40")
        kind.props('data-testid="media-type-filter"').on_value_change(lambda e: library.set_type(str(e.value or "")))
    table = library.build_table()
    table.on("delete_media", lambda e: delete_dialog(library, int(e.args)))
    table.on("retry_conversion", lambda e: library.retry(int(e.args)))
    await library.load()
    library.follow()
