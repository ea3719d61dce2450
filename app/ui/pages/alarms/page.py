"""Alarme (admin+): open alarms first (ACTIVE, then ACKNOWLEDGED), then the history (CLEARED), newest first;
filters by state, group and kind; acknowledge an active alarm with a note; live through `alarmUpdated`.

The words of kinds, reasons and causes come from app.domain.alarms.texts (the same as in the mails).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.alarms.texts import cause_text, kind_text, reasons_text
from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_datetime
from app.ui.i18n import current_language, t
from app.ui.layout import PageContext, page_heading, protected_page, run_action
from app.ui.live_reload import CoalescedReload
from app.ui.pages.alarms.maintenance import MaintenancePanel
from app.ui.pages.alarms.state import KINDS, STATES, AlarmsState

# White text on these has at least 4.5:1 contrast.
STATE_COLOURS = {"ACTIVE": "bg-red-9", "ACKNOWLEDGED": "bg-deep-orange-10", "CLEARED": "bg-green-9"}


def describe(alarm: dict[str, Any], groups: dict[int, str]) -> list[str]:
    """The lines that say what the alarm is about, in the page's language."""
    lang = current_language()
    details = alarm.get("details") or {}
    lines: list[str] = []
    if alarm.get("groupId") is not None:
        lines.append(f"{t('alarms.group')}: {groups.get(alarm['groupId'], alarm['groupId'])}")
    why = reasons_text(details, lang)
    if why:
        lines.append(f"{t('alarms.reasons')}: {why}")
    if "cause" in details:
        lost = t("alarms.lost", lost=details.get("lost"), watched=details.get("watched"))
        lines.append(f"{t('alarms.cause')}: {cause_text(str(details['cause']), lang)} ({lost})")
    if alarm["kind"] == "COMMAND_FAILED":
        lines.append(t("alarms.command", action=details.get("action"), status=details.get("status")))
    if alarm["kind"] == "CONVERSION_FAILED":
        lines.append(t("alarms.conversion", media=details.get("media_id")))
    return lines


def times(alarm: dict[str, Any]) -> str:
    parts = [t("alarms.since", time=fmt_datetime(alarm["firstSeen"]))]
    if alarm["state"] == "CLEARED" and alarm.get("clearedAt"):
        parts.append(t("alarms.cleared_at", time=fmt_datetime(alarm["clearedAt"])))
    else:
        parts.append(t("alarms.last_seen", time=fmt_datetime(alarm["lastSeen"])))
    if alarm.get("acknowledgedAt"):
        parts.append(t("alarms.acknowledged_at", time=fmt_datetime(alarm["acknowledgedAt"])))
    return " · ".join(parts)


