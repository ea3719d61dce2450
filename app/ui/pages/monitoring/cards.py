"""One display's card on Monitoring, built from what it shows so an unchanged card is never rebuilt.

`card_key` is everything the card displays except its age; the age label is patched in place on every
reload and tick (`CardSlot.patch`), so a heartbeat that changes nothing else sends one text to the browser.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.ui.format import fmt_age, fmt_datetime
from app.ui.i18n import t
from app.ui.live_reload import PatchedSection
from app.ui.widgets import client_name, health_color, health_label, health_reasons

SCREENSHOT_REFRESH_SECONDS = 300
SCREEN_STATUS = {
    "OK": "mon.screen_ok",
    "BLACK": "mon.screen_black",
    "FROZEN": "mon.screen_frozen",
    "UNKNOWN": "mon.screen_unknown",
}


PROCESS_STATUS = {
    "RUNNING": "mon.process_running",
    "CRASHED": "mon.process_crashed_short",
    "STARTING": "mon.process_starting",
    "STOPPED": "mon.process_stopped",
}
SHOT_TYPE = {
    "PERIODIC": "mon.shot_periodic",
    "EVENT_START": "mon.shot_event_start",
    "EVENT_STOP": "mon.shot_event_stop",
}


def process_text(status: object) -> str:
    key = PROCESS_STATUS.get(str(status or "").upper())
    return t(key) if key else str(status or "–")


def shot_type_text(kind: object) -> str:
    key = SHOT_TYPE.get(str(kind or "").upper())
    return t(key) if key else str(kind or "").lower()


def screenshot_src(client: dict[str, Any], epoch: int = 0, now: float | None = None) -> str:
    """The card's image: a priority screenshot by its arrival; the latest one re-fetched every 5 minutes and
    on the page's refresh button (`epoch`).

    (`lastScreenshotAnalyzed` is the display's last frame time and moves with every health message, every
    5 s: using it would reload every image on every report.)"""
    if client.get("hasActivePriorityScreenshot"):
        return f"/screenshots/{client['uuid']}/priority?v={client.get('priorityScreenshotReceivedAt') or ''}"
    bucket = int((time.time() if now is None else now) // SCREENSHOT_REFRESH_SECONDS)
    return f"{client['latestScreenshotUrl']}?v={bucket}-{epoch}"


def facts(client: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(testid, label, value) of the card's steady fact lines (seed-spec §10); age and analysis are patched."""
    screen = str(client.get("screenHealthStatus") or "UNKNOWN")
    process = f"{process_text(client.get('processStatus'))} {client.get('currentProcess') or ''}".strip()
    rows = [
        ("process", t("mon.process_status"), process),
        ("screen", t("mon.screen_status"), t(SCREEN_STATUS[screen]) if screen in SCREEN_STATUS else screen),
        ("reconnects", t("mon.reconnects"), str(client.get("mqttReconnectCount") or 0)),
        ("disconnect", t("mon.last_disconnect"), fmt_datetime(client.get("mqttLastDisconnectAt"))),
    ]
    return rows


def card_key(client: dict[str, Any]) -> tuple[Any, ...]:
    status = client["status"]
    latest = (client.get("latestError") or {}).get("message") or ""
    counts = client.get("logCounts") or {}
    return (
        client_name(client),
        client.get("groupName"),
        client.get("ip"),
        status,
        health_reasons(client, status),
        client.get("hasActivePriorityScreenshot"),
        client.get("priorityScreenshotReceivedAt"),
        client.get("latestScreenshotType"),
        client.get("priorityScreenshotType") if client.get("hasActivePriorityScreenshot") else None,
        tuple(facts(client)),
        counts.get("error"),
        counts.get("warn"),
        latest,
    )


