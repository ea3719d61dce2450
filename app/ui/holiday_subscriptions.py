"""Einstellungen → Kalender → Ferien-Abos: holiday subscriptions with their status, add (URL + period),
refresh now and delete. Talks to GraphQL like every page (`holidaySubscriptions`, `createHolidaySubscription`,
`refreshHolidaySubscription`, `deleteHolidaySubscription`); admins only, as the API is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.messages import translate_stored
from app.ui import gql
from app.ui.actions import closed
from app.ui.format import fmt_datetime
from app.ui.i18n import current_language, t
from app.ui.layout import notify_error, run_action

SUBSCRIPTION_FIELDS = (
    "id academicPeriodId url lastStatus lastHttpStatus lastError lastAttemptAt lastSuccessAt holidayCount "
    "lastSummary { inserted skipped refused conflicts }"
)
_RESULT = f"{{ __typename ... on HolidaySubscription {{ {SUBSCRIPTION_FIELDS} }} ... on Error {{ message code }} }}"
_STATUS_COLORS = {"ok": "positive", "unchanged": "blue-grey-8", "error": "negative"}


class SubscriptionsPanel:
    def __init__(self, on_change: Callable[[], Awaitable[Any]] | None = None) -> None:
        self.on_change = on_change
        self.periods: dict[int, str] = {}
        self.active_period: int | None = None
        self.rows: list[dict[str, Any]] = []

    async def load(self) -> None:
        data = await gql.gql(
            f"query {{ academicPeriods {{ id name displayName }} activeAcademicPeriod {{ id }} "
            f"holidaySubscriptions {{ {SUBSCRIPTION_FIELDS} }} }}"
        )
        self.periods = {p["id"]: p.get("displayName") or p["name"] for p in data["academicPeriods"]}
        active = data.get("activeAcademicPeriod")
        self.active_period = active["id"] if active else next(iter(self.periods), None)
        self.rows = data["holidaySubscriptions"]
        self.render.refresh()

    async def _changed(self) -> None:
        await self.load()
        if self.on_change is not None:
            await self.on_change()

    async def _mutate(self, query: str, variables: dict[str, Any], name: str) -> dict[str, Any] | None:
        async def run() -> dict[str, Any]:
            return gql.ok((await gql.gql(query, variables))[name])

        return await run_action(run)  # type: ignore[no-any-return]

    async def add(self, url: str, period_id: int | None) -> None:
        if not url.strip() or period_id is None:
            notify_error(t("ical.sub_need_url"))
            return
        result = await self._mutate(
            f"mutation($u: String!, $p: Int!) {{ createHolidaySubscription(url: $u, academicPeriodId: $p) {_RESULT} }}",
            {"u": url.strip(), "p": period_id},
            "createHolidaySubscription",
        )
        if result is not None:
            self._notify_status(result)
            self.url_input.set_value("")
            await self._changed()

    async def refresh_now(self, row: dict[str, Any]) -> None:
        result = await self._mutate(
            f"mutation($id: Int!) {{ refreshHolidaySubscription(id: $id) {_RESULT} }}",
            {"id": row["id"]},
            "refreshHolidaySubscription",
        )
        if result is not None:
            self._notify_status(result)
            await self._changed()

    async def delete(self, row: dict[str, Any]) -> None:
        result = await self._mutate(
            "mutation($id: Int!) { deleteHolidaySubscription(id: $id) { __typename "
            "... on HolidaySubscriptionDeleted { id } ... on Error { message code } } }",
            {"id": row["id"]},
            "deleteHolidaySubscription",
        )
        if result is not None:
            ui.notify(t("common.deleted"), type="positive", position="top")
            await self._changed()

    def _notify_status(self, row: dict[str, Any]) -> None:
        if row.get("lastStatus") == "error":
            notify_error(t("ical.sub_failed", error=translate_stored(row.get("lastError"), current_language())))
        else:
            ui.notify(t("ical.sub_ok", count=row.get("holidayCount", 0)), type="positive", position="top")

    def _confirm_delete(self, row: dict[str, Any]) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("ical.sub_delete_confirm", count=row.get("holidayCount", 0))).classes("text-base")

            async def yes() -> None:
                with closed(dialog):
                    await self.delete(row)

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("common.delete"), on_click=yes, color="negative").props('data-testid="sub-delete-yes"')
        dialog.on("hide", dialog.delete)
        dialog.open()

    def build(self) -> None:
        ui.label(t("ical.sub_help")).classes("is-muted text-sm")
        with ui.row().classes("w-full items-end gap-2 no-wrap max-md:flex-wrap"):
            self.url_input = (
                ui.input(t("ical.sub_url"), placeholder="https://… / webcal://…")
                .classes("flex-1 min-w-[16rem]")
                .props('data-testid="sub-url"')
            )
            period = (
                ui.select(self.periods, value=self.active_period, label=t("holiday.select_period"))
                .classes("w-56")
                .props('data-testid="sub-period"')
            )
            ui.button(
                t("ical.sub_add"), icon="add_link", on_click=lambda: self.add(self.url_input.value or "", period.value)
            ).props('data-testid="sub-add"')
        self.period_select = period
        self.render()

    def _status(self, row: dict[str, Any]) -> None:
        status = row.get("lastStatus") or "new"
        label = t(f"ical.sub_status.{status}")
        if status == "error" and row.get("lastHttpStatus"):
            label += f" (HTTP {row['lastHttpStatus']})"
        ui.badge(label, color=_STATUS_COLORS.get(status, "grey-8")).props(f'data-testid="sub-status-{row["id"]}"')

    @ui.refreshable_method
    def render(self) -> None:
        if hasattr(self, "period_select"):
            self.period_select.set_options(self.periods, value=self.period_select.value or self.active_period)
        if not self.rows:
            ui.label(t("ical.sub_none")).classes("is-muted")
            return
        with ui.list().props("bordered separator").classes("w-full rounded-borders"):
            for row in self.rows:
                with ui.item().props(f'data-testid="sub-{row["id"]}"'):
                    with ui.item_section():
                        with ui.row().classes("items-center gap-2"):
                            self._status(row)
                            ui.label(row["url"]).classes("font-mono text-sm break-all")
                        period = self.periods.get(row["academicPeriodId"], str(row["academicPeriodId"]))
                        success = fmt_datetime(row["lastSuccessAt"]) if row.get("lastSuccessAt") else "–"
                        attempt = fmt_datetime(row["lastAttemptAt"]) if row.get("lastAttemptAt") else "–"
                        ui.label(
                            t("ical.sub_line", period=period, count=row["holidayCount"], success=success,
                              attempt=attempt)
                        ).classes("is-muted text-sm")  # fmt: skip
                        summary = row.get("lastSummary") or {}
                        if summary.get("refused"):
                            ui.label(t("ical.sub_refused", count=summary["refused"])).classes("text-sm")
                        if row.get("lastError"):
                            error = translate_stored(row["lastError"], current_language())
                            ui.label(error).classes("text-sm text-negative").props(
                                f'data-testid="sub-error-{row["id"]}"'
                            )
                    with ui.item_section().props("side"), ui.row().classes("gap-0"):
                        ui.button(icon="refresh", on_click=lambda r=row: self.refresh_now(r)).props(
                            f'flat dense round size=sm data-testid="sub-refresh-{row["id"]}"'
                        ).tooltip(t("ical.sub_refresh"))
                        ui.button(icon="delete", on_click=lambda r=row: self._confirm_delete(r)).props(
                            f'flat dense round size=sm color=negative data-testid="sub-delete-{row["id"]}"'
                        )
