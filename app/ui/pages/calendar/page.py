"""Termine: the events of one, several or all room groups (a colour each) as month / week / day / list calendar
with create, edit, drag, resize, detach and delete.

Everyone logged in may look (the events query needs only a login); editors and above may change events.
The shown window reloads live when `eventsChanged` names a shown group (or holidays changed) and the group
selector follows `groupsChanged`; bursts are coalesced into one reload.

Drawn by FullCalendar (`app/ui/fullcalendar.py`, vendored, no CDN). Times are shown in the school's time zone.
Holidays of the selected academic period shade the days they cover. Recurring series: deleting, editing,
dragging or resizing asks whether only this occurrence (deleteOccurrence / detachOccurrence) or the whole series
(deleteEvent with a final confirm / updateEvent) is meant.

This module holds the route and composes the parts: `state` (what is shown), `toolbar`, `views` (month,
week, day), `actions` (the writes), `dialogs`, `live` (updates from others).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.calendar_feed import calendar_feed_buttons
from app.ui.format import school_tz
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page
from app.ui.pages.calendar.actions import CalendarActions
from app.ui.pages.calendar.dialogs import occurrence_details
from app.ui.pages.calendar.live import CalendarLive
from app.ui.pages.calendar.state import CalendarState
from app.ui.pages.calendar.styles import CALENDAR_CSS
from app.ui.pages.calendar.toolbar import CalendarToolbar
from app.ui.pages.calendar.views import CalendarViews


@protected_page("/calendar", nav="nav.calendar", min_role=Role.USER)
async def calendar_page(ctx: PageContext) -> None:
    ui.add_css(CALENDAR_CSS)
    editable = ctx.can(Role.EDITOR)
    state = CalendarState(tz=school_tz())
    await state.load_meta()
    await state.load_events()
    actions = CalendarActions(state, editable=editable)
    _heading(actions)
    if not state.groups:
        _no_group(ctx)
        return
    toolbar = CalendarToolbar(actions, can_activate=ctx.can(Role.ADMIN))
    toolbar.build()

    def details(occurrence: dict[str, Any]) -> None:
        master = state.masters.get(occurrence["eventId"], {})
        if editable:
            occurrence_details(actions.host, occurrence, master, on_edit=actions.edit, on_delete=actions.delete)
        else:
            occurrence_details(actions.host, occurrence, master)

    views = CalendarViews(
        state,
        open_day=toolbar.open_day,
        details=details,
        new_event=actions.new_event if editable else None,
        move=actions.move if editable else None,
    )
    with ui.card().classes("w-full p-2").props("flat bordered"):
        views.build()
    ui.label(t("cal.timezone", tz=str(state.tz))).classes("text-xs is-muted")

    def redraw(*, navigated: bool = True) -> None:
        views.refresh(navigated=navigated)
        toolbar.labels.refresh()

    actions.redraw = redraw
    actions.reset = views.reset
    actions.groups_shown = toolbar.groups_shown
    CalendarLive(state, toolbar.groups_shown, lambda: redraw(navigated=False)).follow()


def _heading(actions: CalendarActions) -> None:
    state = actions.state
    with ui.row().classes("w-full items-center gap-2"):
        page_heading(t("cal.title"))
        ui.space()
        if state.group_id is not None:
            calendar_feed_buttons(lambda: (state.group_id, state.group_names().get(state.group_id or 0, "")),
                                  can_manage=actions.editable)  # fmt: skip
        if actions.editable and state.group_id is not None:
            ui.button(t("cal.new"), icon="add", on_click=lambda: actions.new_event()).props('data-testid="cal-new"')


def _no_group(ctx: PageContext) -> None:
    with ui.card().classes("w-full items-center p-6"):
        ui.icon("tv_off", size="2.5rem").classes("is-muted")
        ui.label(t("cal.no_group")).classes("text-lg")
        if ctx.can(Role.ADMIN):
            ui.link(t("nav.groups"), "/groups")

    async def first_group() -> None:
        """Registered: a group created while this page was being built counts too."""
        try:
            data = await gql.gql("query { groups(includeUnassigned: false) { id } }")
        except gql.GqlError:
            return
        if data["groups"]:
            ui.navigate.reload()

    # The first group makes the whole calendar appear: build it anew.
    gql.follow("subscription { groupsChanged { change } }", None, lambda _: ui.navigate.reload(), on_live=first_group)
