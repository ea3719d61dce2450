"""Durchsagen (any login; starting and the all-clear need admin+): running and past broadcasts, and for the
chosen one (`?id=`) its receipts per room group and display, live while it runs."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from nicegui import ui

from app.ui import broadcast_models as bm
from app.ui import gql
from app.ui.format import fmt_datetime_seconds
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page


def _history(rows: list[dict[str, Any]], chosen: int | None) -> None:
    if not rows:
        ui.label(t("broadcast.none")).classes("is-muted")
        return
    columns = [
        {"name": "started", "label": t("broadcast.col.started"), "field": "started", "align": "left"},
        {"name": "ended", "label": t("broadcast.col.ended"), "field": "ended", "align": "left"},
        {"name": "severity", "label": t("broadcast.severity"), "field": "severity", "align": "left"},
        {"name": "text", "label": t("broadcast.col.text"), "field": "text", "align": "left"},
        {"name": "by", "label": t("broadcast.col.by"), "field": "by", "align": "left"},
        {"name": "receipts", "label": t("broadcast.col.receipts"), "field": "receipts", "align": "left"},
    ]
    data = [
        {
            "id": b["id"],
            "started": fmt_datetime_seconds(b["startedAt"]),
            "ended": t("broadcast.still_running") if b["active"] else fmt_datetime_seconds(b["endedAt"] or b["endsAt"]),
            "severity": t(f"broadcast.severity.{b['severity']}"),
            "text": f"{bm.label(b)}: {b['message']}",
            "by": b.get("startedBy") or "",
            "receipts": f"{b['shownCount']}/{bm.online(b)}",
        }
        for b in rows
    ]
    table = ui.table(columns=columns, rows=data, row_key="id").classes("w-full")
    table.props('data-testid="broadcast-history" flat bordered dense')
    if chosen is not None:
        table.selected = [r for r in data if r["id"] == chosen]
    table.on("row-click", lambda e: ui.navigate.to(f"/broadcasts?id={e.args[1]['id']}"))


def _summary(b: dict[str, Any]) -> None:
    with ui.row().classes("items-center gap-3"):
        ui.badge(t(f"broadcast.severity.{b['severity']}"), color=bm.SEVERITY_COLORS[b["severity"]])
        ui.label(bm.label(b)).classes("text-lg font-medium")
        ui.label(fmt_datetime_seconds(b["startedAt"])).classes("is-muted")
    ui.label(b["message"]).classes("whitespace-pre-wrap")
    counts = t("broadcast.banner_count", shown=b["shownCount"], online=bm.online(b), offline=b["offlineCount"])
    ui.label(counts).classes("font-medium").props('data-testid="broadcast-receipt-count"')
    ui.label(
        t("broadcast.times", p50=bm.seconds(b["secondsTo50"]), p90=bm.seconds(b["secondsTo90"]),
          p100=bm.seconds(b["secondsTo100"]))
    ).classes("is-muted")  # fmt: skip


def _receipts(receipts: list[dict[str, Any]]) -> None:
    def room(r: dict[str, Any]) -> str:
        return r.get("groupName") or t("broadcast.no_room")

    for name, items in groupby(receipts, key=room):
        rows = list(items)
        shown = sum(1 for r in rows if r["status"] == "SHOWN")
        with ui.expansion(f"{name} ({shown}/{len(rows)})", value=shown < len(rows)).classes("w-full"):
            for r in rows:
                with ui.row().classes("items-center gap-3 w-full").props('data-testid="broadcast-receipt"'):
                    ui.badge(t(f"broadcast.status.{r['status']}"), color=bm.STATUS_COLORS[r["status"]])
                    ui.label(r.get("clientName") or r["clientUuid"]).classes("font-medium")
                    ui.label(fmt_datetime_seconds(r["shownAt"]) if r.get("shownAt") else "").classes("is-muted")


@protected_page("/broadcasts", nav="nav.broadcasts")
async def broadcasts_page(ctx: PageContext) -> None:
    page_heading(t("broadcast.page_title"))
    raw = ctx.query.get("id", "")
    chosen = int(raw) if raw.isdigit() else None
    history = list((await gql.gql(bm.HISTORY)).get("broadcasts") or [])
    if chosen is None and history and history[0]["active"]:
        chosen = history[0]["id"]
    detail = ui.column().classes("w-full gap-2")

    async def show_detail(*_: Any) -> None:
        if chosen is None:
            return
        one = (await gql.gql(bm.ONE, {"id": chosen})).get("broadcast")
        detail.clear()
        if one is None:
            return
        with detail, ui.card().classes("w-full"):
            ui.label(t("broadcast.receipts_of", title=bm.label(one))).classes("text-lg font-medium")
            _summary(one)
            _receipts(list(one["receipts"]))

    await show_detail()
    if chosen is not None:
        gql.follow(bm.UPDATED_ONE, {"id": chosen}, show_detail, on_live=show_detail)
    ui.label(t("broadcast.history")).classes("text-lg font-medium")
    _history(history, chosen)
