"""The logs dialog of one display and the detail of one log entry.

A log's `context` is shown as pretty-printed JSON and every multi-line text in it (a traceback, a stack)
as its own block with its real line breaks, in a monospace block that scrolls instead of being clipped.
"""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

from app.ui.format import fmt_datetime_seconds
from app.ui.i18n import t
from app.ui.layout import run_action
from app.ui.pages.monitoring.log_export import export_logs, read_logs
from app.ui.widgets import client_name

HOURS = {1: "1 h", 6: "6 h", 24: "24 h", 72: "3 d", 168: "7 d"}
LEVEL_COLORS = {"ERROR": "negative", "WARN": "warning", "INFO": "primary", "DEBUG": "grey-8"}
LOG_FIELDS = "id clientUuid timestamp level message context"
LOG_LIMIT = 500
MONO_BLOCK = (
    "w-full font-mono text-xs whitespace-pre-wrap break-words bg-grey-2 text-grey-10 rounded p-2 max-h-80 overflow-auto"
)


def split_context(context: object) -> tuple[str, list[tuple[str, str]]]:
    """(pretty JSON of the context, [(path, multi-line text)]): multi-line strings leave the JSON (where they
    would read as one line of `\\n`) and are shown on their own with real line breaks."""
    if context is None or context == "" or context == {}:
        return "", []
    if isinstance(context, str):
        try:
            context = json.loads(context)
        except ValueError:
            return ("", [("context", context)]) if "\n" in context else (json.dumps(context), [])
    blocks: list[tuple[str, str]] = []

    def strip(value: Any, path: str) -> Any:
        if isinstance(value, str) and "\n" in value:
            blocks.append((path, value))
            return f"⤵ {path}"
        if isinstance(value, dict):
            return {k: strip(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v, f"{path}[{n}]") for n, v in enumerate(value)]
        return value

    rest = strip(context, "")
    text = "" if rest in ({}, []) else json.dumps(rest, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return text, blocks


def mono_block(text: str, testid: str) -> None:
    ui.label(text).classes(MONO_BLOCK).props(f'data-testid="{testid}" role=region tabindex=0')


def open_log_detail(log: dict[str, Any]) -> None:
    if not log:
        return
    with ui.dialog() as dialog, ui.card().classes("w-[48rem] max-w-full gap-2").props('data-testid="log-detail"'):
        with ui.row().classes("w-full items-center gap-2"):
            ui.badge(str(log.get("level", "")), color=LEVEL_COLORS.get(str(log.get("level")), "grey-8"))
            ui.label(str(log.get("time", ""))).classes("font-medium")
            ui.space()
            ui.button(icon="close", on_click=dialog.close).props(f'flat round dense aria-label="{t("common.close")}"')
        ui.label(t("mon.message")).classes("is-muted text-sm")
        mono_block(str(log.get("message", "")), "log-message")
        pretty, blocks = split_context(log.get("context"))
        if pretty:
            ui.label(t("mon.context")).classes("is-muted text-sm")
            mono_block(pretty, "log-context")
        for path, text in blocks:
            ui.label(path).classes("is-muted text-sm font-mono")
            mono_block(text, "log-context-text")
    dialog.on("hide", dialog.delete)
    dialog.open()


class LogsDialog:
    """The logs of one display: built once per page, closed, in the page's dialog host (outside everything
    that live updates rebuild, so it stays open however often the page patches itself).

    A click on a card's logs button only fills in the display's name, resets the filters and opens it: no
    element is built and no component loaded then, so the dialog shows at once; its rows load right after.
    """

    def __init__(self) -> None:
        self.client: dict[str, Any] = {}
        self.generation = 0  # bumped by every open and reload: an older, slower answer is dropped
        with (
            ui.dialog() as self.dialog,
            ui.card().classes("w-[56rem] max-w-full gap-2").props('data-testid="logs-dialog"'),
        ):
            with ui.row().classes("w-full items-center"):
                self.title = ui.label().classes("text-lg font-medium")
                ui.space()
                self.level = ui.select(
                    {"": t("common.all"), "ERROR": "ERROR", "WARN": "WARN", "INFO": "INFO", "DEBUG": "DEBUG"},
                    value="",
                    label=t("mon.level"),
                ).classes("w-32")
                self.hours = ui.select(HOURS, value=24, label=t("mon.hours")).classes("w-32")
                ui.button("CSV", icon="download", on_click=self._export).props(
                    f'flat dense no-caps aria-label="{t("mon.logs_csv")}" data-testid="logs-csv"'
                ).tooltip(t("mon.logs_csv"))
                ui.button(icon="close", on_click=self.dialog.close).props(
                    f'flat round dense aria-label="{t("common.close")}" data-testid="logs-close"'
                )
            ui.label(t("mon.log_hint")).classes("is-muted text-xs")
            self.table = self._table()
        # A filter the admin changes reloads; the reset on opening (dialog still closed) does not.
        self.level.on_value_change(self._filter_changed)
        self.hours.on_value_change(self._filter_changed)

    @staticmethod
    def _table() -> ui.table:
        columns = [
            {"name": "time", "label": t("mon.time"), "field": "time", "align": "left"},
            {"name": "level", "label": t("mon.level"), "field": "level", "align": "left"},
            {"name": "message", "label": t("mon.message"), "field": "message", "align": "left"},
        ]
        table = ui.table(columns=columns, rows=[], row_key="id", pagination=15).classes("w-full")
        table.props(f'flat dense wrap-cells no-data-label="{t("common.empty")}" data-testid="logs-table"')
        table.add_slot(
            "body-cell-level",
            r"""<q-td :props="props"><q-badge :color="props.row.color" :label="props.value" /></q-td>""",
        )
        table.add_slot(
            "body-cell-message",
            r"""<q-td :props="props" class="cursor-pointer"><div style="white-space: pre-wrap">{{ props.value }}"""
            r"""</div><q-icon v-if="props.row.hasContext" name="data_object" size="xs" class="text-grey-8" />"""
            r"""</q-td>""",
        )
        table.on("rowClick", lambda e: open_log_detail(e.args[1] if isinstance(e.args, list) else {}))
        return table

    def open(self, client: dict[str, Any], hours_default: int) -> None:
        self.client = client
        self.generation += 1
        self.title.text = f"{t('mon.logs')}: {client_name(client)}"
        self.table.rows = []  # never the previous display's rows under this one's name
        self.table.update()
        self.level.value = ""
        self.hours.value = hours_default if hours_default in HOURS else 24
        self.dialog.open()
        ui.timer(0.01, lambda: run_action(self.load), once=True)

    async def _export(self) -> None:
        """The logs as filtered now (level, window), up to the API's 1,000 a read, as a CSV download."""
        await export_logs(self.client, self.level.value or None, int(self.hours.value or 24))

    async def _filter_changed(self, _: object) -> None:
        if self.dialog.value:
            await run_action(self.load)

    async def load(self) -> None:
        self.generation += 1
        generation = self.generation
        logs = await read_logs(
            self.client["uuid"], self.level.value, int(self.hours.value or 24), limit=LOG_LIMIT, fields=LOG_FIELDS
        )
        if generation != self.generation:
            return
        self.table.rows = [
            {
                **log,
                "time": fmt_datetime_seconds(log["timestamp"]),
                "color": LEVEL_COLORS.get(log["level"], "grey-8"),
                "hasContext": log.get("context") not in (None, {}, ""),
            }
            for log in logs
        ]
        self.table.update()
