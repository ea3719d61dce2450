"""CSV export of one display's logs, as the logs dialog filters them (level, time window).

Machine-readable like the audit export: UTC times, `;`-separated, UTF-8 with a BOM (spreadsheets then read the
umlauts right), the context as compact JSON in one cell (a traceback keeps its line breaks inside the quoted
cell). Up to EXPORT_LIMIT entries, newest first, the most the API gives in one read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from nicegui import ui

from app.domain.clock import utcnow
from app.ui import gql
from app.ui.actions import run_action

EXPORT_LIMIT = 1000
EXPORT_FIELDS = "id timestamp level message context"
COLUMNS = ("time_utc", "level", "message", "context")


def logs_csv(logs: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for log in logs:
        context = log.get("context")
        cell = "" if context in (None, "", {}) else json.dumps(context, ensure_ascii=False, sort_keys=True)
        writer.writerow([_utc(log.get("timestamp")), log.get("level") or "", log.get("message") or "", cell])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _utc(timestamp: object) -> str:
    """`2026-12-02T08:15:00.123Z`: UTC with milliseconds (entries of one second keep their order)."""
    if not timestamp:
        return ""
    moment = datetime.fromisoformat(str(timestamp)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def export_file_name(client: dict[str, Any], now: datetime | None = None) -> str:
    """`logs-<hostname or uuid>-<UTC stamp>.csv`, with only file-name-safe characters."""
    who = re.sub(r"[^A-Za-z0-9._-]+", "-", str(client.get("hostname") or client["uuid"])).strip("-") or "display"
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M")
    return f"logs-{who}-{stamp}.csv"


async def read_logs(uuid: str, level: str | None, hours: int, *, limit: int, fields: str) -> list[dict[str, Any]]:
    """One display's logs of the last `hours` (of `level`, or all), newest first: the dialog's rows and the
    export read the same way."""
    since = (utcnow() - timedelta(hours=hours)).isoformat()
    data = await gql.gql(
        f"query($u: String!, $l: LogLevel, $s: DateTime) {{ clientLogs(uuid: $u, level: $l, since: $s, "
        f"limit: {limit}) {{ {fields} }} }}",
        {"u": uuid, "l": level or None, "s": since},
    )
    return list(data["clientLogs"])


async def export_logs(client: dict[str, Any], level: str | None, hours: int) -> None:
    """Download the display's logs of the last `hours` (of `level`, or all levels)."""
    logs = await run_action(lambda: read_logs(client["uuid"], level, hours, limit=EXPORT_LIMIT, fields=EXPORT_FIELDS))
    if isinstance(logs, list):
        ui.download.content(logs_csv(logs), export_file_name(client), "text/csv")
