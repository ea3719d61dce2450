"""The resources timeline: one row per group with its occurrences as bars, a time scale and a now line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nicegui import ui

from app.ui.calendar_model import group_color, timeline_bars
from app.ui.event_form import TYPE_ICONS, type_label
from app.ui.format import fmt_date, fmt_time, parse_dt
from app.ui.i18n import t
from app.ui.pages.resources.state import ResourcesState

ROW_PX = 65

RESOURCES_CSS = """
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


def timeline(state: ResourcesState) -> None:
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
            _group_row(state, group, by_group.get(group["id"], []), now_pct)


def _group_row(state: ResourcesState, group: dict[str, Any], items: list[dict[str, Any]], now_pct: float) -> None:
    start, end = state.window()
    color = group_color(group["id"])
    with ui.element("div").classes("res-name").props(f'data-testid="res-row-{group["id"]}"'):
        ui.element("span").style(f"width:10px;height:10px;border-radius:50%;background:{color};flex:none")
        ui.label(group["name"]).classes("ellipsis")
        if items:
            ui.badge(str(len(items)), color="grey-8").props("rounded").tooltip(t("res.events", count=len(items)))
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
            with ui.element("div").classes("res-bar").style(style).props(f'data-testid="res-bar-{group["id"]}"'):
                ui.icon(TYPE_ICONS.get(occurrence["eventType"], "event"), size="12px")
                ui.label(occurrence["title"]).classes("ellipsis")
                ui.tooltip(
                    f"{occurrence['title']} · {type_label(occurrence['eventType'])} · "
                    f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])} – "
                    f"{fmt_time(occurrence['end'])}"
                )
