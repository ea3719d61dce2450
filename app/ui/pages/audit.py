"""Protokoll (admin+): the audit trail with filters, paging, readable details and a CSV export of the filter."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_datetime_seconds
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action

PAGE_SIZE = 25
EXPORT_LIMIT = 5000
OBJECT_TYPES = ("user", "api_token", "client", "client_group", "event", "media", "period", "holiday", "settings")
QUERY = (
    "query ($action: String, $objectType: String, $actor: String, $since: DateTime, $until: DateTime,"
    " $limit: Int, $offset: Int) { auditLogPage(action: $action, objectType: $objectType, actor: $actor,"
    " since: $since, until: $until, limit: $limit, offset: $offset)"
    " { total entries { id createdAt actorUsername action objectType objectId details ip } } }"
)


def readable_details(details: Any) -> str:
    """`key: value` pairs instead of a JSON blob; nested values stay compact JSON."""
    if not details:
        return ""
    if not isinstance(details, dict):
        return str(details)
    parts = []
    for key, value in details.items():
        shown = value if isinstance(value, str | int | float | bool) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def _day(value: str | None, *, end: bool = False) -> str | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return moment.isoformat() + "Z"


def audit_csv(entries: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["time_utc", "actor", "action", "object_type", "object_id", "details", "ip"])
    for e in entries:
        writer.writerow(
            [
                e["createdAt"],
                e["actorUsername"] or "",
                e["action"],
                e["objectType"],
                e["objectId"] or "",
                readable_details(e["details"]),
                e["ip"] or "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens the umlauts right


class AuditView:
    def __init__(self) -> None:
        self.filters: dict[str, Any] = {"action": "", "objectType": None, "actor": "", "since": "", "until": ""}
        self.page = 1
        self.total = 0
        self.rows: list[dict[str, Any]] = []

    def variables(self) -> dict[str, Any]:
        f = self.filters
        return {
            "action": f["action"] or None,
            "objectType": f["objectType"] or None,
            "actor": f["actor"] or None,
            "since": _day(f["since"]),
            "until": _day(f["until"], end=True),
        }

    async def load(self) -> None:
        variables = {**self.variables(), "limit": PAGE_SIZE, "offset": (self.page - 1) * PAGE_SIZE}
        data = (await gql.gql(QUERY, variables))["auditLogPage"]
        self.total = int(data["total"])
        self.rows = [
            {
                "id": e["id"],
                "time": fmt_datetime_seconds(e["createdAt"]),
                "actor": e["actorUsername"] or "",
                "action": e["action"],
                "object": f"{e['objectType']} {e['objectId'] or ''}".strip(),
                "details": readable_details(e["details"]),
            }
            for e in data["entries"]
        ]

    async def export(self) -> None:
        async def fetch() -> list[dict[str, Any]]:
            data = await gql.gql(QUERY, {**self.variables(), "limit": EXPORT_LIMIT, "offset": 0})
            return list(data["auditLogPage"]["entries"])

        entries = await run_action(fetch)
        if isinstance(entries, list):
            ui.download(audit_csv(entries), "protokoll.csv", "text/csv")


def _columns() -> list[dict[str, Any]]:
    def col(name: str, key: str) -> dict[str, Any]:
        return {"name": name, "label": t(key), "field": name, "align": "left"}

    return [
        col("time", "audit.time"),
        col("actor", "audit.actor"),
        col("action", "audit.action"),
        col("object", "audit.object"),
        {**col("details", "audit.details"), "style": "white-space: normal; max-width: 40rem"},
    ]


def _filters(view: AuditView, apply: Any) -> None:
    with ui.row().classes("w-full items-end gap-2"):
        ui.input(t("audit.action")).bind_value(view.filters, "action").props(
            'dense clearable data-testid="audit-filter-action"'
        ).on("keydown.enter", apply)
        ui.select(
            {None: t("audit.all_types"), **{k: k for k in OBJECT_TYPES}}, label=t("audit.object_type")
        ).bind_value(view.filters, "objectType").props('dense data-testid="audit-filter-type"').classes("w-44")
        ui.input(t("audit.actor")).bind_value(view.filters, "actor").props(
            'dense clearable data-testid="audit-filter-actor"'
        ).on("keydown.enter", apply)
        ui.input(t("audit.since")).bind_value(view.filters, "since").props(
            'dense type=date stack-label data-testid="audit-filter-since"'
        )
        ui.input(t("audit.until")).bind_value(view.filters, "until").props(
            'dense type=date stack-label data-testid="audit-filter-until"'
        )
        ui.button(t("audit.apply"), icon="filter_alt", on_click=apply).props('data-testid="audit-apply"')
        ui.button(t("audit.export"), icon="download", on_click=view.export).props('outline data-testid="audit-export"')


@protected_page("/audit", nav="nav.audit", min_role=Role.ADMIN)
async def audit_page(ctx: PageContext) -> None:
    view = AuditView()
    page_heading(t("nav.audit"))

    @ui.refreshable
    def results() -> None:
        ui.label(t("audit.count", total=view.total)).classes("is-muted").props('data-testid="audit-total"')
        table = ui.table(columns=_columns(), rows=view.rows, row_key="id").classes("w-full")
        table.props(f'flat dense wrap-cells data-testid="audit-table" no-data-label="{t("audit.empty")}"')
        pages = max(1, -(-view.total // PAGE_SIZE))
        if pages > 1:
            ui.pagination(1, pages, direction_links=True, value=view.page, on_change=lambda e: goto(e.value)).props(
                'max-pages=7 data-testid="audit-pages"'
            )

    async def goto(page: int) -> None:
        if page != view.page:
            view.page = page
            if await run_action(view.load):
                results.refresh()

    async def apply() -> None:
        view.page = 1
        if await run_action(view.load):
            results.refresh()

    _filters(view, apply)
    await view.load()
    results()
