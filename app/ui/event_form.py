"""The create/edit dialog of the Termine page: fields per event type and the recurrence editor.

The dialog only collects and checks input; `on_submit(input)` runs the mutation (createEvent, updateEvent or
detachOccurrence) and raises GqlError when the API refuses, so the dialog stays open with the message inline.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from nicegui import ui

from app.ui import gql, session
from app.ui.calendar_model import WEEKDAYS, Recurrence, parse_rule
from app.ui.format import parse_dt
from app.ui.i18n import t
from app.ui.layout import notify_error

EVENT_FIELDS = (
    "id groupId title description eventType start end recurrenceRule recurrenceEnd recurrenceExceptions "
    "skipHolidays academicPeriodId isActive detachedFromEventId websiteUrl mediaId messageText slideInterval "
    "pageProgress autoProgress autoplay loop volume muted"
)
EVENT_TYPES: tuple[str, ...] = ("PRESENTATION", "VIDEO", "WEBSITE", "MESSAGE", "WEBUNTIS")
TYPE_ICONS = {
    "PRESENTATION": "slideshow",
    "VIDEO": "movie",
    "WEBSITE": "language",
    "MESSAGE": "chat",
    "WEBUNTIS": "table_view",
}
log = logging.getLogger(__name__)
PRESENTATION_MEDIA = {"PPT", "PPTX", "ODP", "PDF"}
VIDEO_MEDIA = {"VIDEO"}

Mode = Literal["create", "single", "series", "occurrence"]
Submit = Callable[[dict[str, Any]], Awaitable[None]]


def type_label(event_type: str) -> str:
    return t(f"cal.type.{str(event_type).lower()}")


def _bool(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass
class FormOptions:
    """What the dialog offers: media to pick and the defaults for new presentations/videos."""

    media: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def load(cls) -> FormOptions:
        data = await gql.gql("query { media { id fileName mediaType } systemSettings { key value } }")
        return cls(
            media=list(data.get("media") or []),
            settings={s["key"]: s["value"] for s in data.get("systemSettings") or []},
        )

    def media_options(self, kinds: set[str]) -> dict[int, str]:
        return {m["id"]: m["fileName"] for m in self.media if str(m.get("mediaType")) in kinds}

    def defaults(self) -> dict[str, Any]:
        s = self.settings
        try:
            interval = int(s.get("presentation_interval", "10"))
        except ValueError:
            interval = 10
        try:
            volume = float(s.get("video_volume", "0.8"))
        except ValueError:
            volume = 0.8
        return {
            "slideInterval": interval,
            "pageProgress": _bool(s.get("presentation_page_progress", "true")),
            "autoProgress": _bool(s.get("presentation_auto_progress", "true")),
            "autoplay": _bool(s.get("video_autoplay", "true")),
            "loop": _bool(s.get("video_loop", "true")),
            "volume": volume,
            "muted": _bool(s.get("video_muted", "false")),
        }


def _date_input(label: str, value: date, testid: str) -> ui.input:
    field_ = ui.input(label, value=value.isoformat()).props(
        f"mask='####-##-##' placeholder=JJJJ-MM-TT dense data-testid={testid}"
    )
    with field_.add_slot("append"), ui.icon("event").classes("cursor-pointer") as icon:
        with ui.menu() as menu:
            ui.date(mask="YYYY-MM-DD").bind_value(field_).on_value_change(menu.close)
        icon.on("click", menu.open)
    return field_


def _time_input(label: str, value: time, testid: str) -> ui.input:
    return ui.input(label, value=value.strftime("%H:%M")).props(
        f"mask='##:##' placeholder=HH:MM dense data-testid={testid}"
    )


def _combine(day_text: str, time_text: str, tz: tzinfo) -> datetime | None:
    try:
        day = date.fromisoformat((day_text or "").strip())
        hour, minute = (time_text or "").strip().split(":")
        return datetime.combine(day, time(int(hour), int(minute)), tzinfo=tz)
    except ValueError:
        return None


class RecurrenceEditor:
    """None / daily / weekly (weekdays) / monthly, an interval and an end (never, until a date, after n)."""

    def __init__(self, initial: Recurrence, start_day: date) -> None:
        self.custom = initial.custom
        self.touched = bool(initial.weekdays)
        with ui.column().classes("w-full gap-1").props('data-testid="recurrence-editor"'):
            with ui.row().classes("w-full items-center gap-2"):
                self.freq = (
                    ui.select(
                        {f: t(f"cal.freq.{f.lower()}") for f in ("NONE", "DAILY", "WEEKLY", "MONTHLY")},
                        value="NONE" if initial.custom else initial.freq,
                        label=t("cal.recurrence"),
                    )
                    .classes("w-44")
                    .props('dense data-testid="ev-freq"')
                )
                self.interval = ui.number(t("cal.interval"), value=initial.interval, min=1, max=1000, precision=0)
                self.interval.classes("w-28").props('dense data-testid="ev-interval"')
            default_days = initial.weekdays or [WEEKDAYS[start_day.weekday()]]
            self.days: dict[str, bool] = {d: d in default_days for d in WEEKDAYS}
            with ui.row().classes("gap-1") as self.weekday_row:
                self.day_buttons = {}
                for day in WEEKDAYS:
                    button = ui.button(t(f"cal.wd.{day.lower()}"), on_click=lambda d=day: self._toggle(d))
                    button.props(f'dense no-caps size=sm data-testid="ev-day-{day}"').classes("min-w-[2.6rem]")
                    self.day_buttons[day] = button
            with ui.row().classes("w-full items-center gap-2") as self.end_row:
                self.ends = (
                    ui.select(
                        {"never": t("cal.ends.never"), "until": t("cal.ends.until"), "count": t("cal.ends.count")},
                        value=initial.ends,
                        label=t("cal.ends"),
                    )
                    .classes("w-44")
                    .props('dense data-testid="ev-ends"')
                )
                self.until = _date_input(
                    t("cal.until"), initial.until or start_day + timedelta(days=90), "ev-until"
                ).classes("w-44")
                self.count = ui.number(t("cal.count"), value=initial.count or 10, min=1, max=5000, precision=0)
                self.count.classes("w-28").props('dense data-testid="ev-count"')
            if initial.custom:
                self.custom_label = ui.label(t("cal.custom_rule", rule=initial.custom)).classes("text-sm is-muted")
        self.freq.on_value_change(lambda _: self._sync())
        self.ends.on_value_change(lambda _: self._sync())
        self._paint()
        self._sync()

    def _toggle(self, day: str) -> None:
        self.touched = True
        self.days[day] = not self.days[day]
        self._paint()

    def follow_start(self, value: object) -> None:
        """Until the user picks weekdays, a weekly series repeats on the start date's weekday."""
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            return
        if not self.touched:
            self.days = {d: d == WEEKDAYS[day.weekday()] for d in WEEKDAYS}
            self._paint()

    def _paint(self) -> None:
        for day, button in self.day_buttons.items():
            on = self.days[day]
            button.props(f"color={'primary' if on else 'grey-4'} text-color={'white' if on else 'black'}")
            button.props(f"aria-pressed={'true' if on else 'false'}")

    def _sync(self) -> None:
        if self.freq.value != "NONE":
            self.custom = None  # an explicit choice replaces a rule the editor could not show
        repeating = self.freq.value != "NONE"
        self.interval.set_visibility(repeating)
        self.weekday_row.set_visibility(self.freq.value == "WEEKLY")
        self.end_row.set_visibility(repeating)
        self.until.set_visibility(self.ends.value == "until")
        self.count.set_visibility(self.ends.value == "count")

    def rule(self) -> str | None:
        """The RRULE, or raises ValueError with a user-facing message."""
        if self.custom and self.freq.value == "NONE":
            return self.custom
        state = Recurrence(freq=str(self.freq.value or "NONE"))
        if state.freq == "NONE":
            return None
        state.interval = int(self.interval.value or 1)
        state.weekdays = [d for d, on in self.days.items() if on]
        if state.freq == "WEEKLY" and not state.weekdays:
            raise ValueError(t("cal.need_weekday"))
        state.ends = self.ends.value
        if state.ends == "until":
            try:
                state.until = date.fromisoformat(str(self.until.value or "").strip())
            except ValueError:
                raise ValueError(t("cal.bad_date")) from None
        elif state.ends == "count":
            state.count = int(self.count.value or 0)
            if state.count < 1:
                raise ValueError(t("cal.bad_count"))
        return state.to_rule()


