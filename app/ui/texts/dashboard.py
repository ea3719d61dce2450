"""Texts of the Dashboard (German, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "dash.total": ("Infoscreens gesamt", "Info screens total"),
    "dash.online": ("Online", "Online"),
    "dash.offline": ("Offline", "Offline"),
    "dash.warnings": ("Warnungen", "Warnings"),
    "dash.warning_groups": ("Gruppen mit Warnungen", "Groups with warnings"),
    "dash.no_clients": ("Keine Clients in dieser Gruppe", "No clients in this group"),
    "dash.no_groups": ("Noch keine Raumgruppen oder Clients", "No room groups or clients yet"),
    "dash.clients": ("Clients", "Clients"),
    "dash.restart_offline": ("Offline-Clients neu starten", "Restart offline clients"),
    "dash.restart_offline_text": (
        "{count} Offline-Client(s) in „{group}“ neu starten?",
        "Restart {count} offline client(s) in “{group}”?",
    ),
    "dash.restart_sent": ("{ok} von {total} Neustarts gesendet", "{ok} of {total} restarts sent"),
    "dash.no_event": ("Kein aktiver Termin", "No active event"),
    "dash.active_event": ("Aktiver Termin", "Active event"),
    "dash.period": ("Aktive Periode: {name}", "Active period: {name}"),
    "dash.no_period": (
        "Keine akademische Periode aktiv. Bitte in den Einstellungen konfigurieren.",
        "No academic period is active. Please configure one in the settings.",
    ),
    "dash.holiday_today": ("Heute sind Ferien: {name}", "Today is a holiday: {name}"),
    "dash.no_holiday_today": ("Heute keine Ferien", "No holiday today"),
    "dash.to_settings": ("Zu den Einstellungen", "Open settings"),
    "dash.no_group": ("Nicht zugeordnet", "Unassigned"),
    "dash.filter": ("Nach Status filtern", "Filter by status"),
    "dash.bulk_title": ("Neustart der Offline-Displays: {group}", "Restart of the offline displays: {group}"),
    "dash.bulk_refused": ("Nicht gesendet", "Not sent"),
}
