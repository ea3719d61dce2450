"""Ressourcen: every room group's occurrences side by side on a day (default) or week timeline.

One row per group (without “Nicht zugeordnet”), bars in a stable colour per group, and the group order panel
(up/down, saved with setGroupOrder; admin+ may change it, others see it read-only). Everyone logged in may
look (the queries need only a login). Reloads whenever the view or the date changes, and live (coalesced) when
`eventsChanged` names a shown group or `groupsChanged` reports a new, renamed, deleted or reordered group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.calendar_model import View, group_color, shift, timeline_bars, utc_range, view_days
from app.ui.event_form import TYPE_ICONS, type_label
from app.ui.format import fmt_date, fmt_time, parse_dt, school_tz
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action, unavailable
from app.ui.live_reload import CoalescedReload
from app.ui.selection import has_field
from app.ui.widgets import date_stepper

ROW_PX = 65

_CSS = """
.res-grid { display: grid; grid-template-columns: 170px minmax(0, 1fr); width: 100%; border-top: 1px solid #e5e7eb; }
.res-name { height: 65px; display: flex; align-items: center; gap: 6px; padding: 0 8px; font-weight: 500;
  border-bottom: 1px solid #e5e7eb; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.res-track { position: relative; height: 65px; border-bottom: 1px solid #e5e7eb; border-left: 1px solid #e5e7eb; }
.res-scale { position: relative; height: 24px; border-left: 1px solid #e5e7eb; border-bottom: 1px solid #e5e7eb;
  font-size: 11px; color: #6b7280; }
.res-tick { position: absolute; top: 4px; transform: translateX(2px); white-space: nowrap; }
.res-bar { position: absolute; border-radius: 4px; color: white; font-size: 11px; line-height: 14px;
  padding: 1px 4px; overflow: hidden; white-space: nowrap; box-sizing: border-box; display: flex; gap: 2px;
  align-items: center; min-width: 6px;
  box-shadow: 0 1px 2px rgba(0,0,0,.25); border: 1px solid rgba(255,255,255,.6); }
.res-now { position: absolute; top: 0; bottom: 0; width: 2px; background: #d97706; z-index: 2; }
"""


@dataclass
class ResourcesState:
    tz: ZoneInfo
    view: View = "day"
    anchor: date = field(default_factory=date.today)
    groups: list[dict[str, Any]] = field(default_factory=list)
    occurrences: list[dict[str, Any]] = field(default_factory=list)

    def days(self) -> list[date]:
        return view_days(self.view, self.anchor)

    def window(self) -> tuple[datetime, datetime]:
        return utc_range(self.days(), self.tz)

    async def load(self) -> None:
        start, end = self.window()
        data = await gql.gql(
            "query($s: DateTime!, $e: DateTime!) { groups(includeUnassigned: false) { id name displayOrder } "
            "eventOccurrences(start: $s, end: $e) { eventId groupId title eventType start end isRecurring } }",
            {"s": start.isoformat(), "e": end.isoformat()},
        )
        self.groups = [g for g in data["groups"] if g["id"] is not None]
        self.occurrences = data["eventOccurrences"]


def _ticks(state: ResourcesState) -> list[tuple[float, str]]:
    days = state.days()
    if state.view == "day":
        return [(100 * hour / 24, f"{hour:02d}") for hour in range(0, 24, 2)]
    names = [t(f"cal.wd.{d}") for d in ("mo", "tu", "we", "th", "fr", "sa", "su")]
    return [(100 * i / len(days), f"{names[day.weekday()]} {day.strftime('%d.%m.')}") for i, day in enumerate(days)]


def _grid_lines(state: ResourcesState) -> str:
    parts = 24 if state.view == "day" else 7
    return (
        f"background-image: repeating-linear-gradient(to right, #eef0f3 0 1px, transparent 1px calc(100% / {parts}));"
    )


@protected_page("/resources", nav="nav.resources", min_role=Role.USER)
async def resources_page(ctx: PageContext) -> None:
    if not has_field("Query", "eventOccurrences"):
        page_heading(t("res.title"))
        unavailable(t("res.title"))
        return
    ui.add_css(_CSS)
    can_order = ctx.can(Role.ADMIN)
    state = ResourcesState(tz=school_tz())
    state.anchor = datetime.now(state.tz).date()
    await state.load()

    async def reload() -> None:
        await state.load()
        timeline.refresh()
        order_panel.refresh()
        range_label.refresh()

    async def set_view(value: Any) -> None:
        state.view = value
        await run_action(reload)

    async def move(steps: int) -> None:
        state.anchor = shift(state.view, state.anchor, steps)
        await run_action(reload)

    async def go_today() -> None:
        state.anchor = datetime.now(state.tz).date()
        await run_action(reload)

    async def move_group(index: int, delta: int) -> None:
        ids = [g["id"] for g in state.groups]
        other = index + delta
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]

        async def run() -> dict[str, Any]:
            data = await gql.gql(
                "mutation($ids: [Int!]!) { setGroupOrder(ids: $ids) { __typename ... on GroupOrder { groups { id } } "
                "... on Error { message } } }",
                {"ids": ids},
            )
            return gql.ok(data["setGroupOrder"])

        if await run_action(run, success=t("common.saved")):
            await run_action(reload)

    with ui.row().classes("w-full items-center gap-2"):
        page_heading(t("res.title"))
        ui.space()
        ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(reload)).props("flat")
    with ui.row().classes("w-full items-center gap-2"):
        date_stepper("res", move, go_today)

        @ui.refreshable
        def range_label() -> None:
            days = state.days()
            text = fmt_date(days[0]) if len(days) == 1 else f"{fmt_date(days[0])} – {fmt_date(days[-1])}"
            if len(days) == 1:
                names = [t(f"cal.wd.{d}") for d in ("mo", "tu", "we", "th", "fr", "sa", "su")]
                text = f"{names[days[0].weekday()]}, {text}"
            ui.label(text).classes("text-lg font-medium").props('data-testid="res-range"')

        range_label()
        ui.space()
        ui.toggle(
            {"day": t("cal.day"), "week": t("cal.week")}, value=state.view, on_change=lambda e: set_view(e.value)
        ).props('dense no-caps data-testid="res-view"')

    @ui.refreshable
    def timeline() -> None:
        start, end = state.window()
        by_group: dict[int, list[dict[str, Any]]] = {}
        for occurrence in state.occurrences:
            by_group.setdefault(occurrence["groupId"], []).append(occurrence)
        now = datetime.now(state.tz)
        now_pct = 100 * (now - start).total_seconds() / (end - start).total_seconds()
        with ui.element("div").classes("res-grid").props('data-testid="res-timeline"'):
            ui.element("div").classes("res-name").style("height:24px")
            with ui.element("div").classes("res-scale"):
                for left, text in _ticks(state):
                    ui.label(text).classes("res-tick").style(f"left:{left:.3f}%")
            if not state.groups:
                ui.label(t("cal.no_group")).classes("res-name is-muted")
                ui.element("div").classes("res-track")
            for group in state.groups:
                color = group_color(group["id"])
                items = by_group.get(group["id"], [])
                with ui.element("div").classes("res-name").props(f'data-testid="res-row-{group["id"]}"'):
                    ui.element("span").style(f"width:10px;height:10px;border-radius:50%;background:{color};flex:none")
                    ui.label(group["name"]).classes("ellipsis")
                    if items:
                        ui.badge(str(len(items)), color="grey-6").props("rounded").tooltip(
                            t("res.events", count=len(items))
                        )
                with ui.element("div").classes("res-track").style(_grid_lines(state)):
                    if 0 <= now_pct <= 100:
                        ui.element("div").classes("res-now").style(f"left:{now_pct:.3f}%")
                    spans = [(i, parse_dt(o["start"]), parse_dt(o["end"])) for i, o in enumerate(items)]
                    bars = timeline_bars([(i, s, e) for i, s, e in spans if s and e], start, end)
                    for bar in bars:
                        occurrence = items[bar.key]
                        height = (ROW_PX - 8) / bar.lanes
                        style = (
                            f"left:{bar.left:.3f}%;width:{bar.width:.3f}%;top:{4 + bar.lane * height:.1f}px;"
                            f"height:{height - 2:.1f}px;background:{color}"
                        )
                        with (
                            ui.element("div")
                            .classes("res-bar")
                            .style(style)
                            .props(f'data-testid="res-bar-{group["id"]}"')
                        ):
                            ui.icon(TYPE_ICONS.get(occurrence["eventType"], "event"), size="12px")
                            ui.label(occurrence["title"]).classes("ellipsis")
                            ui.tooltip(
                                f"{occurrence['title']} · {type_label(occurrence['eventType'])} · "
                                f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])} – "
                                f"{fmt_time(occurrence['end'])}"
                            )

    @ui.refreshable
    def order_panel() -> None:
        with ui.list().props('bordered separator dense data-testid="res-order"').classes("w-full rounded-borders"):
            for index, group in enumerate(state.groups):
                with ui.item().props(f'data-testid="res-order-{group["id"]}"'):
                    with ui.item_section().props("avatar").classes("min-w-0"):
                        ui.element("span").style(
                            f"width:12px;height:12px;border-radius:50%;background:{group_color(group['id'])}"
                        )
                    with ui.item_section():
                        ui.item_label(group["name"]).classes("ellipsis")
                    if can_order:
                        with ui.item_section().props("side"), ui.row().classes("gap-0 no-wrap"):
                            ui.button(icon="arrow_upward", on_click=lambda i=index: move_group(i, -1)).props(
                                f'flat dense round size=sm data-testid="res-up-{group["id"]}"'
                            ).set_enabled(index > 0)
                            ui.button(icon="arrow_downward", on_click=lambda i=index: move_group(i, 1)).props(
                                f'flat dense round size=sm data-testid="res-down-{group["id"]}"'
                            ).set_enabled(index < len(state.groups) - 1)

    with ui.row().classes("w-full gap-4 items-start no-wrap max-lg:flex-wrap"):
        with ui.card().classes("flex-1 min-w-0 p-0 overflow-hidden").props("flat bordered"):
            timeline()
        with ui.column().classes("w-64 max-lg:w-full gap-1"):
            ui.label(t("res.order")).classes("text-lg font-medium")
            ui.label(t("res.order_hint") if can_order else t("res.order_read_only")).classes("text-xs is-muted")
            order_panel()
    ui.label(t("cal.timezone", tz=str(state.tz))).classes("text-xs is-muted")

    # --- live updates --------------------------------------------------------------------------------
    async def live_reload() -> None:
        shown = (state.groups, state.occurrences)
        await state.load()
        if (state.groups, state.occurrences) != shown:  # this tab's own reorder is already shown
            timeline.refresh()
            order_panel.refresh()

    live = CoalescedReload(live_reload)

    def on_events(data: dict[str, Any]) -> None:
        shown = {g["id"] for g in state.groups}
        if shown.intersection(data["eventsChanged"]["groupIds"]):
            live.schedule()

    if has_field("Subscription", "eventsChanged"):
        gql.follow("subscription { eventsChanged { groupIds } }", None, on_events)
    if has_field("Subscription", "groupsChanged"):
        gql.follow("subscription { groupsChanged { change } }", None, lambda _: live.schedule())
