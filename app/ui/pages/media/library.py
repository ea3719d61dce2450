"""The media library: the table with live conversion state, and the writes (upload, website, delete)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import MediaType
from app.messages import translate_stored
from app.ui import gql
from app.ui.format import fmt_datetime, fmt_size
from app.ui.i18n import TEXTS, current_language, t
from app.ui.layout import notify_ok, run_action
from app.ui.uploads import UploadedFile

MEDIA_FIELDS = (
    "id fileName mediaType size uploadedAt url downloadUrl thumbnailUrl pageCount duration "
    "conversion { status errorMessage errorCode pdfUrl pageCount }"
)
_MEDIA_RESULT = f"{{ __typename ... on EventMedia {{ {MEDIA_FIELDS} }} ... on Error {{ message code }} }}"
ALL_TYPES = "all"
# status → (German, English, colour); white text on each colour at 4.5:1 or more.
CONVERSION_LABELS = {
    "PENDING": ("Wartet", "Waiting", "warning"),
    "PROCESSING": ("Wird konvertiert", "Converting", "blue-9"),
    "READY": ("Bereit", "Ready", "positive"),
    "FAILED": ("Fehlgeschlagen", "Failed", "negative"),
}

_CONVERSION_SLOT = r"""
<q-td :props="props">
  <q-badge v-if="props.row.conversionLabel" :color="props.row.conversionColor" :label="props.row.conversionLabel"
           :data-testid="'conversion-' + props.row.id" />
  <div v-if="props.row.conversionError" class="text-negative text-sm q-mt-xs" style="white-space: normal"
       :data-testid="'conversion-error-' + props.row.id">{{ props.row.conversionError }}</div>
  <q-btn v-if="props.row.conversionFailed" flat dense no-caps size="sm" icon="replay" color="primary"
         :label="props.row.retryLabel" :data-testid="'conversion-retry-' + props.row.id"
         @click.stop="() => $parent.$emit('retry_conversion', props.row.id)" />
</q-td>
"""
_ACTIONS_SLOT = r"""
<q-td :props="props" auto-width>
  <q-btn v-if="props.row.pdfUrl" flat dense round size="sm" icon="picture_as_pdf" :href="props.row.pdfUrl"
         target="_blank" :data-testid="'media-pdf-' + props.row.id" aria-label="{view_pdf}"
         ><q-tooltip>{view_pdf}</q-tooltip></q-btn>
  <q-btn v-if="props.row.downloadUrl" flat dense round size="sm" icon="download" :href="props.row.downloadUrl"
         target="_blank" aria-label="{download}" />
  <q-btn flat dense round size="sm" icon="delete" color="negative" :data-testid="'media-delete-' + props.row.id"
         aria-label="{delete}" @click.stop="() => $parent.$emit('delete_media', props.row.id)" />
