"""Wiedergabe (everyone logged in): per room and day or week, planned minutes per content against the minutes
each display reported showing it, with gaps and mismatches (GraphQL `playbackReport`), as an ECharts bar
chart, two tables and a CSV download."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.format import school_tz
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.pages.playback.report_view import QUERY, chart_options, display_rows, event_rows, report_csv

GROUPS = "query { groups(includeUnassigned: false) { id name } }"


@dataclass
class PlaybackState:
    groups: dict[int, str] = field(default_factory=dict)
    group_id: int | None = None
    view: str = "day"
    day: str = ""
    report: dict[str, Any] | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """The local day (or its Monday-to-Sunday week) in the school time zone."""
        tz = school_tz()
        first = date.fromisoformat(self.day)
        days = 1
        if self.view == "week":
            first -= timedelta(days=first.weekday())
            days = 7
        start = datetime.combine(first, time(0), tzinfo=tz)
        end = datetime.combine(first + timedelta(days=days), time(0), tzinfo=tz)
        return start, end

    async def load(self) -> None:
        if self.group_id is None:
            self.report = None
            return
        start, end = self.bounds()
        data = await gql.gql(QUERY, {"g": self.group_id, "s": start.isoformat(), "e": end.isoformat()})
        self.report = data["playbackReport"]


def _table(columns: list[tuple[str, str]], rows: list[dict[str, Any]], testid: str, empty: str) -> None:
    cols = [{"name": n, "label": label, "field": n, "align": "left"} for n, label in columns]
    ui.table(columns=cols, rows=rows, row_key=columns[0][0]).classes("w-full").props(
        f'flat dense data-testid="{testid}" no-data-label="{empty}"'
    )


@protected_page("/playback", nav="nav.playback", min_role=Role.USER)
async def playback_page(ctx: PageContext) -> None:
    state = PlaybackState(day=datetime.now(school_tz()).date().isoformat())
    groups = await gql.gql(GROUPS)
    state.groups = {g["id"]: g["name"] for g in groups["groups"] if g["id"] is not None}
    state.group_id = next(iter(state.groups), None)
    page_heading(t("nav.playback"))
    ui.label(t("pb.hint")).classes("is-muted")

    @ui.refreshable
    def results() -> None:
        report = state.report
        if not state.groups:
            ui.label(t("pb.no_groups")).props('data-testid="pb-empty"')
            return
        if report is None:
            ui.label(t("pb.pick_room"))
            return
        start, end = state.bounds()
        ui.label(t("pb.range", start=f"{start:%d.%m.%Y %H:%M}", end=f"{end:%d.%m.%Y %H:%M}")).props(
            'data-testid="pb-range"'
        )
        ui.echart(chart_options(report)).classes("w-full h-80").props('data-testid="pb-chart"')
        ui.label(t("pb.events_heading")).classes("text-lg font-medium")
        names = [(f"d{n}", d["name"]) for n, d in enumerate(report["displays"])]
        _table([("title", t("pb.event")), ("planned", t("pb.planned_min")), *names], event_rows(report),
               "pb-events", t("pb.no_events"))  # fmt: skip
        ui.label(t("pb.displays_heading")).classes("text-lg font-medium")
        columns = [("name", t("pb.display")), ("reported", t("pb.reported")), ("matched", t("pb.matched")),
                   ("mismatch", t("pb.mismatch")), ("gap", t("pb.gap"))]  # fmt: skip
        _table(columns, display_rows(report), "pb-displays", t("pb.no_displays"))

    async def show() -> None:
        await run_action(state.load)
        results.refresh()

    def export() -> None:
        if state.report is not None and state.group_id is not None:
            room = state.groups.get(state.group_id, "")
            ui.download(report_csv(state.report, room), f"wiedergabe-{state.group_id}-{state.day}.csv", "text/csv")

    with ui.row().classes("w-full items-end gap-2"):
        ui.select(state.groups, label=t("pb.room"), on_change=lambda _: show()).bind_value(state, "group_id").props(
            'dense data-testid="pb-group"'
        ).classes("w-56")
        ui.toggle({"day": t("pb.day"), "week": t("pb.week")}, on_change=lambda _: show()).bind_value(
            state, "view"
        ).props('dense no-caps data-testid="pb-view"')
        ui.input(t("pb.date"), on_change=lambda _: show()).bind_value(state, "day").props(
            'dense type=date stack-label data-testid="pb-date"'
        )
        ui.button(t("pb.show"), icon="refresh", on_click=show).props('data-testid="pb-show"')
        ui.button(t("pb.export"), icon="download", on_click=export).props('outline data-testid="pb-export"')
    await run_action(state.load)
    results()
