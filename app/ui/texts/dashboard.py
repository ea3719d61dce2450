"""Texts of the Dashboard (German, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "dash.filter": ("Nach Status filtern", "Filter by status"),
    "dash.bulk_title": ("Neustart der Offline-Displays: {group}", "Restart of the offline displays: {group}"),
    "dash.bulk_refused": ("Nicht gesendet", "Not sent"),
}
