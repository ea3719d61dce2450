"""The payload dialog: exactly what a room's displays receive at an instant (`displayPayloadAt`), as JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui

from app.ui.i18n import t


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def json_block(value: Any, testid: str) -> None:
    code = ui.code(pretty(value), language="json").classes("w-full").props(f'data-testid="{testid}"')
    code.copy_button.props(f'aria-label="{t("pv.copy")}"')


def payload_dialog(
    room: str, group_id: int, at: datetime, tz: ZoneInfo, payload: dict[str, Any], segment_span: str | None
) -> ui.dialog:
    """Open a dialog with the event list and the power intent as the displays get them (pretty-printed)."""
    title = t("pv.payload_title", room=room)
    dialog = ui.dialog().props(f'aria-label="{title}"')
    with dialog, ui.card().classes("w-[56rem] max-w-full").props('data-testid="pv-payload-dialog"'):
        with ui.row().classes("w-full items-center no-wrap"):
            ui.label(title).classes("text-lg font-medium")
            ui.space()
            ui.button(icon="close", on_click=dialog.close).props(
                f'flat round dense aria-label="{t("common.close")}" data-testid="pv-payload-close"'
            )
        local = at.astimezone(tz)
        ui.label(t("pv.payload_at", at=f"{local:%d.%m.%Y %H:%M:%S} ({tz})")).props('data-testid="pv-payload-at"')
        if segment_span:
            ui.label(t("pv.payload_segment", span=segment_span)).classes("text-sm is-muted")
        ui.label(t("pv.event_list", topic=f"infoscreen/events/{group_id}")).classes("font-medium mt-2")
        json_block(payload["eventList"], "pv-payload-events")
        ui.label(t("pv.power_intent", topic=f"infoscreen/groups/{group_id}/power/intent")).classes("font-medium")
        if payload.get("powerIntent") is None:
            ui.label(t("pv.no_intent")).classes("is-muted").props('data-testid="pv-payload-power"')
        else:
            json_block(payload["powerIntent"], "pv-payload-power")
    dialog.on("hide", dialog.delete)
    dialog.open()
    return dialog
