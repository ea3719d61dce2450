"""The Wiedergabe report as chart options, table rows and CSV (pure: from the playbackReport answer)."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.ui.i18n import t

QUERY = (
    "query ($g: Int!, $s: DateTime!, $e: DateTime!) { playbackReport(groupId: $g, start: $s, end: $e) {"
    " groupId start end events { eventId title plannedMinutes displays { uuid name minutes } }"
    " displays { uuid name reportedMinutes matchedMinutes mismatchMinutes gapMinutes } } }"
)


CSV_HEADER = (
    "room", "start_utc", "end_utc", "kind", "event_id", "title", "display", "display_uuid", "planned_minutes",
    "reported_minutes", "matched_minutes", "mismatch_minutes", "gap_minutes",
)  # fmt: skip


def _num(value: float) -> str:
    return f"{value:g}"


def chart_options(report: dict[str, Any]) -> dict[str, Any]:
    """ECharts options: per content the planned minutes and each display's reported minutes, as bars."""
    events = report["events"]
    categories = [e["title"] for e in events]
    series: list[dict[str, Any]] = [
        {"name": t("pb.planned"), "type": "bar", "data": [e["plannedMinutes"] for e in events]}
    ]
    for n, display in enumerate(report["displays"]):
        series.append({
            "name": display["name"], "type": "bar",
            "data": [e["displays"][n]["minutes"] if n < len(e["displays"]) else 0 for e in events],
        })  # fmt: skip
    return {
        "aria": {"enabled": True},
        "title": {"text": t("pb.chart_title"), "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {"type": "category", "data": categories},
        "yAxis": {"type": "value", "name": "min"},
        "series": series,
    }


def event_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for e in report["events"]:
        row: dict[str, Any] = {"id": e["eventId"], "title": e["title"], "planned": _num(e["plannedMinutes"])}
        for n, d in enumerate(e["displays"]):
            row[f"d{n}"] = _num(d["minutes"])
        rows.append(row)
    return rows


def display_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "uuid": d["uuid"], "name": d["name"], "reported": _num(d["reportedMinutes"]),
            "matched": _num(d["matchedMinutes"]), "mismatch": _num(d["mismatchMinutes"]), "gap": _num(d["gapMinutes"]),
        }
        for d in report["displays"]
    ]  # fmt: skip


def report_csv(report: dict[str, Any], room: str) -> bytes:
    """One row per (content, display) with the planned minutes, then one per display with its totals."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    head = [room, report["start"], report["end"]]
    for e in report["events"]:
        for d in e["displays"]:
            writer.writerow([*head, "event", e["eventId"], e["title"], d["name"], d["uuid"],
                             _num(e["plannedMinutes"]), _num(d["minutes"]), "", "", ""])  # fmt: skip
        if not e["displays"]:
            writer.writerow([*head, "event", e["eventId"], e["title"], "", "", _num(e["plannedMinutes"]), "", "", "",
                             ""])  # fmt: skip
    for d in report["displays"]:
        writer.writerow([*head, "display", "", "", d["name"], d["uuid"], "", _num(d["reportedMinutes"]),
                         _num(d["matchedMinutes"]), _num(d["mismatchMinutes"]), _num(d["gapMinutes"])])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens the umlauts right
