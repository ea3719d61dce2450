"""The calendar's small dialogs: which part of a series, a yes/no, an overlap to confirm, and an occurrence's
details."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.actions import closed
from app.ui.event_form import TYPE_ICONS, type_label
from app.ui.format import fmt_date, fmt_time
from app.ui.i18n import t


def choose_scope(host: ui.element, title: str, on_occurrence: Any, on_series: Any, on_cancel: Any = None) -> None:
    picked: list[bool] = []
    with host, ui.dialog() as dialog, ui.card().classes("w-96 max-w-full").props('data-testid="scope-dialog"'):
        dialog.props["aria-label"] = title
        ui.label(title).classes("text-lg font-medium")
        ui.label(t("cal.scope_text")).classes("text-sm is-muted")

        async def pick(action: Any) -> None:
            picked.append(True)
            with closed(dialog):
                await action()

        with ui.column().classes("w-full gap-2"):
            ui.button(t("cal.only_this"), icon="event", on_click=lambda: pick(on_occurrence)).props(
                'outline data-testid="scope-occurrence"'
            ).classes("w-full")
            ui.button(t("cal.whole_series"), icon="repeat", on_click=lambda: pick(on_series)).props(
                'outline data-testid="scope-series"'
            ).classes("w-full")
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat").classes("w-full")

    def hidden() -> None:
        dialog.delete()
        if not picked and on_cancel is not None:
            on_cancel()

    dialog.on("hide", hidden)
    dialog.open()


async def ask_overlap(host: ui.element, others: list[dict[str, Any]]) -> bool:
    """Name the overlapping events of the group; True when the user saves anyway."""
    with host, ui.dialog() as dialog, ui.card().classes("w-[28rem] max-w-full").props('data-testid="overlap-dialog"'):
        dialog.props["aria-label"] = t("cal.overlap_title")
        with ui.row().classes("items-center gap-2 no-wrap"):
            ui.icon("warning", color="warning")
            ui.label(t("cal.overlap_title")).classes("text-lg font-medium")
        for other in others[:5]:
            ui.label(
                t(
                    "cal.overlap_item",
                    title=other["title"],
                    day=fmt_date(other["start"]),
                    start=fmt_time(other["start"]),
                    end=fmt_time(other["end"]),
                )
            ).classes("text-sm")
        if len(others) > 5:
            ui.label(t("cal.more", count=len(others) - 5)).classes("text-sm is-muted")
        ui.label(t("cal.overlap_question")).classes("text-sm")
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=lambda: dialog.submit(False)).props(
                'flat data-testid="overlap-cancel"'
            )
            ui.button(t("cal.overlap_save"), on_click=lambda: dialog.submit(True)).props(
                'color=warning data-testid="overlap-save"'
            )
    answer = await dialog
    dialog.delete()
    return answer is True


def confirm(host: ui.element, text: str, on_yes: Any, *, label: str) -> None:
    with host, ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        dialog.props["aria-label"] = text
        ui.label(text)

        async def yes() -> None:
            with closed(dialog):
                await on_yes()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(label, on_click=yes, color="negative").props('data-testid="confirm-yes"')
    dialog.on("hide", dialog.delete)
    dialog.open()


def occurrence_details(
    host: ui.element,
    occurrence: dict[str, Any],
    master: dict[str, Any],
    *,
    on_edit: Any = None,
    on_delete: Any = None,
) -> None:
    """What, when, which kind; edit and delete buttons when `on_edit`/`on_delete` are given (editors)."""
    with (
        host,
        ui.dialog() as dialog,
        ui.card().classes("w-[28rem] max-w-full gap-2").props('data-testid="occ-dialog"'),
    ):
        dialog.props["aria-label"] = occurrence["title"]
        with ui.row().classes("w-full items-center no-wrap"):
            ui.icon(TYPE_ICONS.get(occurrence["eventType"], "event"), color="primary")
            ui.label(occurrence["title"]).classes("text-lg font-medium ellipsis")
            ui.space()
            ui.button(icon="close", on_click=dialog.close).props(f'flat round dense aria-label="{t("common.close")}"')
        ui.label(
            f"{fmt_date(occurrence['start'])} {fmt_time(occurrence['start'])} – "
            f"{fmt_date(occurrence['end'])} {fmt_time(occurrence['end'])}"
        ).classes("text-sm")
        _badges(occurrence, master)
        if master.get("recurrenceRule"):
            ui.label(f"RRULE: {master['recurrenceRule']}").classes("text-xs is-muted break-all")
        if master.get("websiteUrl"):
            ui.label(master["websiteUrl"]).classes("text-xs is-muted break-all")
        if master.get("messageText"):
            ui.label(master["messageText"]).classes("text-sm whitespace-pre-wrap")
        if on_edit is not None and on_delete is not None:

            async def go(action: Any) -> None:
                with closed(dialog):
                    await action(occurrence)

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.delete"), icon="delete", on_click=lambda: go(on_delete)).props(
                    'flat color=negative data-testid="occ-delete"'
                )
                ui.button(t("common.edit"), icon="edit", on_click=lambda: go(on_edit)).props('data-testid="occ-edit"')
    dialog.on("hide", dialog.delete)
    dialog.open()


def _badges(occurrence: dict[str, Any], master: dict[str, Any]) -> None:
    with ui.row().classes("gap-1"):
        ui.badge(type_label(occurrence["eventType"]), color="grey-7")
        if occurrence.get("isRecurring"):
            ui.badge(t("cal.series"), color="blue-7").props("outline")
        if occurrence.get("isDetached"):
            ui.badge(t("cal.detached"), color="orange-8").props("outline")
        if master.get("skipHolidays"):
            ui.badge(t("cal.skips_holidays"), color="green-8").props("outline")
