"""The create/edit dialog of the Termine page: title, group, type, times, the type's fields, recurrence.

The dialog only collects and checks input; `on_submit(input)` runs the mutation (createEvent, updateEvent or
detachOccurrence) and raises GqlError when the API refuses, so the dialog stays open with the message inline.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from nicegui import ui

from app.ui import gql, session
from app.ui.calendar_model import parse_rule
from app.ui.event_form import (
    EVENT_TYPES,
    FormOptions,
    Mode,
    RecurrenceEditor,
    Submit,
    combine,
    date_input,
    time_input,
    type_label,
)
from app.ui.event_type_fields import TypeFields
from app.ui.format import parse_dt
from app.ui.i18n import t
from app.ui.layout import notify_error

log = logging.getLogger(__name__)


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
    EventDialog(mode=mode, tz=tz, options=options, groups=groups, initial=initial, on_submit=on_submit).open()


class EventDialog:
    TITLES = {
        "create": "cal.new",
        "single": "cal.edit",
        "series": "cal.edit_series",
        "occurrence": "cal.edit_occurrence",
    }

    def __init__(
        self,
        *,
        mode: Mode,
        tz: tzinfo,
        options: FormOptions,
        groups: dict[int, str],
        initial: dict[str, Any],
        on_submit: Submit,
    ) -> None:
        self.mode = mode
        self.tz = tz
        self.on_submit = on_submit
        creating = mode == "create"
        self.values = values = {**(options.defaults() if creating else {}), **initial}
        start = (parse_dt(values.get("start")) or datetime.now(tz)).astimezone(tz)
        end = (parse_dt(values.get("end")) or start + timedelta(hours=1)).astimezone(tz)
        with (
            ui.dialog() as self.dialog,
            ui.card().classes("w-[40rem] max-w-full gap-2").props('data-testid="event-dialog"'),
        ):
            self.dialog.props["aria-label"] = t(self.TITLES[mode])
            ui.label(t(self.TITLES[mode])).classes("text-lg font-medium")
            self._head(groups)
            self._times(start, end)
            self.kind_fields = TypeFields(options, values, self.event_type)
            ui.separator()
            self._recurrence_and_holidays(start)
            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=self.dialog.close).props("flat")
                self.save_button = ui.button(t("common.save"), on_click=self.save).props('data-testid="ev-save"')
        self.dialog.on("hide", self.dialog.delete)

    def open(self) -> None:
        self.dialog.open()

    def _head(self, groups: dict[int, str]) -> None:
        values = self.values
        with ui.row().classes("w-full gap-2 no-wrap"):
            self.title = ui.input(t("cal.title_field"), value=values.get("title") or "").classes("flex-1")
            self.title.props('dense maxlength=255 autofocus data-testid="ev-title"')
            self.group = ui.select(groups, value=values.get("groupId"), label=t("cal.group")).classes("w-48")
            self.group.props('dense data-testid="ev-group"')
        self.event_type = (
            ui.select(
                {k: type_label(k) for k in EVENT_TYPES},
                value=str(values.get("eventType") or "PRESENTATION"),
                label=t("cal.type"),
            )
            .classes("w-56")
            .props('dense data-testid="ev-type"')
        )

    def _times(self, start: datetime, end: datetime) -> None:
        with ui.row().classes("w-full gap-2"):
            self.start_day = date_input(t("cal.start"), start.date(), "ev-start-date").classes("w-40")
            self.start_time = time_input(t("cal.start_time"), start.time(), "ev-start-time").classes("w-24")
            self.end_day = date_input(t("cal.end"), end.date(), "ev-end-date").classes("w-40")
            self.end_time = time_input(t("cal.end_time"), end.time(), "ev-end-time").classes("w-24")

        previous_start = [start.date()]
        end_day = self.end_day

        def keep_end_offset(value: object) -> None:
            """Moving the start date moves the end date along (same number of days in between)."""
            try:
                new_start = date.fromisoformat(str(value or "").strip())
                old_end = date.fromisoformat(str(end_day.value or "").strip())
            except ValueError:
                return
            end_day.value = (new_start + (old_end - previous_start[0])).isoformat()
            previous_start[0] = new_start

        self.start_day.on_value_change(lambda e: keep_end_offset(e.value))

    def _recurrence_and_holidays(self, start: datetime) -> None:
        self.editor: RecurrenceEditor | None = None
        if self.mode in ("create", "single", "series"):
            editor = RecurrenceEditor(parse_rule(self.values.get("recurrenceRule"), self.tz), start.date())
            self.start_day.on_value_change(lambda e: editor.follow_start(e.value))
            self.editor = editor
        self.skip = ui.switch(t("cal.skip_holidays"), value=bool(self.values.get("skipHolidays")))
        self.skip.props('data-testid="ev-skip-holidays"')
        if self.mode == "occurrence":
            self.skip.set_visibility(False)
        self.error = ui.label().classes("text-negative text-sm").props('data-testid="event-form-error"')
        self.error.set_visibility(False)

    def fail(self, message_text: str) -> None:
        self.error.text = message_text
        self.error.set_visibility(True)
        notify_error(message_text)

    def payload(self) -> dict[str, Any] | None:
        """The EventInput from the fields, or None after showing what is wrong."""
        begin = combine(self.start_day.value, self.start_time.value, self.tz)
        finish = combine(self.end_day.value, self.end_time.value, self.tz)
        if begin is None or finish is None:
            self.fail(t("cal.bad_date"))
            return None
        if finish <= begin:
            self.fail(t("cal.end_before_start"))
            return None
        if self.group.value is None:
            self.fail(t("cal.no_group"))
            return None
        kind = str(self.event_type.value)
        payload: dict[str, Any] = {
            "groupId": int(self.group.value),
            "title": (self.title.value or "").strip(),
            "eventType": kind,
            "start": begin.isoformat(),
            "end": finish.isoformat(),
        }
        if not payload["title"]:
            self.fail(t("cal.need_title"))
            return None
        if self.editor is not None:
            try:
                payload["recurrenceRule"] = self.editor.rule()
            except ValueError as exc:
                self.fail(str(exc))
                return None
        if self.mode != "occurrence":
            payload["skipHolidays"] = bool(self.skip.value)
        if self.values.get("academicPeriodId") is not None:
            payload["academicPeriodId"] = self.values["academicPeriodId"]
        payload.update(self.kind_fields.payload(kind))
        return payload

    async def save(self) -> None:
        self.error.set_visibility(False)
        payload = self.payload()
        if payload is None:
            return
        self.save_button.disable()
        try:
            await self.on_submit(payload)
        except gql.NotAuthenticatedError:
            ui.navigate.to(session.login_url())
            return
        except gql.GqlError as exc:  # the API's validation message, shown next to the fields
            self.fail(exc.message)
            return
        except Exception:
            log.exception("event=ui_event_save_failed")
            self.fail(t("common.error"))
            return
        finally:
            self.save_button.enable()
        self.dialog.close()
