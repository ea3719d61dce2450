"""`Wartung bis …` on the Alarme page: the running maintenance windows (every display or one group) and a form
to set one (school time) or end one now (`maintenanceWindows`, `setMaintenanceWindow`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nicegui import ui

from app.domain.clock import utcnow
from app.ui import gql
from app.ui.format import fmt_datetime, school_tz
from app.ui.i18n import t
from app.ui.layout import notify_error, run_action

WINDOWS = "{ maintenanceWindows { id groupId until } }"
SET = (
    "mutation($g: Int, $u: DateTime!) { setMaintenanceWindow(groupId: $g, until: $u) { __typename"
    " ... on MaintenanceWindow { id } ... on Error { message code } } }"
)
ALL = -1  # the select's value for "every display"


class MaintenancePanel:
    def __init__(self, groups: dict[int, str]) -> None:
        self.groups = groups
        self.windows: list[dict[str, Any]] = []
        later = (datetime.now(school_tz()) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        self.form: dict[str, Any] = {"group": ALL, "until": later.strftime("%Y-%m-%dT%H:%M")}

    async def load(self) -> None:
        self.windows = (await gql.gql(WINDOWS))["maintenanceWindows"]
        self.content.refresh()

    async def set_until(self, group: int, until: datetime) -> None:
        variables = {"g": None if group == ALL else group, "u": until.isoformat()}
        if await run_action(lambda: self._mutate(variables), success=t("maint.saved")):
            await run_action(self.load)

    async def _mutate(self, variables: dict[str, Any]) -> dict[str, Any]:
        return gql.ok((await gql.gql(SET, variables))["setMaintenanceWindow"])

    async def submit(self) -> None:
        try:
            until = datetime.fromisoformat(str(self.form["until"])).replace(tzinfo=school_tz())
        except ValueError:
            notify_error(t("maint.bad_time"))
            return
        await self.set_until(int(self.form["group"]), until)

    def scope(self, group_id: int | None) -> str:
        return t("maint.everyone") if group_id is None else self.groups.get(group_id, str(group_id))

    def render(self) -> None:
        expansion = ui.expansion(t("maint.title"), icon="construction").classes("w-full")
        with expansion.props('dense data-testid="maintenance"'):
            self.content()

    @ui.refreshable_method
    def content(self) -> None:
        for w in self.windows:
            with ui.row().classes("items-center gap-2").props('data-testid="maintenance-window"'):
                ui.label(t("maint.until", scope=self.scope(w["groupId"]), time=fmt_datetime(w["until"])))
                group = ALL if w["groupId"] is None else w["groupId"]
                ui.button(t("maint.end"), on_click=lambda g=group: self.set_until(g, utcnow())).props(
                    'flat dense data-testid="maintenance-end"'
                )
        if not self.windows:
            ui.label(t("maint.none")).classes("is-muted text-sm")
        with ui.row().classes("items-end gap-2"):
            ui.select({ALL: t("maint.everyone"), **self.groups}, label=t("alarms.group")).bind_value(
                self.form, "group"
            ).classes("w-56").props('data-testid="maintenance-group"')
            ui.input(t("maint.until_label")).bind_value(self.form, "until").props(
                'type=datetime-local stack-label data-testid="maintenance-until"'
            )
            ui.button(t("maint.set"), icon="construction", on_click=self.submit).props(
                'outline data-testid="maintenance-set"'
            )