</q-td>
"""


def _conversion_error(conversion: dict[str, Any]) -> str | None:
    """The reason in the page's language when the API names it by code, else the API's (German) message."""
    code = conversion.get("errorCode")
    key = f"conversion_error.{code}"
    if code and key in TEXTS:
        return t(key)
    message = conversion.get("errorMessage")  # stored in German: shown in the reader's language
    return translate_stored(str(message), current_language()) if message else None


def _row(media: dict[str, Any]) -> dict[str, Any]:
    conversion = media.get("conversion") or {}
    german, english, color = CONVERSION_LABELS.get(conversion.get("status", ""), ("", "", "grey-8"))
    label = english if current_language() == "en" else german
    return {
        "id": media["id"],
        "fileName": media["fileName"],
        "type": str(media["mediaType"]).lower(),
        "size": fmt_size(media.get("size")) if media.get("size") else "–",
        "uploadedAt": fmt_datetime(media.get("uploadedAt")),
        "downloadUrl": media.get("downloadUrl") or media.get("url"),
        "conversionLabel": label,
        "conversionColor": color,
        "conversionError": _conversion_error(conversion) if conversion.get("status") == "FAILED" else None,
        "conversionFailed": conversion.get("status") == "FAILED",
        "retryLabel": t("media_ui.retry"),
        # The converted PDF, as the displays will show it (only once the conversion is ready).
        "pdfUrl": conversion.get("pdfUrl") if conversion.get("status") == "READY" else None,
    }


class MediaLibrary:
    def __init__(self) -> None:
        self.library: dict[int, dict[str, Any]] = {}
        self.table: ui.table | None = None
        self.search = ""
        self.type_filter = ALL_TYPES

    def build_table(self) -> ui.table:
        columns = [
            {"name": "fileName", "label": t("media.file"), "field": "fileName", "align": "left", "sortable": True},
            {"name": "type", "label": t("media.type"), "field": "type", "align": "left", "sortable": True},
            {"name": "size", "label": t("media.size"), "field": "size", "align": "left"},
            {"name": "uploadedAt", "label": t("mon.time"), "field": "uploadedAt", "align": "left"},
            {"name": "conversion", "label": t("media.conversion"), "field": "conversionLabel", "align": "left"},
            {"name": "actions", "label": "", "field": "id"},
        ]
        self.table = ui.table(columns=columns, rows=[], row_key="id", pagination=20).classes("w-full")
        self.table.props(f'flat bordered data-testid="media-table" no-data-label="{t("media.empty")}"')
        self.table.add_slot("body-cell-conversion", _CONVERSION_SLOT)
        names = {"{view_pdf}": t("a11y.view_pdf"), "{download}": t("a11y.download"), "{delete}": t("common.delete")}
        slot = _ACTIONS_SLOT
        for placeholder, name in names.items():  # accessible names of the icon-only buttons, in the page's language
            slot = slot.replace(placeholder, name)
        self.table.add_slot("body-cell-actions", slot)
        return self.table

    async def load(self) -> None:
        data = await gql.gql(f"query {{ media {{ {MEDIA_FIELDS} }} }}")
        self.library.clear()
        self.library.update({m["id"]: m for m in data["media"]})
        self.refresh()

    def refresh(self) -> None:
        ordered = [
            m
            for m in sorted(self.library.values(), key=lambda m: m.get("uploadedAt") or "", reverse=True)
            if self._matches(m)
        ]
        assert self.table is not None
        self.table.rows = [_row(m) for m in ordered]
        self.table.update()

    def _matches(self, media: dict[str, Any]) -> bool:
        needle = self.search.strip().lower()
        if needle and needle not in str(media.get("fileName") or "").lower():
            return False
        return self.type_filter == ALL_TYPES or str(media.get("mediaType")).lower() == self.type_filter

    def type_options(self) -> dict[str, str]:
        return {ALL_TYPES: t("common.all"), **{v.value: v.value for v in MediaType}}

    def set_search(self, value: str) -> None:
        self.search = value
        self.refresh()

    def set_type(self, value: str) -> None:
        self.type_filter = value or ALL_TYPES
        self.refresh()

    async def retry(self, media_id: int) -> None:
        """Convert a failed presentation again (`requestConversion`); the state then follows live."""

        async def run() -> dict[str, Any]:
            data = await gql.gql(
                f"mutation($id: Int!) {{ requestConversion(mediaId: $id) {_MEDIA_RESULT} }}", {"id": media_id}
            )
            return gql.ok(data["requestConversion"])

        media = await run_action(run, success=t("media_ui.retry_started"))
        if isinstance(media, dict):
            self.library[media["id"]] = {**self.library.get(media["id"], {}), **media}
            self.refresh()

    def follow(self) -> None:
        gql.follow(
            f"subscription {{ conversionUpdated {{ {MEDIA_FIELDS} }} }}", None, self.on_conversion, on_live=self.load
        )

    def on_conversion(self, data: dict[str, Any]) -> None:
        media = data["conversionUpdated"]
        self.library[media["id"]] = {**self.library.get(media["id"], {}), **media}
        self.refresh()

    async def on_upload(self, event: Any) -> None:
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
            self.library[media["id"]] = media
            self.refresh()
            notify_ok(t("media.uploaded", name=media["fileName"]))

    async def add_website(self, url: str, name: str) -> bool:
        async def run() -> dict[str, Any]:
            data = await gql.gql(
                f"mutation($u: String!, $n: String) {{ createWebsiteMedia(url: $u, name: $n) {_MEDIA_RESULT} }}",
                {"u": url, "n": name or None},
            )
            return gql.ok(data["createWebsiteMedia"])

        media = await run_action(run, success=t("common.saved"))
        if isinstance(media, dict):
            self.library[media["id"]] = media
            self.refresh()
            return True
        return False

    async def delete(self, media_id: int) -> None:
        async def run() -> dict[str, Any]:
            data = await gql.gql(
                "mutation($id: Int!) { deleteMedia(id: $id) { __typename ... on DeletedMedia { __typename } "
                "... on Error { message code } ... on BlockedError { blockers } } }",
                {"id": media_id},
            )
            return gql.ok(data["deleteMedia"])

        if await run_action(run, success=t("common.deleted")):
            self.library.pop(media_id, None)
            self.refresh()