class CardSlot:
    """The place of one card in the grid: rebuilt when its key changes, its age patched otherwise."""

    def __init__(self, on_logs: Callable[[dict[str, Any]], None], epoch: Callable[[], int]) -> None:
        self.on_logs = on_logs
        self.epoch = epoch
        self.section = PatchedSection(ui.element("div").classes("contents"))
        self.age: ui.label | None = None
        self.analysis: ui.label | None = None
        self.image: ui.image | None = None
        self.client: dict[str, Any] = {}

    def patch(self, client: dict[str, Any], *, ages: bool = True) -> None:
        """`ages=False`: only what the admin would notice; the age and analysis time move on the page's ages
        clock (they change with every report, every 5 s, and would make every reload a redraw)."""
        self.client = client
        self.section.show(card_key(client), lambda: self._build(client))
        if self.image is not None:
            self.image.set_source(screenshot_src(client, self.epoch()))
        if not ages:
            return
        # What moves with every report is patched in place: the age, the analysis time.
        if self.age is not None:
            self.age.text = fmt_age(client.get("lastAlive"))
        if self.analysis is not None:
            self.analysis.text = fmt_datetime(client.get("lastScreenshotAnalyzed"))

    def _build(self, client: dict[str, Any]) -> None:
        status = client["status"]
        uuid = client["uuid"]
        name = client_name(client)
        with ui.card().classes("gap-2").props(f'data-testid="mon-client-{uuid}"'):
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label(name).classes("font-medium ellipsis")
                ui.space()
                badge = ui.badge(health_label(status), color=health_color(status)).props(f'data-health="{status}"')
                reasons = health_reasons(client, status)
                if reasons:
                    badge.tooltip(reasons)
            ui.label(f"{client.get('groupName') or t('dash.no_group')} · {client.get('ip') or '–'}").classes(
                "is-muted text-xs"
            )
            self.image = (
                ui.image(screenshot_src(client, self.epoch()))
                .classes("w-full rounded bg-grey-3")
                .props(f'ratio=1.7778 no-spinner fit=contain alt="{t("mon.screenshot_of", name=name)}"')
            )
            with ui.row().classes("gap-1"):
                if client.get("latestScreenshotType"):
                    ui.badge(shot_type_text(client["latestScreenshotType"]), color="grey-8")
                if client.get("hasActivePriorityScreenshot"):
                    kind = shot_type_text(client.get("priorityScreenshotType"))
                    ui.badge(t("mon.priority", kind=kind), color="accent")
            with ui.row().classes("w-full no-wrap text-sm gap-2"):
                ui.label(t("dash.last_alive")).classes("is-muted w-32 shrink-0")
                self.age = ui.label(fmt_age(client.get("lastAlive"))).props(f'data-testid="mon-age-{uuid}"')
            for testid, label, value in facts(client):
                with ui.row().classes("w-full no-wrap text-sm gap-2").props(f'data-testid="mon-fact-{testid}-{uuid}"'):
                    ui.label(label).classes("is-muted w-32 shrink-0")
                    ui.label(value).classes("ellipsis")
            with ui.row().classes("w-full no-wrap text-sm gap-2").props(f'data-testid="mon-fact-analysis-{uuid}"'):
                ui.label(t("mon.last_analysis")).classes("is-muted w-32 shrink-0")
                self.analysis = ui.label(fmt_datetime(client.get("lastScreenshotAnalyzed"))).classes("ellipsis")
            counts = client["logCounts"]
            with ui.row().classes("w-full items-center gap-2"):
                ui.badge(f"ERROR {counts['error']}", color="negative" if counts["error"] else "grey-8")
                ui.badge(f"WARN {counts['warn']}", color="warning" if counts["warn"] else "grey-8")
                ui.space()
                ui.button(t("mon.logs"), icon="list", on_click=lambda: self.on_logs(self.client)).props(
                    f'flat dense size=sm data-testid="logs-{uuid}"'
                )
            if client.get("latestError"):
                ui.label(client["latestError"]["message"]).classes("text-xs text-negative ellipsis-2-lines")
