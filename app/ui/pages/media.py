"""Medien: upload with progress, the library with live conversion state (`conversionUpdated`), websites, delete."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_datetime, fmt_size
from app.ui.i18n import TEXTS, t
from app.ui.layout import PageContext, notify_ok, page_heading, protected_page, run_action, unavailable
from app.ui.selection import has_field
from app.ui.uploads import UploadedFile

MEDIA_FIELDS = (
    "id fileName mediaType size uploadedAt url downloadUrl thumbnailUrl pageCount duration "
    "conversion { status errorMessage errorCode pdfUrl pageCount }"
)
_MEDIA_RESULT = f"{{ __typename ... on EventMedia {{ {MEDIA_FIELDS} }} ... on Error {{ message }} }}"
CONVERSION_LABELS = {
    "PENDING": ("Wartet", "orange-7"),
    "PROCESSING": ("Wird konvertiert", "blue-7"),
    "READY": ("Bereit", "positive"),
    "FAILED": ("Fehlgeschlagen", "negative"),
}
ACCEPT = ".pdf,.ppt,.pptx,.odp,.jpg,.jpeg,.png,.gif,.webp,.mp4,.webm,.mov,.mkv"

_CONVERSION_SLOT = r"""
<q-td :props="props">
  <q-badge v-if="props.row.conversionLabel" :color="props.row.conversionColor" :label="props.row.conversionLabel"
           :data-testid="'conversion-' + props.row.id" />
  <q-tooltip v-if="props.row.conversionError">{{ props.row.conversionError }}</q-tooltip>
</q-td>
"""
_ACTIONS_SLOT = r"""
<q-td :props="props" auto-width>
  <q-btn v-if="props.row.pdfUrl" flat dense round size="sm" icon="picture_as_pdf" :href="props.row.pdfUrl"
         target="_blank" :data-testid="'media-pdf-' + props.row.id"><q-tooltip>PDF ansehen</q-tooltip></q-btn>
  <q-btn v-if="props.row.downloadUrl" flat dense round size="sm" icon="download" :href="props.row.downloadUrl"
         target="_blank" />
  <q-btn flat dense round size="sm" icon="delete" color="negative" :data-testid="'media-delete-' + props.row.id"
         @click.stop="() => $parent.$emit('delete_media', props.row.id)" />