def open_event_dialog(
    *,
    mode: Mode,
    tz: tzinfo,
    options: FormOptions,
    groups: dict[int, str],
    initial: dict[str, Any],
    on_submit: Submit,
) -> None:
    """Open the dialog; `initial` holds Event fields (a new event: groupId, start, end, academicPeriodId)."""
    creating = mode == "create"
    values = {**(options.defaults() if creating else {}), **initial}
    start = (parse_dt(values.get("start")) or datetime.now(tz)).astimezone(tz)
    end = (parse_dt(values.get("end")) or start + timedelta(hours=1)).astimezone(tz)
    titles = {
        "create": t("cal.new"),
        "single": t("cal.edit"),
        "series": t("cal.edit_series"),
        "occurrence": t("cal.edit_occurrence"),
    }
    with ui.dialog() as dialog, ui.card().classes("w-[40rem] max-w-full gap-2").props('data-testid="event-dialog"'):
        ui.label(titles[mode]).classes("text-lg font-medium")
        with ui.row().classes("w-full gap-2 no-wrap"):
            title = ui.input(t("cal.title_field"), value=values.get("title") or "").classes("flex-1")
            title.props('dense maxlength=255 autofocus data-testid="ev-title"')
            group = ui.select(groups, value=values.get("groupId"), label=t("cal.group")).classes("w-48")
            group.props('dense data-testid="ev-group"')
        event_type = (
            ui.select(
                {k: type_label(k) for k in EVENT_TYPES},
                value=str(values.get("eventType") or "PRESENTATION"),
                label=t("cal.type"),
            )
            .classes("w-56")
            .props('dense data-testid="ev-type"')
        )
        with ui.row().classes("w-full gap-2"):
            start_day = _date_input(t("cal.start"), start.date(), "ev-start-date").classes("w-40")
            start_time = _time_input(t("cal.start_time"), start.time(), "ev-start-time").classes("w-24")
            end_day = _date_input(t("cal.end"), end.date(), "ev-end-date").classes("w-40")
            end_time = _time_input(t("cal.end_time"), end.time(), "ev-end-time").classes("w-24")

        previous_start = [start.date()]

        def keep_end_offset(value: object) -> None:
            """Moving the start date moves the end date along (same number of days in between)."""
            try:
                new_start = date.fromisoformat(str(value or "").strip())
                old_end = date.fromisoformat(str(end_day.value or "").strip())
            except ValueError:
                return
            end_day.value = (new_start + (old_end - previous_start[0])).isoformat()
            previous_start[0] = new_start

        start_day.on_value_change(lambda e: keep_end_offset(e.value))

        # --- per type ------------------------------------------------------------------------------
        with ui.column().classes("w-full gap-1") as presentation_box:
            presentation_media = (
                ui.select(
                    options.media_options(PRESENTATION_MEDIA),
                    value=values.get("mediaId") if values.get("eventType") == "PRESENTATION" else None,
                    label=t("cal.media"),
                )
                .classes("w-full")
                .props('dense data-testid="ev-presentation-media"')
            )
            with ui.row().classes("items-center gap-4"):
                slide_interval = (
                    ui.number(
                        t("cal.slide_interval"), value=values.get("slideInterval") or 10, min=1, max=3600, precision=0
                    )
                    .classes("w-40")
                    .props("dense")
                )
                page_progress = ui.switch(t("cal.page_progress"), value=bool(values.get("pageProgress")))
                auto_progress = ui.switch(t("cal.auto_progress"), value=bool(values.get("autoProgress")))
        with ui.column().classes("w-full gap-1") as video_box:
            video_media = (
                ui.select(
                    options.media_options(VIDEO_MEDIA),
                    value=values.get("mediaId") if values.get("eventType") == "VIDEO" else None,
                    label=t("cal.video"),
                )
                .classes("w-full")
                .props('dense data-testid="ev-video-media"')
            )
            with ui.row().classes("items-center gap-4"):
                autoplay = ui.switch(t("cal.autoplay"), value=bool(values.get("autoplay")))
                loop = ui.switch(t("cal.loop"), value=bool(values.get("loop")))
                muted = ui.switch(t("cal.muted"), value=bool(values.get("muted")))
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(t("cal.volume")).classes("text-sm")
                volume = ui.slider(min=0, max=1, step=0.05, value=float(values.get("volume") or 0.0)).classes("flex-1")
                ui.label().bind_text_from(volume, "value", lambda v: f"{round(float(v or 0) * 100)} %").classes(
                    "w-12 text-sm"
                )
        with ui.column().classes("w-full") as website_box:
            website_url = (
                ui.input(t("cal.website_url"), value=values.get("websiteUrl") or "", placeholder="https://")
                .classes("w-full")
                .props('dense data-testid="ev-url"')
            )
        with ui.column().classes("w-full") as message_box:
            message = ui.textarea(t("cal.message"), value=values.get("messageText") or "").classes("w-full")
            message.props('dense autogrow maxlength=2000 data-testid="ev-message"')
        with ui.column().classes("w-full") as webuntis_box:
            ui.label(t("cal.webuntis_hint")).classes("text-sm is-muted")
        boxes = {
            "PRESENTATION": presentation_box,
            "VIDEO": video_box,
            "WEBSITE": website_box,
            "MESSAGE": message_box,
            "WEBUNTIS": webuntis_box,
        }

        def show_type_fields() -> None:
            for kind, box in boxes.items():
                box.set_visibility(kind == event_type.value)

        event_type.on_value_change(lambda _: show_type_fields())
        show_type_fields()

        # --- recurrence and holidays -----------------------------------------------------------------
        ui.separator()
        editor: RecurrenceEditor | None = None
        if mode in ("create", "single", "series"):
            editor = RecurrenceEditor(parse_rule(values.get("recurrenceRule"), tz), start.date())
            start_day.on_value_change(lambda e: editor.follow_start(e.value) if editor else None)
        skip = ui.switch(t("cal.skip_holidays"), value=bool(values.get("skipHolidays")))
        skip.props('data-testid="ev-skip-holidays"')
        if mode == "occurrence":
            skip.set_visibility(False)
        error = ui.label().classes("text-negative text-sm").props('data-testid="event-form-error"')
        error.set_visibility(False)

        def fail(message_text: str) -> None:
            error.text = message_text
            error.set_visibility(True)
            notify_error(message_text)

        async def save() -> None:
            error.set_visibility(False)
            begin = _combine(start_day.value, start_time.value, tz)
            finish = _combine(end_day.value, end_time.value, tz)
            if begin is None or finish is None:
                fail(t("cal.bad_date"))
                return
            if finish <= begin:
                fail(t("cal.end_before_start"))
                return
            if group.value is None:
                fail(t("cal.no_group"))
                return
            kind = str(event_type.value)
            payload: dict[str, Any] = {
                "groupId": int(group.value),
                "title": (title.value or "").strip(),
                "eventType": kind,
                "start": begin.isoformat(),
                "end": finish.isoformat(),
            }
            if not payload["title"]:
                fail(t("cal.need_title"))
                return
            if editor is not None:
                try:
                    payload["recurrenceRule"] = editor.rule()
                except ValueError as exc:
                    fail(str(exc))
                    return
            if mode != "occurrence":
                payload["skipHolidays"] = bool(skip.value)
            if values.get("academicPeriodId") is not None:
                payload["academicPeriodId"] = values["academicPeriodId"]
            if kind == "PRESENTATION":
                payload.update(
                    mediaId=presentation_media.value,
                    slideInterval=int(slide_interval.value or 1),
                    pageProgress=bool(page_progress.value),
                    autoProgress=bool(auto_progress.value),
                )
            elif kind == "VIDEO":
                payload.update(
                    mediaId=video_media.value,
                    autoplay=bool(autoplay.value),
                    loop=bool(loop.value),
                    volume=round(float(volume.value or 0.0), 2),
                    muted=bool(muted.value),
                )
            elif kind == "WEBSITE":
                payload["websiteUrl"] = (website_url.value or "").strip()
            elif kind == "MESSAGE":
                payload["messageText"] = (message.value or "").strip()
            save_button.disable()
            try:
                await on_submit(payload)
            except gql.NotAuthenticatedError:
                ui.navigate.to(session.login_url())
                return
            except gql.GqlError as exc:  # the API's validation message, shown next to the fields
                fail(exc.message)
                return
            except Exception:
                log.exception("event=ui_event_save_failed")
                fail(t("common.error"))
                return
            finally:
                save_button.enable()
            dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            save_button = ui.button(t("common.save"), on_click=save).props('data-testid="ev-save"')
    dialog.on("hide", dialog.delete)
    dialog.open()
