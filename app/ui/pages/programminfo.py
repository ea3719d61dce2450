"""Programminfo: version, build facts, licences of the installed dependencies and the changelog."""

from __future__ import annotations

from nicegui import ui

from app.ui import gql
from app.ui.format import fmt_date
from app.ui.i18n import current_language, t
from app.ui.layout import PageContext, page_heading, protected_page
from app.ui.program_info import build_info, dependency_licenses, program_info

CHANGELOG_PAGE_SIZE = 5


def _fact(label: str, value: str, testid: str) -> None:
    with ui.row().classes("w-full no-wrap gap-2"):
        ui.label(label).classes("is-muted w-32 shrink-0")
        ui.label(value).classes("font-medium break-all").props(f'data-testid="info-{testid}"')


@protected_page("/programminfo", nav="nav.programminfo")
async def programminfo_page(ctx: PageContext) -> None:
    info = program_info()
    english = current_language() == "en"  # the changelog is kept in both languages (changes / changes_en)
    build = build_info(gql.container().settings)
    page_heading(t("info.title"))
    with ui.element("div").classes("is-card-grid w-full"):
        with ui.card().classes("gap-2"):
            ui.label(info["appName"]).classes("text-lg font-medium")
            ui.label(info["description_en" if english else "description"]).classes("is-muted")
            _fact(t("info.version"), build["version"], "version")
            _fact(t("info.support"), info["supportContact"], "support")
            ui.label(info["copyright"]).classes("is-muted text-sm")
        with ui.card().classes("gap-2"):
            ui.label(t("info.build")).classes("text-lg font-medium")
            _fact(t("info.build_date"), fmt_date(build["build_date"]), "build-date")
            _fact(t("info.environment"), build["environment"], "environment")
            _fact(t("info.python"), build["python"], "python")
            _fact("NiceGUI", build["nicegui"], "nicegui")
            _fact(t("info.database"), build["database"], "database")
            _fact(t("info.platform"), build["platform"], "platform")

    with ui.card().classes("w-full"):
        ui.label(t("info.changelog")).classes("text-lg font-medium")
        entries = info["changelog"]
        pages = max(1, -(-len(entries) // CHANGELOG_PAGE_SIZE))

        @ui.refreshable
        def changelog(page: int = 1) -> None:
            start = (page - 1) * CHANGELOG_PAGE_SIZE
            for entry in entries[start : start + CHANGELOG_PAGE_SIZE]:
                with ui.column().classes("gap-0 w-full"):
                    ui.label(f"{entry['version']} · {fmt_date(entry['date'])}").classes("font-medium")
                    for change in entry["changes_en" if english else "changes"]:
                        ui.label(f"• {change}").classes("text-sm")

        changelog()
        if pages > 1:
            ui.pagination(1, pages, direction_links=True, on_change=lambda e: changelog.refresh(e.value))

    with ui.card().classes("w-full"):
        licenses = dependency_licenses()
        ui.label(f"{t('info.licenses')} ({len(licenses)})").classes("text-lg font-medium")
        columns = [
            {"name": "name", "label": t("info.package"), "field": "name", "sortable": True, "align": "left"},
            {"name": "version", "label": t("info.version"), "field": "version", "align": "left"},
            {"name": "license", "label": t("info.license"), "field": "license", "sortable": True, "align": "left"},
        ]
        rows = [{"name": lic.name, "version": lic.version, "license": lic.license} for lic in licenses]
        table = ui.table(columns=columns, rows=rows, row_key="name", pagination=15).classes("w-full")
        table.props('flat dense data-testid="license-table"')
        with table.add_slot("top-right"):
            ui.input(t("common.search")).bind_value(table, "filter").props(
                'dense clearable data-testid="license-search"'
            )
