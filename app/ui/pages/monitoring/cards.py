"""One display's card on Monitoring, built from what it shows so an unchanged card is never rebuilt.

A page holds 48 cards and a filter click builds them all, so a card is a handful of elements: the static
text (header, health, reasons, facts, log counts, latest error) is rendered here as escaped HTML with
Quasar's own classes (`card_head_html`, `card_body_html`, …) instead of ~35 NiceGUI elements; the image
(its source is patched) and the logs button stay real elements. Every value that comes from a display or
a user goes through `html.escape`.

`card_key` is everything the card displays except its age and analysis time; those two are labels of their
own, patched in place on the page's ages clock (`CardSlot.patch`), so a heartbeat that changes nothing else
sends one short text to the browser and replaces no element there.
"""

from __future__ import annotations

import html
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
# A fact line: the muted label in a fixed column, the value beside it (as the NiceGUI rows were).
FACT_ROW = "flex no-wrap items-baseline w-full text-sm gap-2"
FACT_LABEL = "is-muted w-32 shrink-0"


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


# --- the card's HTML (every value escaped) ----------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def badge_html(text: str, color: str, attrs: str = "") -> str:
    """A Quasar badge (`q-badge`, white text on a palette colour) without a Vue component per badge."""
    extra = f" {attrs}" if attrs else ""
    return (
        f'<span class="q-badge flex inline items-center no-wrap q-badge--single-line bg-{_e(color)} text-white"'
        f"{extra}>{_e(text)}</span>"
    )


def fact_row_html(label: str, value: str, testid: str, value_testid: str = "") -> str:
    value_attr = f' data-testid="{_e(value_testid)}"' if value_testid else ""
    return (
        f'<div class="{FACT_ROW}" data-testid="{_e(testid)}"><span class="{FACT_LABEL}">{_e(label)}</span>'
        f'<span class="ellipsis"{value_attr}>{_e(value)}</span></div>'
    )


def card_head_html(client: dict[str, Any]) -> str:
    """Name and health badge (`data-health`), the reasons as visible text (read by keyboard and screen reader
    users alike, no hover needed), then group · IP."""
    status = client["status"]
    uuid = client["uuid"]
    reasons = health_reasons(client, status)
    badge = badge_html(health_label(status), health_color(status), f'data-health="{_e(status)}"')
    parts = [
        '<div class="flex no-wrap items-center w-full gap-2">'
        f'<span class="font-medium ellipsis min-w-0">{_e(client_name(client))}</span>'
        f'<span class="q-space"></span>{badge}</div>'
    ]
    if reasons:
        parts.append(f'<div class="text-xs is-muted" data-testid="mon-reasons-{_e(uuid)}">{_e(reasons)}</div>')
    place = f"{client.get('groupName') or t('dash.no_group')} · {client.get('ip') or '–'}"
    parts.append(f'<div class="is-muted text-xs">{_e(place)}</div>')
    return "".join(parts)


def card_shots_html(client: dict[str, Any]) -> str:
    """The screenshot-type badges ("" when the display sent no screenshot yet)."""
    shots = []
    if client.get("latestScreenshotType"):
        shots.append(badge_html(shot_type_text(client["latestScreenshotType"]), "grey-8"))
    if client.get("hasActivePriorityScreenshot"):
        kind = shot_type_text(client.get("priorityScreenshotType"))
        shots.append(badge_html(t("mon.priority", kind=kind), "accent"))
    return f'<div class="flex gap-1">{"".join(shots)}</div>' if shots else ""


def card_facts_html(client: dict[str, Any]) -> str:
    """The steady fact lines."""
    uuid = client["uuid"]
    rows = [fact_row_html(label, value, f"mon-fact-{testid}-{uuid}") for testid, label, value in facts(client)]
    return f'<div class="flex column gap-2">{"".join(rows)}</div>'


def card_times(client: dict[str, Any]) -> tuple[str, str]:
    """Age and analysis time: what moves with every report, patched as two texts on the ages clock."""
    return fmt_age(client.get("lastAlive")), fmt_datetime(client.get("lastScreenshotAnalyzed"))


