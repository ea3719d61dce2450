"""The parts of the Termine page's event dialog: the options it offers, date/time inputs, the recurrence editor.

The dialog itself is `app.ui.event_dialog`, the fields per event type `app.ui.event_type_fields`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from nicegui import ui

from app.ui import gql
from app.ui.calendar_model import WEEKDAYS, Recurrence
from app.ui.i18n import t

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


def date_input(label: str, value: date, testid: str) -> ui.input:
    field_ = ui.input(label, value=value.isoformat()).props(
        f"mask='####-##-##' placeholder=JJJJ-MM-TT dense data-testid={testid}"
    )
    with field_.add_slot("append"), ui.icon("event").classes("cursor-pointer") as icon:
        with ui.menu() as menu:
            ui.date(mask="YYYY-MM-DD").bind_value(field_).on_value_change(menu.close)
        icon.on("click", menu.open)
    return field_


def time_input(label: str, value: time, testid: str) -> ui.input:
    return ui.input(label, value=value.strftime("%H:%M")).props(
        f"mask='##:##' placeholder=HH:MM dense data-testid={testid}"
    )


def combine(day_text: str, time_text: str, tz: tzinfo) -> datetime | None:
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
                self.until = date_input(
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