class AlarmsPage:
    def __init__(self, state: AlarmsState) -> None:
        self.state = state
        self.live = CoalescedReload(self.reload)
        # Dialogs live here, outside the list that live updates rebuild: an open one is never redrawn.
        self.dialogs = ui.element("div")

    async def reload(self) -> None:
        await self.state.load()
        self.results.refresh()

    async def apply(self) -> None:
        self.state.page = 0
        await run_action(self.reload)

    async def goto(self, page: int) -> None:
        self.state.page = max(0, page)
        await run_action(self.reload)

    def filters(self) -> None:
        f = self.state.filters
        with ui.row().classes("w-full items-end gap-2"):
            states = {None: t("alarms.state_all"), **{s: t(f"alarms.state.{s}") for s in STATES}}
            ui.select(states, label=t("alarms.state"), on_change=self.apply).bind_value(f, "state").props(
                'dense data-testid="alarms-filter-state"'
            ).classes("w-48")
            groups = {None: t("alarms.group_all"), **self.state.groups}
            ui.select(groups, label=t("alarms.group"), on_change=self.apply).bind_value(f, "groupId").props(
                'dense data-testid="alarms-filter-group"'
            ).classes("w-48")
            kinds = {None: t("alarms.kind_all"), **{k: kind_text(k, current_language()) for k in KINDS}}
            ui.select(kinds, label=t("alarms.kind"), on_change=self.apply).bind_value(f, "kind").props(
                'dense data-testid="alarms-filter-kind"'
            ).classes("w-56")
            ui.space()
            ui.button(t("common.refresh"), icon="refresh", on_click=lambda: run_action(self.reload)).props("flat")

    def row(self, alarm: dict[str, Any]) -> None:
        details = alarm.get("details") or {}
        name = details.get("name") or alarm.get("clientUuid") or ""
        card = ui.card().classes("w-full gap-1 py-2")
        card.props(f'data-testid="alarm-row" data-alarm-id="{alarm["id"]}" data-state="{alarm["state"]}"'
                   f' data-kind="{alarm["kind"]}"')  # fmt: skip
        with card, ui.row().classes("w-full items-start gap-3 no-wrap"):
            state = alarm["state"]
            ui.label(t(f"alarms.state.{state}")).classes(
                f"{STATE_COLOURS[state]} text-white rounded px-2 py-0.5 text-sm font-medium"
            ).props('data-testid="alarm-state"')
            with ui.column().classes("gap-0 grow"):
                title = kind_text(alarm["kind"], current_language()) + (f" – {name}" if name else "")
                ui.label(title).classes("font-medium").props('data-testid="alarm-title"')
                for line in describe(alarm, self.state.groups):
                    ui.label(line).classes("text-sm").props('data-testid="alarm-detail"')
                ui.label(times(alarm)).classes("text-sm is-muted")
                if alarm.get("acknowledgedNote"):
                    ui.label(f"{t('alarms.note')}: {alarm['acknowledgedNote']}").classes("text-sm italic").props(
                        'data-testid="alarm-note"'
                    )
            if state == "ACTIVE":
                ui.button(t("alarms.acknowledge"), icon="done", on_click=lambda a=alarm: self.ack_dialog(a)).props(
                    'outline dense data-testid="alarm-ack"'
                )

    def ack_dialog(self, alarm: dict[str, Any]) -> None:
        title = t("alarms.acknowledge_title")
        self.dialogs.clear()
        with (
            self.dialogs,
            ui.dialog().props(f'aria-label="{title}"') as dialog,
            ui.card().classes("w-96 max-w-full"),
        ):
            ui.label(title).classes("text-lg font-medium")
            note = ui.textarea(t("alarms.note"), placeholder=t("alarms.note_hint")).classes("w-full")
            note.props('maxlength=500 counter data-testid="alarm-ack-note"')

            async def save() -> None:
                done = await run_action(
                    lambda: self.state.acknowledge(alarm["id"], note.value or ""), success=t("alarms.acknowledged")
                )
                if done:
                    dialog.close()
                    await run_action(self.reload)

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("alarms.acknowledge"), on_click=save).props('data-testid="alarm-ack-save"')
        dialog.open()

    @ui.refreshable_method
    def results(self) -> None:
        with ui.column().classes("w-full gap-2").props('data-testid="alarm-list"'):
            if not self.state.rows:
                ui.label(t("alarms.empty")).classes("is-muted").props('data-testid="alarms-empty"')
            for alarm in self.state.rows:
                self.row(alarm)
        if self.state.page > 0 or self.state.has_more:
            with ui.row().classes("items-center gap-2"):
                newer = ui.button(
                    t("alarms.previous"), icon="chevron_left", on_click=lambda: self.goto(self.state.page - 1)
                ).props("flat")
                newer.set_enabled(self.state.page > 0)
                ui.label(t("alarms.page", page=self.state.page + 1))
                older = ui.button(
                    t("alarms.next"), icon="chevron_right", on_click=lambda: self.goto(self.state.page + 1)
                ).props("flat")
                older.set_enabled(self.state.has_more)


@protected_page("/alarms", nav="nav.alarms", min_role=Role.ADMIN)
async def alarms_page(ctx: PageContext) -> None:
    state = AlarmsState()
    await state.load_groups()
    await state.load()
    view = AlarmsPage(state)
    page_heading(t("nav.alarms"))
    maintenance = MaintenancePanel(state.groups)
    maintenance.render()
    await maintenance.load()
    view.filters()
    view.results()
    reload = view.live.schedule
    gql.follow("subscription { alarmUpdated { id } }", None, lambda _data: reload(), on_live=reload)
