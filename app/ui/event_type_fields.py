"""The event dialog's fields per event type: presentation, video, website, message, WebUntis.

Only the chosen type's box is visible; `payload(kind)` reads the visible type's values into EventInput fields.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.event_form import PRESENTATION_MEDIA, VIDEO_MEDIA, FormOptions
from app.ui.i18n import t


class TypeFields:
    def __init__(self, options: FormOptions, values: dict[str, Any], event_type: ui.select) -> None:
        self.event_type = event_type
        self.boxes = {
            "PRESENTATION": self._presentation(options, values),
            "VIDEO": self._video(options, values),
            "WEBSITE": self._website(values),
            "MESSAGE": self._message(values),
            "WEBUNTIS": self._webuntis(),
        }
        event_type.on_value_change(lambda _: self.show_type_fields())
        self.show_type_fields()

    def show_type_fields(self) -> None:
        for kind, box in self.boxes.items():
            box.set_visibility(kind == self.event_type.value)

    def _presentation(self, options: FormOptions, values: dict[str, Any]) -> ui.column:
        with ui.column().classes("w-full gap-1") as presentation_box:
            self.presentation_media = (
                ui.select(
                    options.media_options(PRESENTATION_MEDIA),
                    value=values.get("mediaId") if values.get("eventType") == "PRESENTATION" else None,
                    label=t("cal.media"),
                )
                .classes("w-full")
                .props('dense data-testid="ev-presentation-media"')
            )
            with ui.row().classes("items-center gap-4"):
                self.slide_interval = (
                    ui.number(
                        t("cal.slide_interval"), value=values.get("slideInterval") or 10, min=1, max=3600, precision=0
                    )
                    .classes("w-40")
                    .props("dense")
                )
                self.page_progress = ui.switch(t("cal.page_progress"), value=bool(values.get("pageProgress")))
                self.auto_progress = ui.switch(t("cal.auto_progress"), value=bool(values.get("autoProgress")))
        return presentation_box

    def _video(self, options: FormOptions, values: dict[str, Any]) -> ui.column:
        with ui.column().classes("w-full gap-1") as video_box:
            self.video_media = (
                ui.select(
                    options.media_options(VIDEO_MEDIA),
                    value=values.get("mediaId") if values.get("eventType") == "VIDEO" else None,
                    label=t("cal.video"),
                )
                .classes("w-full")
                .props('dense data-testid="ev-video-media"')
            )
            with ui.row().classes("items-center gap-4"):
                self.autoplay = ui.switch(t("cal.autoplay"), value=bool(values.get("autoplay")))
                self.loop = ui.switch(t("cal.loop"), value=bool(values.get("loop")))
                self.muted = ui.switch(t("cal.muted"), value=bool(values.get("muted")))
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(t("cal.volume")).classes("text-sm")
                volume = ui.slider(min=0, max=1, step=0.05, value=float(values.get("volume") or 0.0)).classes("flex-1")
                ui.label().bind_text_from(volume, "value", lambda v: f"{round(float(v or 0) * 100)} %").classes(
                    "w-12 text-sm"
                )
                self.volume = volume
        return video_box

    def _website(self, values: dict[str, Any]) -> ui.column:
        with ui.column().classes("w-full") as website_box:
            self.website_url = (
                ui.input(t("cal.website_url"), value=values.get("websiteUrl") or "", placeholder="https://")
                .classes("w-full")
                .props('dense data-testid="ev-url"')
            )
        return website_box

    def _message(self, values: dict[str, Any]) -> ui.column:
        with ui.column().classes("w-full") as message_box:
            self.message = ui.textarea(t("cal.message"), value=values.get("messageText") or "").classes("w-full")
            self.message.props('dense autogrow maxlength=2000 data-testid="ev-message"')
        return message_box

    def _webuntis(self) -> ui.column:
        with ui.column().classes("w-full") as webuntis_box:
            ui.label(t("cal.webuntis_hint")).classes("text-sm is-muted")
        return webuntis_box

    def payload(self, kind: str) -> dict[str, Any]:
        """The EventInput fields of the event type `kind`."""
        if kind == "PRESENTATION":
            return {
                "mediaId": self.presentation_media.value,
                "slideInterval": int(self.slide_interval.value or 1),
                "pageProgress": bool(self.page_progress.value),
                "autoProgress": bool(self.auto_progress.value),
            }
        if kind == "VIDEO":
            return {
                "mediaId": self.video_media.value,
                "autoplay": bool(self.autoplay.value),
                "loop": bool(self.loop.value),
                "volume": round(float(self.volume.value or 0.0), 2),
                "muted": bool(self.muted.value),
            }
        if kind == "WEBSITE":
            return {"websiteUrl": (self.website_url.value or "").strip()}
        if kind == "MESSAGE":
            return {"messageText": (self.message.value or "").strip()}
        return {}
