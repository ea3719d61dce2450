"""The Durchsage in the frame of every page: the red "Durchsage" button for admins (compose with a template,
then confirm) and, while one runs, a red banner with its live receipt count and "Entwarnung".

`frame()` calls `broadcast_header(principal)` inside the header; the banner wraps onto its own line below
the header row. Everything goes through GraphQL in-process (`app/ui/gql.py`, `app/ui/broadcast_models.py`).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.domain.users.tokens import Principal
from app.ui import broadcast_models as bm
from app.ui import gql
from app.ui.actions import run_action
from app.ui.i18n import t


class ComposeDialog:
    """Two steps: compose (template, severity, text, targets, duration) and confirm."""

    def __init__(self) -> None:
        self.groups: list[dict[str, Any]] = []
        self.dialog = ui.dialog().props('data-testid="broadcast-dialog"')
        with self.dialog, ui.card().classes("w-[36rem] max-w-full"):
            self.compose = ui.column().classes("w-full gap-2")
            self.confirm = ui.column().classes("w-full gap-2")
        self._build_compose()

    def _build_compose(self) -> None:
        with self.compose:
            ui.label(t("broadcast.compose_title")).classes("text-lg font-medium")
            options = {k: t(f"broadcast.template.{k}") for k in bm.TEMPLATES}
            self.template = ui.toggle(options, value="evacuation", on_change=self._apply_template)
            self.template.props('data-testid="broadcast-template"')
            severities = {s: t(f"broadcast.severity.{s}") for s in bm.SEVERITIES}
            self.severity = ui.select(severities, value="ALARM", label=t("broadcast.severity")).classes("w-full")
            self.severity.props('data-testid="broadcast-severity"')
            self.title = ui.input(t("broadcast.title")).classes("w-full").props('data-testid="broadcast-title"')
            self.message = ui.textarea(t("broadcast.message")).classes("w-full")
            self.message.props('data-testid="broadcast-message"')
            self.all_groups = ui.checkbox(t("broadcast.all_groups"), value=True)
            self.all_groups.props('data-testid="broadcast-all-groups"')
            self.group_select = ui.select({}, multiple=True, label=t("broadcast.targets")).classes("w-full")
            self.group_select.props("use-chips").bind_visibility_from(self.all_groups, "value", value=False)
            durations = {
                m: t("broadcast.duration.open") if m == 0 else t("broadcast.duration.minutes", n=m)
                for m in bm.DURATIONS
            }
            self.duration = ui.select(durations, value=0, label=t("broadcast.duration")).classes("w-full")
            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=self.dialog.close).props("flat")
                ui.button(t("broadcast.next"), on_click=self._to_confirm).props('data-testid="broadcast-next"')
        self._apply_template()

    def _apply_template(self) -> None:
        title, message = bm.template_text(self.template.value)
        self.title.value, self.message.value = title, message
        self.severity.value = bm.TEMPLATE_SEVERITY[self.template.value]

    async def open(self) -> None:
        if not self.groups:
            data = await run_action(lambda: gql.gql(bm.GROUPS))
            self.groups = list((data or {}).get("groups") or []) if isinstance(data, dict) else []
            self.group_select.options = {g["id"]: g["name"] for g in self.groups}
            self.group_select.update()
        self.compose.set_visibility(True)
        self.confirm.set_visibility(False)
        self.dialog.open()

    def _variables(self) -> dict[str, Any]:
        return {
            "title": self.title.value or None,
            "message": self.message.value or "",
            "severity": self.severity.value,
            "groupIds": None if self.all_groups.value else sorted(self.group_select.value or []),
            "endsAt": bm.ends_at(int(self.duration.value or 0)),
        }

    def _to_confirm(self) -> None:
        variables = self._variables()
        targets = (
            t("broadcast.confirm_all")
            if variables["groupIds"] is None
            else t("broadcast.confirm_groups", n=len(variables["groupIds"]))
        )
        self.confirm.clear()
        with self.confirm:
            ui.label(t("broadcast.confirm_title")).classes("text-lg font-medium")
            with ui.row().classes("items-center gap-2"):
                severity = variables["severity"]
                ui.badge(t(f"broadcast.severity.{severity}"), color=bm.SEVERITY_COLORS[severity])
                ui.label(variables["title"] or t("broadcast.button")).classes("font-medium")
            ui.label(variables["message"]).classes("whitespace-pre-wrap").props('data-testid="broadcast-preview"')
            ui.label(t("broadcast.confirm_text", targets=targets)).classes("is-muted")
            with ui.row().classes("w-full justify-end"):
                ui.button(t("broadcast.back"), on_click=self._back).props("flat")
                ui.button(t("broadcast.send"), icon="campaign", on_click=lambda: self._send(variables)).props(
                    'color=negative data-testid="broadcast-send"'
                )
        self.compose.set_visibility(False)
        self.confirm.set_visibility(True)

    def _back(self) -> None:
        self.compose.set_visibility(True)
        self.confirm.set_visibility(False)

    async def _send(self, variables: dict[str, Any]) -> None:
        if await run_action(lambda: bm.start(variables), success=t("broadcast.started")):
            self.dialog.close()


class Banner:
    """One red row per running broadcast, refreshed on every `broadcastUpdated`."""

    def __init__(self, principal: Principal) -> None:
        self.can_end = principal.has(Role.ADMIN)
        self.box = ui.column().classes("w-full gap-1 order-last").props('data-testid="broadcast-banner" role="alert"')
        self.box.set_visibility(False)

    async def refresh(self, *_: Any) -> None:
        try:
            running = await bm.active()
        except gql.GqlError:
            return
        self.box.clear()
        self.box.set_visibility(bool(running))
        with self.box:
            for b in running:
                self._row(b)

    def _row(self, b: dict[str, Any]) -> None:
        with ui.row().classes("w-full items-center gap-3 px-3 py-2 rounded bg-red-9 text-white no-wrap"):
            ui.icon("campaign", size="sm")
            ui.label(t("broadcast.banner", title=bm.label(b))).classes("font-medium")
            ui.label(
                t("broadcast.banner_count", shown=b["shownCount"], online=bm.online(b), offline=b["offlineCount"])
            ).props('data-testid="broadcast-banner-count"')
            ui.space()
            ui.button(t("broadcast.details"), on_click=lambda i=b["id"]: ui.navigate.to(f"/broadcasts?id={i}")).props(
                "flat dense no-caps color=white"
            )
            if self.can_end:
                ui.button(t("broadcast.all_clear"), icon="check_circle", on_click=lambda i=b["id"]: self._end(i)).props(
                    'color=white text-color=red-10 dense no-caps data-testid="broadcast-all-clear"'
                )

    async def _end(self, broadcast_id: int) -> None:
        if await run_action(lambda: bm.end(broadcast_id), success=t("broadcast.all_clear_done")):
            await self.refresh()


def broadcast_header(principal: Principal) -> None:
    """The Durchsage button (admin+) and the running-broadcast banner, inside the page header."""
    header = ui.context.slot.parent
    header.classes(add="flex-wrap")
    if principal.has(Role.ADMIN):
        compose = ComposeDialog()
        ui.button(t("broadcast.button"), icon="campaign", on_click=compose.open).props(
            'color=negative no-caps unelevated data-testid="broadcast-button"'
        ).classes("font-bold").props(f'aria-label="{t("broadcast.button_aria")}"')
    banner = Banner(principal)
    ui.timer(0.05, banner.refresh, once=True)
    gql.follow(bm.UPDATED, None, banner.refresh, on_live=banner.refresh)