</q-td>
"""


def _conversion_error(conversion: dict[str, Any]) -> str | None:
    """The reason in the page's language when the API names it by code, else the API's (German) message."""
    code = conversion.get("errorCode")
    key = f"conversion_error.{code}"
    if code and key in TEXTS:
        return t(key)
    message = conversion.get("errorMessage")
    return str(message) if message else None


def _row(media: dict[str, Any]) -> dict[str, Any]:
    conversion = media.get("conversion") or {}
    label, color = CONVERSION_LABELS.get(conversion.get("status", ""), ("", "grey-7"))
    return {
        "id": media["id"],
        "fileName": media["fileName"],
        "type": str(media["mediaType"]).lower(),
        "size": fmt_size(media.get("size")) if media.get("size") else "–",
        "uploadedAt": fmt_datetime(media.get("uploadedAt")),
        "downloadUrl": media.get("downloadUrl") or media.get("url"),
        "conversionLabel": label,
        "conversionColor": color,
        "conversionError": _conversion_error(conversion),
        # The converted PDF, as the displays will show it (only once the conversion is ready).
        "pdfUrl": conversion.get("pdfUrl") if conversion.get("status") == "READY" else None,
    }


@protected_page("/media", nav="nav.media", min_role=Role.EDITOR)
async def media_page(ctx: PageContext) -> None:
    page_heading(t("media.title"))
    if not has_field("Query", "media"):
        unavailable("Medien")
        return
    library: dict[int, dict[str, Any]] = {}

    async def load() -> None:
        data = await gql.gql(f"query {{ media {{ {MEDIA_FIELDS} }} }}")
        library.clear()
        library.update({m["id"]: m for m in data["media"]})
        refresh()

    def refresh() -> None:
        ordered = sorted(library.values(), key=lambda m: m.get("uploadedAt") or "", reverse=True)
        table.rows = [_row(m) for m in ordered]
        table.update()

    async def on_upload(event: Any) -> None:
        upload = UploadedFile(event.file)
        result = await run_action(
            lambda: gql.gql(
                f"mutation($f: Upload!) {{ uploadMedia(file: $f) {_MEDIA_RESULT} }}",
                {"f": upload},
            )
        )
        if isinstance(result, dict):
            try:
                media = gql.ok(result["uploadMedia"])
            except gql.GqlError as exc:
                ui.notify(f"{upload.filename}: {exc.message}", type="negative", multi_line=True, close_button=True)
                return
            library[media["id"]] = media
            refresh()
            notify_ok(t("media.uploaded", name=media["fileName"]))

    async def add_website(url: str, name: str) -> bool:
        async def run() -> dict[str, Any]:
            data = await gql.gql(
                f"mutation($u: String!, $n: String) {{ createWebsiteMedia(url: $u, name: $n) {_MEDIA_RESULT} }}",
                {"u": url, "n": name or None},
            )
            return gql.ok(data["createWebsiteMedia"])

        media = await run_action(run, success=t("common.saved"))
        if isinstance(media, dict):
            library[media["id"]] = media
            refresh()
            return True
        return False

    def website_dialog() -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label("Website").classes("text-lg font-medium")
            url = ui.input("URL", placeholder="https://").classes("w-full")
            name = ui.input(t("common.name")).classes("w-full")

            async def save() -> None:
                if await add_website((url.value or "").strip(), (name.value or "").strip()):
                    dialog.close()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("common.save"), on_click=save)
        dialog.on("hide", dialog.delete)
        dialog.open()

    def delete_dialog(media_id: int) -> None:
        media = library.get(media_id)
        if media is None:
            return
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("media.delete_confirm", name=media["fileName"]))

            async def go() -> None:
                dialog.close()

                async def run() -> dict[str, Any]:
                    data = await gql.gql(
                        "mutation($id: Int!) { deleteMedia(id: $id) { __typename ... on DeletedMedia { __typename } "
                        "... on Error { message } ... on BlockedError { blockers } } }",
                        {"id": media_id},
                    )
                    return gql.ok(data["deleteMedia"])

                if await run_action(run, success=t("common.deleted")):
                    library.pop(media_id, None)
                    refresh()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("common.delete"), on_click=go, color="negative").props('data-testid="confirm-yes"')
        dialog.on("hide", dialog.delete)
        dialog.open()

    max_bytes = gql.container().settings.max_upload_mb * 1024 * 1024
    with ui.row().classes("w-full items-start gap-4"):
        ui.upload(
            label=t("media.upload"), multiple=True, auto_upload=True, max_file_size=max_bytes, on_upload=on_upload
        ).props(f'accept="{ACCEPT}" bordered data-testid="media-upload"').classes("w-96 max-w-full")
        ui.button("Website", icon="language", on_click=website_dialog).props("outline")
        ui.space()
        ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(load)).props("flat")
    columns = [
        {"name": "fileName", "label": t("media.file"), "field": "fileName", "align": "left", "sortable": True},
        {"name": "type", "label": t("media.type"), "field": "type", "align": "left", "sortable": True},
        {"name": "size", "label": t("media.size"), "field": "size", "align": "left"},
        {"name": "uploadedAt", "label": t("mon.time"), "field": "uploadedAt", "align": "left"},
        {"name": "conversion", "label": t("media.conversion"), "field": "conversionLabel", "align": "left"},
        {"name": "actions", "label": "", "field": "id"},
    ]
    table = ui.table(columns=columns, rows=[], row_key="id", pagination=20).classes("w-full")
    table.props(f'flat bordered data-testid="media-table" no-data-label="{t("media.empty")}"')
    table.add_slot("body-cell-conversion", _CONVERSION_SLOT)
    table.add_slot("body-cell-actions", _ACTIONS_SLOT)
    table.on("delete_media", lambda e: delete_dialog(int(e.args)))
    await load()

    def on_conversion(data: dict[str, Any]) -> None:
        media = data["conversionUpdated"]
        library[media["id"]] = {**library.get(media["id"], {}), **media}
        refresh()

    if has_field("Subscription", "conversionUpdated"):
        gql.follow(f"subscription {{ conversionUpdated {{ {MEDIA_FIELDS} }} }}", None, on_conversion)
