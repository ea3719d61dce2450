"""Vorschau: per room, what its displays show over a day or week and whether the screen is on or off.

One timeline row per chosen room (default: every room) with the `groupSchedule` segments of the shown day or
week — the titles that show, on/off by the power state, holidays and "outside the period" by the segment's
reason — and a "Jetzt" line. A click on a segment (or Enter on a focused one) opens the exact payload a
display of that room receives at that instant (`displayPayloadAt`). Everything in the school time zone.
Reloads live (coalesced) when `eventsChanged` names a shown room or the rooms change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.calendar_model import shift
from app.ui.format import fmt_day_range, school_tz
from app.ui.fullcalendar import from_wall, to_wall
from app.ui.i18n import current_language, t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.live_reload import CoalescedReload
from app.ui.pages.preview.payload_dialog import payload_dialog
from app.ui.pages.preview.segments import LEGEND, PREVIEW_CSS, parse_utc, rows_and_bars, segment_span
from app.ui.pages.preview.state import PreviewState
from app.ui.timeline import Timeline
from app.ui.widgets import date_stepper

PLAYBACK_PATH = "/playback"


@protected_page("/preview", nav="nav.preview", min_role=Role.USER)
async def preview_page(ctx: PageContext) -> None:
    ui.add_css(PREVIEW_CSS)
    state = PreviewState(tz=school_tz())
    state.anchor = datetime.now(state.tz).date()
    if ctx.query.get("view") == "week":
        state.view = "week"
    await state.load()
    PreviewPage(state).build()


class PreviewPage:
    def __init__(self, state: PreviewState) -> None:
        self.state = state
        self.live = CoalescedReload(self.live_reload)
        self.timeline: Timeline | None = None
        self.picker: ui.select

    def build(self) -> None:
        state = self.state
        with ui.row().classes("w-full items-center gap-2"):
            page_heading(t("pv.title"))
            ui.space()
            ui.link(t("pv.playback"), PLAYBACK_PATH).props('data-testid="pv-playback"').classes("text-primary")
            ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(self.reload)).props("flat")
        ui.label(t("pv.intro")).classes("text-sm is-muted")
        with ui.row().classes("w-full items-center gap-2"):
            date_stepper("pv", self.move, self.go_today)
            self.range_label()
            ui.space()
            ui.toggle(
                {"day": t("cal.day"), "week": t("cal.week")},
                value=state.view,
                on_change=lambda e: self.set_view(e.value),
            ).props('dense no-caps data-testid="pv-view"')
        self.picker = (
            ui.select(
                {g["id"]: g["name"] for g in state.groups},
                multiple=True,
                value=[g["id"] for g in state.groups],
                label=t("pv.rooms"),
                on_change=lambda e: self.choose(e.value),
            )
            .props('use-chips outlined dense data-testid="pv-groups"')
            .classes("w-full")
        )
        self.hint()
        with ui.card().classes("w-full p-0 overflow-hidden").props("flat bordered"):
            self.timeline = Timeline(
                label=t("pv.timeline"),
                now_label=t("timeline.now"),
                locale=current_language(),
                on_item_click=self.on_segment,
            ).props('data-testid="pv-timeline"')
        self.draw()
        with ui.row().classes("items-center gap-4 text-sm").props('data-testid="pv-legend"'):
            ui.label(t("pv.legend") + ":").classes("font-medium")
            for css, colour, key in LEGEND:
                with ui.row().classes("items-center gap-0"):
                    ui.element("span").classes(f"pv-swatch {css}").style(f"background:{colour}")
                    ui.label(t(key))
        ui.label(t("pv.timezone", tz=str(state.tz))).classes("text-xs is-muted")
        # Once registered, a re-read: a change made while the page was being built is not missed.
        reload = self.live.schedule
        gql.follow("subscription { eventsChanged { groupIds } }", None, self.on_events, on_live=reload)
        gql.follow("subscription { groupsChanged { change } }", None, lambda _: reload(), on_live=reload)

    @ui.refreshable_method
    def range_label(self) -> None:
        text = fmt_day_range(self.state.days())
        ui.label(text).classes("text-lg font-medium").props('data-testid="pv-range"')

    @ui.refreshable_method
    def hint(self) -> None:
        if not self.state.groups:
            ui.label(t("pv.no_groups")).classes("is-muted").props('data-testid="pv-hint"')
        elif not self.state.shown():
            ui.label(t("pv.no_rooms")).classes("is-muted").props('data-testid="pv-hint"')

    def sync_picker(self) -> None:
        """Rooms created, renamed or deleted elsewhere; "all rooms" stays all rooms."""
        options = {g["id"]: g["name"] for g in self.state.groups}
        if self.state.chosen is None:
            self.picker.set_options(options, value=list(options))
        else:
            self.state.chosen = [gid for gid in self.state.chosen if gid in options]
            self.picker.set_options(options, value=list(self.state.chosen))

    def draw(self) -> None:
        if self.timeline is None:
            return
        start, end = self.state.window()
        tz = self.state.tz
        groups, items = rows_and_bars(self.state)
        self.timeline.show(groups, items, to_wall(start, tz), to_wall(end, tz), to_wall(datetime.now(tz), tz))

    async def reload(self) -> None:
        await self.state.load()
        self.sync_picker()
        self.draw()
        self.hint.refresh()
        self.range_label.refresh()

    async def choose(self, value: Any) -> None:
        ids = [int(v) for v in value or []]
        self.state.chosen = None if len(ids) == len(self.state.groups) else ids
        await run_action(self.reload)

    async def set_view(self, value: Any) -> None:
        self.state.view = value
        await run_action(self.reload)

    async def move(self, steps: int) -> None:
        self.state.anchor = shift(self.state.view, self.state.anchor, steps)
        await run_action(self.reload)

    async def go_today(self) -> None:
        self.state.anchor = datetime.now(self.state.tz).date()
        await run_action(self.reload)

    async def on_segment(self, args: dict[str, Any]) -> None:
        group_id, _, index = str(args.get("id", "")).partition(":")
        segments = self.state.segments.get(int(group_id or -1), [])
        if not index.isdigit() or int(index) >= len(segments):
            return
        segment = segments[int(index)]
        start, end = parse_utc(segment["start"]), parse_utc(segment["end"])
        at = start
        if args.get("time"):  # the clicked instant, kept inside the segment
            clicked = from_wall(str(args["time"]), self.state.tz)
            at = clicked if start <= clicked < end else start
        gid = int(group_id)

        async def run() -> dict[str, Any]:
            return await self.state.payload_at(gid, at)

        payload = await run_action(run)
        if isinstance(payload, dict):
            span = segment_span(segment, self.state.tz)
            payload_dialog(self.state.group_name(gid), gid, at, self.state.tz, payload, span)

    # --- live updates --------------------------------------------------------------------------------
    async def live_reload(self) -> None:
        shown = (self.state.groups, self.state.segments)
        await self.state.load()
        if (self.state.groups, self.state.segments) != shown:
            self.sync_picker()
            self.draw()
            self.hint.refresh()

    def on_events(self, data: dict[str, Any]) -> None:
        shown = {g["id"] for g in self.state.shown()}
        if shown.intersection(data["eventsChanged"]["groupIds"]):
            self.live.schedule()
