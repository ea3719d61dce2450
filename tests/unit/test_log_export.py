"""The display-log CSV: UTC times, one row per entry, context as JSON in one cell, a traceback intact."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from app.ui.pages.monitoring.log_export import export_file_name, logs_csv


def test_rows_keep_level_message_and_context_and_the_traceback_survives_a_round_trip() -> None:
    traceback = 'Traceback (most recent call last):\n  File "player.py", line 3\nRuntimeError: Bühne; tot'
    logs = [
        {"timestamp": "2026-12-02T08:15:00Z", "level": "ERROR", "message": "player died", "context": {"tb": traceback}},
        {"timestamp": "2026-12-02T09:14:00.5+01:00", "level": "INFO", "message": "Größe; ok", "context": None},
    ]
    data = logs_csv(logs)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["time_utc", "level", "message", "context"]
    assert rows[1][:3] == ["2026-12-02T08:15:00.000Z", "ERROR", "player died"]
    assert json.loads(rows[1][3]) == {"tb": traceback}
    assert rows[2] == ["2026-12-02T08:14:00.500Z", "INFO", "Größe; ok", ""]
    assert len(rows) == 3


def test_the_file_name_is_safe_and_names_the_display() -> None:
    now = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    assert export_file_name({"uuid": "u-1", "hostname": "pi/aula 1"}, now) == "logs-pi-aula-1-20261202-0830.csv"
    assert export_file_name({"uuid": "u-1", "hostname": None}, now) == "logs-u-1-20261202-0830.csv"
