"""The two problem panels above the cards: crashed / unreachable displays (restart) and failed services
(acknowledge). Each is rebuilt only when what it lists changed (`panel_key`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.format import fmt_age, fmt_datetime
from app.ui.i18n import t
from app.ui.pages.monitoring.cards import process_text
from app.ui.widgets import client_name

PANEL_PREVIEW = 8


def _client_label(client: dict[str, Any]) -> None:
    with ui.column().classes("gap-0 min-w-0"):
        ui.label(client_name(client)).classes("font-medium ellipsis")
        ui.label(client.get("ip") or "–").classes("is-muted text-xs")


def crash_reason_text(reason: str) -> str:
    return t("mon.process_crashed") if reason == "PROCESS_CRASHED" else t("mon.heartbeat_stale")


def crashed_key(crashed: list[dict[str, Any]], expanded: bool, running: set[str]) -> tuple[Any, ...]:
    return (
        expanded,
        tuple(
            (
                item["crashReason"],
                item["client"]["uuid"],
                client_name(item["client"]),
                item["client"].get("processStatus"),
                item["client"].get("isAlive"),
                (item["client"].get("group") or {}).get("name"),
                item["client"]["uuid"] in running,
            )
            for item in crashed
        ),
    )


def crashed_panel(
    crashed: list[dict[str, Any]],
    *,
    expanded: bool,
    running: set[str],
    on_restart: Callable[[dict[str, Any], str], None],
    on_toggle: Callable[[], None],
    ages: dict[str, ui.label],
) -> None:
    """The rows' age labels go into `ages` (patched in place by the view, never a rebuild)."""
    ages.clear()
    if not crashed:
        return
    with ui.card().classes("w-full border-l-4 border-red-700 gap-2").props('data-testid="crashed-panel"'):
        with ui.row().classes("items-center gap-2"):
            ui.icon("error", color="negative")
            ui.label(t("mon.crashed")).classes("text-lg font-medium text-red-9")
            ui.badge(str(len(crashed)), color="negative")
        for item in crashed if expanded else crashed[:PANEL_PREVIEW]:
            client = item["client"]
            reason = item["crashReason"]
            with ui.row().classes("w-full items-center gap-3 no-wrap max-md:flex-wrap"):
                with ui.element("div").classes("w-56"):
                    _client_label(client)
                ui.label((client.get("group") or {}).get("name") or t("dash.no_group")).classes("w-40")
                ui.badge(crash_reason_text(reason), color="negative" if reason == "PROCESS_CRASHED" else "accent")
                ui.label(process_text(client.get("processStatus"))).classes("w-24 text-sm")
                ages[client["uuid"]] = ui.label(fmt_age(client.get("lastAlive"))).classes("w-28 text-sm is-muted")
                ui.space()
                uuid = client["uuid"]
                if uuid in running:
                    ui.button(t("mon.restart_running"), icon="hourglass_top").props(
                        f'outline disable size=sm data-testid="crash-restart-{uuid}"'
                    )
                else:
                    ui.button(
                        t("client.restart"), icon="restart_alt", on_click=lambda c=client, r=reason: on_restart(c, r)
                    ).props(f'outline color=negative size=sm data-testid="crash-restart-{uuid}"')
        _more_toggle("crashed", len(crashed), expanded, on_toggle)


def service_failed_key(failed: list[dict[str, Any]], expanded: bool) -> tuple[Any, ...]:
    return (
        expanded,
        tuple(
            (
                c["uuid"],
                client_name(c),
                c.get("serviceFailedUnit"),
                c.get("serviceFailedAt"),
                (c.get("group") or {}).get("name"),
            )
            for c in failed
        ),
    )


def service_failed_panel(
    failed: list[dict[str, Any]],
    *,
    expanded: bool,
    on_toggle: Callable[[], None],
    reload: Callable[[], Awaitable[None]],
    ages: dict[str, ui.label],
) -> None:
    ages.clear()
    if not failed:
        return
    with ui.card().classes("w-full border-l-4 border-orange-600 gap-2").props('data-testid="service-failed-panel"'):
        with ui.row().classes("items-center gap-2"):
            ui.icon("report", color="orange-10")
            ui.label(t("mon.service_failed")).classes("text-lg font-medium text-orange-10")
            ui.badge(str(len(failed)), color="accent")
        ui.label(t("mon.service_failed_hint")).classes("text-sm is-muted")
        for client in failed if expanded else failed[:PANEL_PREVIEW]:
            with ui.row().classes("w-full items-center gap-3 no-wrap max-md:flex-wrap"):
                with ui.element("div").classes("w-56"):
                    _client_label(client)
                ui.label((client.get("group") or {}).get("name") or t("dash.no_group")).classes("w-40")
                ui.label(client.get("serviceFailedUnit") or "–").classes("w-56 text-sm break-all")
                ui.label(fmt_datetime(client.get("serviceFailedAt"))).classes("w-36 text-sm")
                ages[client["uuid"]] = ui.label(fmt_age(client.get("lastAlive"))).classes("w-28 text-sm is-muted")
                ui.space()
                _acknowledge_button(client["uuid"], reload)
        _more_toggle("service-failed", len(failed), expanded, on_toggle)


def patch_ages(ages: dict[str, ui.label], clients: list[dict[str, Any]]) -> None:
    for client in clients:
        label = ages.get(client["uuid"])
        if label is not None:
            label.text = fmt_age(client.get("lastAlive"))


def _more_toggle(panel: str, total: int, expanded: bool, on_toggle: Callable[[], None]) -> None:
    if total <= PANEL_PREVIEW:
        return
    label = t("mon.show_fewer") if expanded else t("mon.show_all_rows", n=total)
    ui.button(label, icon="expand_less" if expanded else "expand_more", on_click=on_toggle).props(
        f'flat dense size=sm data-testid="{panel}-more"'
    )


def _acknowledge_button(uuid: str, reload: Callable[[], Awaitable[None]]) -> None:
    button = ui.button(t("mon.acknowledge"), icon="task_alt").props(
        f'outline color=orange-10 size=sm data-testid="acknowledge-{uuid}"'
    )

    async def acknowledge() -> None:
        button.disable()
        button.text = t("mon.acknowledging")
        try:
            data = await gql.gql(
                "mutation($u: String!) { clearServiceFailed(uuid: $u) { __typename "
                "... on Client { uuid } ... on Error { message code } } }",
                {"u": uuid},
            )
            gql.ok(data["clearServiceFailed"])
        except gql.GqlError as exc:
            button.text = t("mon.failed")
            button.tooltip(exc.message)
            button.enable()
            return
        button.text = t("mon.acknowledged")
        await asyncio.sleep(1)
        await reload()

    button.on_click(acknowledge)
