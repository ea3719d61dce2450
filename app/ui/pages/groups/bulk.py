"""Bulk actions on the selected displays (restart, delete) with a confirm naming the count and a result per
display, and the CSV export of the displayed list."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.actions import closed
from app.ui.i18n import t
from app.ui.pages.groups.controller import GroupsController
from app.ui.widgets import client_name, issue_command

CSV_COLUMNS = ("uuid", "name", "hostname", "ip", "group", "statusLabel", "lastAlive")

Outcome = tuple[bool, str]


def bulk_buttons(ctrl: GroupsController) -> None:
    ui.button(
        t("fleet.bulk_restart"), icon="restart_alt", on_click=lambda: _confirm(ctrl, "restart", _restart_one)
    ).props('outline color=negative data-testid="bulk-restart"')
    ui.button(t("fleet.bulk_delete"), icon="delete", on_click=lambda: _confirm(ctrl, "delete", _delete_one)).props(
        'outline color=negative data-testid="bulk-delete"'
    )
    ui.button(t("fleet.export_csv"), icon="download", on_click=lambda: export_csv(ctrl)).props(
        'flat data-testid="export-csv"'
    )


def csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([t(f"fleet.csv.{c}") for c in CSV_COLUMNS])
    for row in rows:
        writer.writerow([row.get(c, "") for c in CSV_COLUMNS])
    return out.getvalue()


def export_csv(ctrl: GroupsController) -> None:
    """The list as it is shown (search and filters applied), UTF-8 with BOM so spreadsheets read umlauts."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    data = ("\ufeff" + csv_text(ctrl.state.rows())).encode()
    ui.download.content(data, f"displays-{stamp}.csv", "text/csv")


def _selected(ctrl: GroupsController) -> list[str]:
    return [str(r["uuid"]) for r in ctrl.table.selected] if ctrl.table is not None else []


def _confirm(ctrl: GroupsController, action: str, one: Callable[[str], Awaitable[Outcome]]) -> None:
    uuids = _selected(ctrl)
    if not uuids:
        ui.notify(t("fleet.none_selected"), type="warning")
        return

    def open_confirm() -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t(f"fleet.confirm_{action}", count=len(uuids))).props('data-testid="bulk-confirm-text"')

            async def yes() -> None:
                with closed(dialog):
                    await _run(ctrl, action, uuids, one)

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t(f"fleet.bulk_{action}"), on_click=yes, color="negative").props(
                    'data-testid="bulk-confirm-yes"'
                )
        dialog.on("hide", dialog.delete)
        dialog.open()

    ctrl.in_dialog_host(open_confirm)


async def _run(ctrl: GroupsController, action: str, uuids: list[str], one: Callable[[str], Awaitable[Outcome]]) -> None:
    results: list[tuple[str, bool, str]] = []
    for uuid in uuids:
        name = client_name(ctrl.state.clients.get(uuid, {"uuid": uuid}))
        try:
            ok, message = await one(uuid)
        except Exception as exc:  # one display's failure must not hide the others' results
            ok, message = False, str(exc)
        results.append((name, ok, message))
        if ok and action == "delete":
            ctrl.state.clients.pop(uuid, None)
    if action == "delete":
        ctrl.patch_counts()
    if ctrl.table is not None:
        ctrl.table.selected = []
    ctrl.refresh_table()
    ctrl.in_dialog_host(lambda: _show_results(action, results))


def _show_results(action: str, results: list[tuple[str, bool, str]]) -> None:
    done = sum(1 for _, ok, _ in results if ok)
    with ui.dialog() as dialog, ui.card().classes("w-[36rem] max-w-full"):
        ui.label(t(f"fleet.result_{action}", done=done, count=len(results))).classes("text-lg font-medium")
        with ui.column().classes("w-full gap-1 max-h-96 overflow-auto").props('data-testid="bulk-results"'):
            for name, ok, message in results:
                with ui.row().classes("w-full items-center gap-2 no-wrap"):
                    ui.icon("check_circle" if ok else "error", color="positive" if ok else "negative")
                    ui.label(name).classes("font-medium")
                    ui.label(message).classes("is-muted text-sm")
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.close"), on_click=dialog.close).props('data-testid="bulk-results-close"')
    dialog.on("hide", dialog.delete)
    dialog.open()


async def _restart_one(uuid: str) -> Outcome:
    result = await issue_command(uuid, "reboot_host", None)
    return bool(result.get("success")), str(result.get("message") or "")


async def _delete_one(uuid: str) -> Outcome:
    data = await gql.gql(
        "mutation($u: String!) { deleteClient(uuid: $u) { __typename ... on Error { message code } } }", {"u": uuid}
    )
    answer = data["deleteClient"]
    if answer.get("message"):
        return False, str(answer["message"])
    return True, t("common.deleted")
