"""Einstellungen: academic periods (lifecycle with blockers), holidays (import and manual), holiday feeds
(iCalendar subscriptions), event defaults, the supplement table and the raw system settings; each tab shown
only to the roles that may use it.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.actions import closed
from app.ui.alarm_settings import alarm_settings_panel
from app.ui.format import fmt_date
from app.ui.holiday_subscriptions import SubscriptionsPanel
from app.ui.i18n import TEXTS, t
from app.ui.layout import PageContext, notify_error, notify_ok, page_heading, protected_page, run_action
from app.ui.uploads import UploadedFile

PERIOD_FIELDS = "id name displayName startDate endDate periodType isActive isArchived archivedAt"
HOLIDAY_FIELDS = "id academicPeriodId name region startDate endDate sourceFileName subscriptionId"
PERIOD_TYPES = {"SCHULJAHR": "Schuljahr", "SEMESTER": "Semester", "TRIMESTER": "Trimester"}
_PERIOD_RESULT = f"{{ __typename ... on AcademicPeriod {{ {PERIOD_FIELDS} }} ... on Error {{ message code }} ... on BlockedError {{ blockers }} }}"  # noqa: E501
_HOLIDAY_RESULT = f"{{ __typename ... on SchoolHoliday {{ {HOLIDAY_FIELDS} }} ... on Error {{ message code }} }}"


async def _mutate(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


def _date_input(label: str, value: str = "") -> ui.input:
    field = ui.input(label, value=value).classes("w-full").props("mask='####-##-##' placeholder=JJJJ-MM-TT")
    with field.add_slot("append"), ui.icon("event").classes("cursor-pointer") as icon:
        with ui.menu() as menu:
            ui.date(mask="YYYY-MM-DD").bind_value(field).on_value_change(menu.close)
        icon.on("click", menu.open)
    return field


def _buttons(dialog: ui.dialog, on_save: Any, label: str | None = None) -> None:
    with ui.row().classes("w-full justify-end"):
        ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
        ui.button(label or t("common.save"), on_click=on_save).props('data-testid="settings-dialog-save"')


# --- academic periods --------------------------------------------------------------------------------
class PeriodsTab:
    def __init__(self, can_edit: bool) -> None:
        self.can_edit = can_edit
        self.show_archived = False
        self.periods: list[dict[str, Any]] = []

    async def load(self) -> None:
        data = await gql.gql(
            f"query($a: Boolean!) {{ academicPeriods(includeArchived: $a) {{ {PERIOD_FIELDS} }} }}",
            {"a": self.show_archived},
        )
        self.periods = sorted(data["academicPeriods"], key=lambda p: p["startDate"])
        self.render.refresh()

    async def _act(self, mutation: str, period: dict[str, Any], success: str) -> None:
        result = await run_action(
            lambda: _mutate(
                f"mutation($id: Int!) {{ {mutation}(id: $id) {_PERIOD_RESULT} }}", {"id": period["id"]}, mutation
            ),
            success=success,
        )
        if result:
            await self.load()

    async def _preflight(self, period: dict[str, Any], kind: str) -> None:
        """Show the exact blockers before archiving/deleting; offer the action only when nothing blocks."""
        usage = (
            await gql.gql(
                "query($id: Int!) { academicPeriodUsage(id: $id) { linkedEvents linkedMedia linkedHolidays "
                "activeRecurrences archiveBlockers deleteBlockers canArchive canDelete } }",
                {"id": period["id"]},
            )
        )["academicPeriodUsage"]
        blockers = usage["archiveBlockers"] if kind == "archive" else usage["deleteBlockers"]
        allowed = usage["canArchive"] if kind == "archive" else usage["canDelete"]
        with ui.dialog() as dialog, ui.card().classes("w-[28rem] max-w-full"):
            title = t("period.archive") if kind == "archive" else t("common.delete")
            ui.label(f"{title}: {period['name']}").classes("text-lg font-medium")
            ui.label(
                f"Termine: {usage['linkedEvents']} · Medien: {usage['linkedMedia']} · "
                f"Ferien: {usage['linkedHolidays']} · Serien: {usage['activeRecurrences']}"
            ).classes("is-muted text-sm")
            if blockers:
                ui.label(t("period.blockers")).classes("font-medium text-negative")
                for blocker in blockers:
                    ui.label(f"• {blocker}").classes("text-sm").props('data-testid="period-blocker"')

            async def go() -> None:
                dialog.close()
                mutation = "archiveAcademicPeriod" if kind == "archive" else "deleteAcademicPeriod"
                if kind == "delete":
                    result = await run_action(
                        lambda: _mutate(
                            "mutation($id: Int!) { deleteAcademicPeriod(id: $id) { __typename "
                            "... on AcademicPeriodDeleted { id } ... on Error { message code } "
                            "... on BlockedError { blockers } } }",
                            {"id": period["id"]},
                            mutation,
                        ),
                        success=t("common.deleted"),
                    )
                    if result:
                        await self.load()
                else:
                    await self._act(mutation, period, t("common.saved"))

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                confirm = ui.button(title, on_click=go, color="negative")
                confirm.set_enabled(bool(allowed))
        dialog.on("hide", dialog.delete)
        dialog.open()

    def edit_dialog(self, period: dict[str, Any] | None) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("common.edit") if period else t("period.new")).classes("text-lg font-medium")
            name = ui.input(t("period.name"), value=(period or {}).get("name", "")).classes("w-full")
            name.props('data-testid="period-name"')
            display = ui.input(t("period.display_name"), value=(period or {}).get("displayName") or "").classes(
                "w-full"
            )
            start = _date_input(t("period.start"), (period or {}).get("startDate", ""))
            end = _date_input(t("period.end"), (period or {}).get("endDate", ""))
            # End follows start: an end before the start is corrected rather than rejected later.
            start.on_value_change(lambda e: end.set_value(e.value) if e.value and (end.value or "") < e.value else None)
            kind = ui.select(PERIOD_TYPES, value=(period or {}).get("periodType", "SCHULJAHR"), label=t("period.type"))
            kind.classes("w-full")

            async def save() -> None:
                values = {
                    "name": (name.value or "").strip(),
                    "displayName": (display.value or "").strip() or None,
                    "startDate": start.value,
                    "endDate": end.value,
                    "periodType": kind.value,
                }
                if period:
                    query = f"mutation($id: Int!, $i: AcademicPeriodInput!) {{ updateAcademicPeriod(id: $id, input: $i) {_PERIOD_RESULT} }}"  # noqa: E501
                    variables: dict[str, Any] = {"id": period["id"], "i": values}
                    mutation = "updateAcademicPeriod"
                else:
                    query = f"mutation($i: AcademicPeriodInput!) {{ createAcademicPeriod(input: $i) {_PERIOD_RESULT} }}"
                    variables = {"i": values}
                    mutation = "createAcademicPeriod"
                if await run_action(lambda: _mutate(query, variables, mutation), success=t("common.saved")):
                    with closed(dialog):
                        await self.load()

            _buttons(dialog, save)
        dialog.on("hide", dialog.delete)
        dialog.open()

    def _toggle_archived(self, value: bool) -> None:
        self.show_archived = value
        ui.timer(0.01, lambda: run_action(self.load), once=True)

    def build(self) -> None:
        with ui.row().classes("w-full items-center"):
            ui.switch(
                t("period.show_archived"), value=self.show_archived, on_change=lambda e: self._toggle_archived(e.value)
            )
            ui.space()
            if self.can_edit:
                ui.button(t("period.new"), icon="add", on_click=lambda: self.edit_dialog(None)).props(
                    'data-testid="period-new"'
                )
        self.render()

    @ui.refreshable_method
    def render(self) -> None:
        if not self.periods:
            ui.label(t("common.empty")).classes("is-muted")
        with ui.list().props("bordered separator").classes("w-full rounded-borders"):
            for period in self.periods:
                with ui.item().props(f'data-testid="period-{period["id"]}"'), ui.item_section():
                    with ui.row().classes("items-center gap-2"):
                        ui.label(period.get("displayName") or period["name"]).classes("font-medium")
                        if period["isActive"]:
                            ui.badge(t("period.active"), color="positive")
                        elif period["isArchived"]:
                            ui.badge(t("period.archived"), color="grey-7")
                        else:
                            ui.badge(t("period.inactive"), color="grey-8")
                        ui.label(PERIOD_TYPES.get(period["periodType"], period["periodType"])).classes(
                            "is-muted text-sm"
                        )
                    ui.label(
                        f"{period['name']} · {fmt_date(period['startDate'])} – {fmt_date(period['endDate'])}"
                    ).classes("is-muted text-sm")
                    if self.can_edit:
                        self._actions(period)

    def _actions(self, period: dict[str, Any]) -> None:
        with ui.row().classes("gap-1"):
            if period["isArchived"]:
                ui.button(
                    t("period.restore"),
                    on_click=lambda p=period: self._act("restoreAcademicPeriod", p, t("common.saved")),
                ).props("flat dense size=sm")
                ui.button(t("common.delete"), on_click=lambda p=period: self._preflight(p, "delete")).props(
                    "flat dense size=sm color=negative"
                )
                return
            ui.button(t("common.edit"), on_click=lambda p=period: self.edit_dialog(p)).props("flat dense size=sm")
            if not period["isActive"]:
                ui.button(
                    t("period.activate"),
                    on_click=lambda p=period: self._act("activateAcademicPeriod", p, t("common.saved")),
                ).props(f'flat dense size=sm data-testid="period-activate-{period["id"]}"')
            ui.button(t("period.archive"), on_click=lambda p=period: self._preflight(p, "archive")).props(
                f'flat dense size=sm data-testid="period-archive-{period["id"]}"'
            )


# --- holidays ----------------------------------------------------------------------------------------
class HolidaysTab:
    def __init__(self, can_edit: bool) -> None:
        self.can_edit = can_edit
        self.periods: dict[int, dict[str, Any]] = {}
        self.period_id: int | None = None
        self.holidays: list[dict[str, Any]] = []
        self.summary: dict[str, Any] | None = None

    async def load_periods(self) -> None:
        data = await gql.gql(f"query {{ academicPeriods {{ {PERIOD_FIELDS} }} activeAcademicPeriod {{ id }} }}")
        self.periods = {p["id"]: p for p in data["academicPeriods"]}
        active = data.get("activeAcademicPeriod")
        if self.period_id not in self.periods:
            self.period_id = active["id"] if active else next(iter(self.periods), None)

    async def load(self) -> None:
        if self.period_id is None:
            self.holidays = []
        else:
            data = await gql.gql(
                f"query($p: Int) {{ holidays(academicPeriodId: $p) {{ {HOLIDAY_FIELDS} }} }}", {"p": self.period_id}
            )
            self.holidays = sorted(data["holidays"], key=lambda h: h["startDate"])
        self.render.refresh()

    async def select_period(self, period_id: int | None) -> None:
        self.period_id = period_id
        self.summary = None
        await run_action(self.load)

    async def import_file(self, event: Any) -> None:
        if self.period_id is None:
            notify_error(t("holiday.select_period"))
            return
        upload = UploadedFile(event.file)
        result = await run_action(
            lambda: _mutate(
                "mutation($p: Int!, $f: Upload!) { importHolidays(academicPeriodId: $p, file: $f) { __typename "
                "... on HolidayImportSummary { inserted updated merged skipped conflicts conflictLines skippedLines "
                "refusedLines } "
                "... on Error { message code } } }",
                {"p": self.period_id, "f": upload},
                "importHolidays",
            )
        )
        if isinstance(result, dict):
            self.summary = {**result, "fileName": upload.filename}
            notify_ok(
                t(
                    "holiday.import_result",
                    **{k: result[k] for k in ("inserted", "updated", "merged", "skipped", "conflicts")},
                )
            )
            await run_action(self.load)
        self.uploader.reset()

    def edit_dialog(self, holiday: dict[str, Any] | None) -> None:
        period = self.periods.get(self.period_id or -1)
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("common.edit") if holiday else t("holiday.new")).classes("text-lg font-medium")
            name = ui.input(t("common.name"), value=(holiday or {}).get("name", "")).classes("w-full")
            name.props('data-testid="holiday-name"')
            region = ui.input(t("holiday.region"), value=(holiday or {}).get("region") or "").classes("w-full")
            # Prefill with the period's start; the end follows the start (bidirectional constraint).
            start = _date_input(
                t("period.start"), (holiday or {}).get("startDate") or (period or {}).get("startDate", "")
            )
            end = _date_input(t("period.end"), (holiday or {}).get("endDate") or start.value)
            start.on_value_change(lambda e: end.set_value(e.value) if e.value and (end.value or "") < e.value else None)
            end.on_value_change(
                lambda e: start.set_value(e.value) if e.value and (start.value or "") > e.value else None
            )

            async def save() -> None:
                values = {
                    "name": (name.value or "").strip(),
                    "region": (region.value or "").strip() or None,
                    "startDate": start.value,
                    "endDate": end.value,
                }
                if holiday:
                    query = f"mutation($id: Int!, $i: SchoolHolidayInput!) {{ updateHoliday(id: $id, input: $i) {_HOLIDAY_RESULT} }}"  # noqa: E501
                    variables: dict[str, Any] = {"id": holiday["id"], "i": values}
                    mutation = "updateHoliday"
                else:
                    query = f"mutation($p: Int!, $i: SchoolHolidayInput!) {{ createHoliday(academicPeriodId: $p, input: $i) {_HOLIDAY_RESULT} }}"  # noqa: E501
                    variables = {"p": self.period_id, "i": values}
                    mutation = "createHoliday"
                if await run_action(lambda: _mutate(query, variables, mutation), success=t("common.saved")):
                    with closed(dialog):
                        await run_action(self.load)

            _buttons(dialog, save)
        dialog.on("hide", dialog.delete)
        dialog.open()

    async def delete(self, holiday: dict[str, Any]) -> None:
        result = await run_action(
            lambda: _mutate(
                "mutation($id: Int!) { deleteHoliday(id: $id) { __typename ... on HolidayDeleted { __typename } "
                "... on Error { message code } } }",
                {"id": holiday["id"]},
                "deleteHoliday",
            ),
            success=t("common.deleted"),
        )
        if result:
            await run_action(self.load)

    def build(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            options = {pid: p.get("displayName") or p["name"] for pid, p in self.periods.items()}
            ui.select(
                options,
                value=self.period_id,
                label=t("holiday.select_period"),
                on_change=lambda e: self.select_period(e.value),
            ).classes("w-64").props('data-testid="holiday-period"')
            ui.space()
            if self.can_edit:
                ui.button(t("holiday.new"), icon="add", on_click=lambda: self.edit_dialog(None)).props(
                    'data-testid="holiday-new"'
                )
        if self.can_edit:
            self.uploader = (
                ui.upload(label=t("ical.import"), auto_upload=True, on_upload=self.import_file)
                .props('accept=".csv,.txt,.ics" flat bordered data-testid="holiday-import"')
                .classes("w-full max-w-md")
            )
        self.render()

    @ui.refreshable_method
    def render(self) -> None:
        if self.summary:
            s = self.summary
            with ui.card().classes("w-full bg-blue-1").props('data-testid="holiday-import-summary"'):
                ui.label(
                    f"{s['fileName']}: "
                    + t(
                        "holiday.import_result",
                        **{k: s[k] for k in ("inserted", "updated", "merged", "skipped", "conflicts")},
                    )
                )
                for line in s.get("conflictLines", []):
                    ui.label(f"⚠ {line}").classes("text-sm text-negative")
                for line in s.get("refusedLines", []):
                    ui.label(f"✗ {line}").classes("text-sm text-negative")
                for line in s.get("skippedLines", []):
                    ui.label(f"– {line}").classes("text-sm is-muted")
        if not self.holidays:
            ui.label(t("holiday.none")).classes("is-muted")
            return
        with ui.list().props("bordered separator dense").classes("w-full rounded-borders"):
            for holiday in self.holidays:
                with ui.item().props(f'data-testid="holiday-{holiday["id"]}"'):
                    with ui.item_section():
                        with ui.row().classes("items-center gap-1"):
                            ui.item_label(holiday["name"]).classes("font-medium")
                            if holiday.get("subscriptionId"):
                                ui.icon("rss_feed", size="xs").classes("is-muted").tooltip(t("ical.subscriptions"))
                        ui.item_label(
                            f"{fmt_date(holiday['startDate'])} – {fmt_date(holiday['endDate'])}"
                            + (f" · {holiday['region']}" if holiday.get("region") else "")
                        ).props("caption")
                    if self.can_edit:
                        with ui.item_section().props("side"), ui.row().classes("gap-0"):
                            ui.button(icon="edit", on_click=lambda h=holiday: self.edit_dialog(h)).props(
                                f'flat dense round size=sm aria-label="{t("common.edit")}"'
                            )
                            ui.button(icon="delete", on_click=lambda h=holiday: self.delete(h)).props(
                                f'flat dense round size=sm color=negative aria-label="{t("common.delete")}"'
                            )


# --- event defaults, supplement table, system ----------------------------------------------------------
async def _set_setting(key: str, value: object) -> dict[str, Any]:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return await _mutate(
        "mutation($k: String!, $v: String!) { setSystemSetting(key: $k, value: $v) { __typename "
        "... on SystemSetting { key value } ... on Error { message code } } }",
        {"k": key, "v": text},
        "setSystemSetting",
    )


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


async def _events_tab(settings: dict[str, str]) -> None:
    supplement = (await gql.gql("query { supplementTable { url enabled } }"))["supplementTable"]
    with ui.card().classes("w-full"):
        ui.label(t("settings_page.supplement_title")).classes("text-lg font-medium")
        url = (
            ui.input(t("supplement.url"), value=supplement["url"])
            .classes("w-full")
            .props('data-testid="supplement-url"')
        )
        enabled = ui.switch(t("supplement.enabled"), value=supplement["enabled"])
        preview = ui.element("iframe").classes("w-full h-96 border rounded").props("sandbox")
        preview.set_visibility(False)

        async def save_supplement() -> None:
            await run_action(
                lambda: _mutate(
                    "mutation($u: String!, $e: Boolean!) { setSupplementTable(url: $u, enabled: $e) { __typename "
                    "... on SupplementTable { url enabled } ... on Error { message code } } }",
                    {"u": (url.value or "").strip(), "e": enabled.value},
                    "setSupplementTable",
                ),
                success=t("common.saved"),
            )

        def show_preview() -> None:
            target = (url.value or "").strip()
            if not target.startswith(("http://", "https://")):
                notify_error(t("supplement.url"))
                return
            preview.props(f'src="{target}"')
            preview.set_visibility(True)

        with ui.row():
            ui.button(t("common.save"), on_click=save_supplement).props('data-testid="supplement-save"')
            ui.button(t("supplement.preview"), on_click=show_preview).props("outline")

    with ui.element("div").classes("is-card-grid w-full"):
        with ui.card():
            ui.label(t("defaults.presentation")).classes("text-lg font-medium")
            interval = ui.number(
                t("cal.slide_interval"), value=int(settings.get("presentation_interval") or 10), min=1, max=3600
            )
            page_progress = ui.switch(t("cal.page_progress"), value=_bool(settings.get("presentation_page_progress")))
            auto_progress = ui.switch(t("cal.auto_progress"), value=_bool(settings.get("presentation_auto_progress")))

            async def save_presentation() -> None:
                async def run() -> bool:
                    await _set_setting("presentation_interval", int(interval.value or 10))
                    await _set_setting("presentation_page_progress", page_progress.value)
                    await _set_setting("presentation_auto_progress", auto_progress.value)
                    return True

                await run_action(run, success=t("common.saved"))

            ui.button(t("common.save"), on_click=save_presentation)
        with ui.card():
            ui.label(t("defaults.video")).classes("text-lg font-medium")
            autoplay = ui.switch(t("cal.autoplay"), value=_bool(settings.get("video_autoplay")))
            loop = ui.switch(t("cal.loop"), value=_bool(settings.get("video_loop")))
            muted = ui.switch(t("cal.muted"), value=_bool(settings.get("video_muted")))
            ui.label(t("cal.volume")).classes("text-sm is-muted")
            volume = ui.slider(min=0, max=1, step=0.05, value=float(settings.get("video_volume") or 0.8)).props("label")

            async def save_video() -> None:
                async def run() -> bool:
                    await _set_setting("video_autoplay", autoplay.value)
                    await _set_setting("video_loop", loop.value)
                    await _set_setting("video_muted", muted.value)
                    await _set_setting("video_volume", round(float(volume.value), 2))
                    return True

                await run_action(run, success=t("common.saved"))

            ui.button(t("common.save"), on_click=save_video)


def _system_tab(rows: list[dict[str, Any]]) -> None:
    with ui.card().classes("w-full"):
        ui.label(t("settings.system")).classes("text-lg font-medium")
        for row in rows:
            with ui.row().classes("w-full items-center gap-2 no-wrap max-md:flex-wrap"):
                with ui.column().classes("gap-0 w-72"):
                    ui.label(row["key"]).classes("font-mono text-sm")
                    key = f"setting_desc.{row['key']}"
                    ui.label(t(key) if key in TEXTS else row.get("description") or "").classes("is-muted text-xs")
                field = ui.input(value=row["value"], placeholder=row.get("defaultValue") or "").classes("flex-1")
                ui.button(
                    t("common.save"),
                    on_click=lambda k=row["key"], f=field: run_action(
                        lambda: _set_setting(k, f.value or ""), success=t("common.saved")
                    ),
                ).props("flat dense")


@protected_page("/settings", nav="nav.settings")
async def settings_page(ctx: PageContext) -> None:
    page_heading(t("settings.title"))
    is_admin = ctx.can(Role.ADMIN)
    focus = ctx.query.get("focus", "")
    with ui.tabs().classes("w-full").props("align=left inline-label outside-arrows mobile-arrows") as tabs:
        calendar_tab = ui.tab("calendar", t("settings.calendar"), icon="calendar_month")
        display_tab = ui.tab("display", t("settings.display"), icon="tv") if is_admin else None
        media_tab = ui.tab("media", t("settings.media"), icon="movie") if is_admin else None
        events_tab = ui.tab("events", t("settings.events"), icon="event") if is_admin else None
        alarms_tab = ui.tab("alarms", t("alarmset.tab"), icon="notifications_active") if is_admin else None
        system_tab = ui.tab("system", t("settings.system"), icon="settings") if ctx.can(Role.SUPERADMIN) else None
    settings_rows: list[dict[str, Any]] = []
    if is_admin:
        settings_rows = (await gql.gql("query { systemSettings { key value defaultValue type description } }"))[
            "systemSettings"
        ]
    values = {row["key"]: row["value"] for row in settings_rows}
    with ui.tab_panels(tabs, value=calendar_tab).classes("w-full bg-transparent"):
        with ui.tab_panel(calendar_tab).classes("px-0"):
            await _calendar_panel(is_admin, focus)
        if display_tab is not None:
            with ui.tab_panel(display_tab).classes("px-0"), ui.card().classes("w-full"):
                await _display_panel(ctx)
        if media_tab is not None:
            with ui.tab_panel(media_tab).classes("px-0"), ui.card().classes("w-full"):
                max_mb = gql.container().settings.max_upload_mb
                ui.label(t("settings_page.max_upload", mb=max_mb)).classes("font-medium")
                ui.label(t("settings_page.conversion_hint")).classes("is-muted text-sm")
                ui.link(t("nav.media"), "/media")
        if events_tab is not None:
            with ui.tab_panel(events_tab).classes("px-0 gap-4"):
                await _events_tab(values)
        if alarms_tab is not None:
            with ui.tab_panel(alarms_tab).classes("px-0 gap-4"):
                await alarm_settings_panel()
        if system_tab is not None:
            with ui.tab_panel(system_tab).classes("px-0"):
                _system_tab(settings_rows)
    if focus in ("holidays", "academic-periods", "holiday-feeds"):
        tabs.set_value(calendar_tab)


async def _calendar_panel(is_admin: bool, focus: str) -> None:
    """Academic periods (admin+), holidays and holiday subscriptions (admin+), as sub tabs."""
    periods = PeriodsTab(is_admin)
    holidays = HolidaysTab(is_admin)
    with ui.tabs().props("align=left dense") as sub_tabs:
        periods_sub = ui.tab("periods", t("settings.periods"), icon="folder_open") if is_admin else None
        holidays_sub = ui.tab("holidays", t("settings.holidays"), icon="beach_access")
        feeds_sub = ui.tab("feeds", t("ical.subscriptions"), icon="rss_feed") if is_admin else None
    start_sub = holidays_sub if focus == "holidays" or periods_sub is None else periods_sub
    start_sub = feeds_sub if focus == "holiday-feeds" and feeds_sub is not None else start_sub
    with ui.tab_panels(sub_tabs, value=start_sub).classes("w-full bg-transparent"):
        if periods_sub is not None:
            with ui.tab_panel(periods_sub).classes("px-0 gap-2"):
                periods.build()
        with ui.tab_panel(holidays_sub).classes("px-0 gap-2"):
            await holidays.load_periods()
            holidays.build()
        if feeds_sub is not None:
            feeds = SubscriptionsPanel(on_change=lambda: run_action(holidays.load))
            with ui.tab_panel(feeds_sub).classes("px-0 gap-2"):
                await feeds.load()
                feeds.build()
    if periods_sub is not None:
        await periods.load()
    await holidays.load()


async def _display_panel(ctx: PageContext) -> None:
    grace = (await gql.gql("query { heartbeatGracePeriodSeconds }"))["heartbeatGracePeriodSeconds"]
    ui.label(t("settings_page.grace", seconds=grace)).classes("font-medium")
    ui.label(t("settings_page.grace_hint")).classes("is-muted text-sm")
    with ui.row():
        ui.link(t("nav.groups"), "/groups")
        if ctx.can(Role.SUPERADMIN):
            ui.link(t("nav.monitoring"), "/monitoring")
