"""Monitoring (superadmin): fleet health, crashed displays with a confirmed and followed restart, failed
services with "Quittieren", per-client screenshots and logs.

The display cards come one page at a time (48, `app/ui/fleet_paging.py`) and can be narrowed to a status;
the server filters and pages, so a fleet of thousands costs one page of cards and screenshots. The summary
always counts the whole fleet. The view patches itself live (`view.py`) and keeps the chosen filter and page.
"""

from __future__ import annotations

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.pages.monitoring.logs import HOURS
from app.ui.pages.monitoring.view import MonitoringView
from app.ui.widgets import COMMAND_FIELDS


@protected_page("/monitoring", nav="nav.monitoring", min_role=Role.SUPERADMIN)
async def monitoring_page(ctx: PageContext) -> None:
    with ui.row().classes("w-full items-center"):
        page_heading(t("mon.title"))
        ui.space()
        hours = ui.select(HOURS, value=24, label=t("mon.hours")).classes("w-40").props('data-testid="mon-hours"')
        refresh = ui.button(t("common.refresh"), icon="refresh").props('flat data-testid="mon-refresh"')
    view = MonitoringView()
    hours.on_value_change(lambda e: view.set_hours(e.value))

    async def reload() -> None:
        refresh.props("loading")  # answered at once, the cards follow
        view.image_epoch += 1
        try:
            await run_action(view.load)
        finally:
            refresh.props(remove="loading")

    refresh.on_click(reload)
    await view.load()
    # Only THAT displays changed matters here (the page re-reads its cards): the cheap, coalesced notice.
    # Once registered, each re-reads what it follows: nothing changed during the page's build is missed.
    gql.follow("subscription { fleetChanged(seconds: 1) { count } }", None, view.on_notice, on_live=view.on_notice)
    gql.follow("subscription { clientLogAdded(level: ERROR) { id } }", None, view.on_notice, on_live=view.on_notice)
    gql.follow(
        f"subscription {{ commandUpdated {{ {COMMAND_FIELDS} }} }}",
        None,
        view.restarts.on_command,
        on_live=view.restarts.poll,
    )
    view.start_tick()