def _time_row(label: str, value: str, testid: str, value_testid: str = "") -> ui.label:
    """A fact line whose value is a label of its own: patching its text replaces no element in the browser."""
    with ui.element("div").classes(FACT_ROW).props(f'data-testid="{testid}"'):
        ui.html(_e(label), sanitize=False, tag="span").classes(FACT_LABEL)
        value_label = ui.label(value).classes("ellipsis")
    if value_testid:
        value_label.props(f'data-testid="{value_testid}"')
    return value_label


def card_counts_html(client: dict[str, Any]) -> str:
    counts = client.get("logCounts") or {}
    error, warn = int(counts.get("error") or 0), int(counts.get("warn") or 0)
    return (
        f'<div class="flex items-center gap-2">{badge_html(f"ERROR {error}", "negative" if error else "grey-8")}'
        f"{badge_html(f'WARN {warn}', 'warning' if warn else 'grey-8')}</div>"
    )


def card_error_html(client: dict[str, Any]) -> str:
    message = (client.get("latestError") or {}).get("message") or ""
    return f'<div class="text-xs text-negative ellipsis-2-lines">{_e(message)}</div>' if message else ""


class CardSlot:
    """One display's card: its inside rebuilt when its key changes (a handful of elements), its age and
    analysis time patched otherwise. The card element itself stays for the slot's life; a card the page no
    longer shows (another filter or page) can be kept hidden and shown again without building anything."""

    def __init__(self, on_logs: Callable[[dict[str, Any]], None], epoch: Callable[[], int], uuid: str) -> None:
        self.on_logs = on_logs
        self.epoch = epoch
        self.uuid = uuid
        self.card = ui.card().classes("gap-2").props(f'data-testid="mon-client-{uuid}"')
        self.section = PatchedSection(self.card)
        self.times: tuple[ui.label, ui.label] | None = None
        self.image: ui.image | None = None
        self.client: dict[str, Any] = {}
        self.visible = True

    def patch(self, client: dict[str, Any], *, ages: bool = True) -> None:
        """`ages=False`: only what the admin would notice; the age and analysis time move on the page's ages
        clock (they change with every report, every 5 s, and would make every reload a redraw)."""
        if not self.visible:  # shown again: its times are as old as its hiding
            self.card.props(f'data-testid="mon-client-{self.uuid}"')
            self.card.set_visibility(True)
            self.visible, ages = True, True
        self.client = client
        built = self.section.show(card_key(client), lambda: self._build(client))
        if self.image is not None:
            self.image.set_source(screenshot_src(client, self.epoch()))
        if ages and not built and self.times is not None:
            for label, text in zip(self.times, card_times(client), strict=True):
                label.text = text  # sent only when the text changed

    def hide(self) -> None:
        """Off the page but kept: hidden, and without its test id (it is no card of the page)."""
        self.visible = False
        self.card.set_visibility(False)
        self.card.props(remove="data-testid")

    def _build(self, client: dict[str, Any]) -> None:
        name = client_name(client)
        ui.html(card_head_html(client), sanitize=False).classes("w-full")
        self.image = (
            ui.image(screenshot_src(client, self.epoch()))
            .classes("w-full rounded bg-grey-3")
            .props("ratio=1.7778 no-spinner no-transition fit=contain")
        )
        self.image.props["alt"] = t("mon.screenshot_of", name=name)  # a prop value, not parsed: any name is safe
        shots = card_shots_html(client)
        if shots:
            ui.html(shots, sanitize=False)
        age, analysis = card_times(client)
        uuid = client["uuid"]
        age_label = _time_row(t("dash.last_alive"), age, f"mon-last-alive-{uuid}", f"mon-age-{uuid}")
        ui.html(card_facts_html(client), sanitize=False).classes("w-full")
        self.times = (age_label, _time_row(t("mon.last_analysis"), analysis, f"mon-fact-analysis-{uuid}"))
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.html(card_counts_html(client), sanitize=False)
            ui.button(t("mon.logs"), icon="list", on_click=lambda: self.on_logs(self.client)).props(
                f'flat dense size=sm data-testid="logs-{client["uuid"]}"'
            ).classes("ml-auto")
        error = card_error_html(client)
        if error:
            ui.html(error, sanitize=False).classes("w-full")
