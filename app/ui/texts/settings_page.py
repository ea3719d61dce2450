"""Einstellungen in both languages: the panels' own words and the system settings' descriptions.

The server's setting catalog (`app/domain/settings/catalog.py`) describes each key in German; the page shows
the description in the reader's language from here (`setting_desc.<key>`) and falls back to the server's text
for a key that is not listed.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "settings_page.supplement_title": ("WebUntis / Vertretungsplan", "WebUntis / supplement table"),
    "settings_page.grace": ("Heartbeat-Toleranz: {seconds} s", "Heartbeat grace period: {seconds} s"),
    "settings_page.grace_hint": (
        "Displays gelten als offline, wenn innerhalb dieser Zeit kein Heartbeat kam.",
        "Displays count as offline when no heartbeat arrived within this time.",
    ),
    "settings_page.max_upload": ("Maximale Upload-Größe: {mb} MB", "Maximum upload size: {mb} MB"),
    "settings_page.conversion_hint": (
        "PPT/PPTX/ODP werden im Hintergrund in PDF umgewandelt.",
        "PPT/PPTX/ODP are converted to PDF in the background.",
    ),
    "setting_desc.supplement_table_url": ("URL des Vertretungsplans (WebUntis)", "Supplement table URL (WebUntis)"),
    "setting_desc.supplement_table_enabled": ("Vertretungsplan aktiviert", "Supplement table enabled"),
    "setting_desc.presentation_interval": ("Folienintervall in Sekunden", "Slide interval in seconds"),
    "setting_desc.presentation_page_progress": ("Seitenfortschritt anzeigen", "Show page progress"),
    "setting_desc.presentation_auto_progress": ("Automatisch weiterschalten", "Advance automatically"),
    "setting_desc.video_autoplay": ("Videos automatisch abspielen", "Play videos automatically"),
    "setting_desc.video_loop": ("Videos in Schleife", "Loop videos"),
    "setting_desc.video_volume": ("Lautstärke (0.0–1.0)", "Volume (0.0–1.0)"),
    "setting_desc.video_muted": ("Videos stumm", "Mute videos"),
    "setting_desc.refresh_seconds": (
        "Erzwungene Neuveröffentlichung (0 = aus)",
        "Forced republishing interval (0 = off)",
    ),
    "setting_desc.broker_auto_approve": (
        "Neue Displays automatisch freischalten",
        "Approve new displays automatically",
    ),
    "setting_desc.alarm_operating_hours": (
        "Alarme: Betriebszeit (HH:MM-HH:MM)",
        "Alarms: operating hours (HH:MM-HH:MM)",
    ),
    "setting_desc.alarm_operating_days": (
        "Alarme: Betriebstage (1=Mo … 7=So)",
        "Alarms: operating days (1=Mon … 7=Sun)",
    ),
    "setting_desc.alarm_group_operating_hours": (
        "Alarme: Betriebszeit je Gruppe (12=06:00-22:00;…)",
        "Alarms: operating hours per group (12=06:00-22:00;…)",
    ),
    "setting_desc.alarm_raise_delay_minutes": ("Alarme: Verzögerung in Minuten", "Alarms: delay in minutes"),
    "setting_desc.alarm_clear_minutes": ("Alarme: Hysterese in Minuten", "Alarms: hysteresis in minutes"),
    "setting_desc.alarm_fleet_min_displays": ("Alarme: Großausfall ab Displays", "Alarms: major outage from displays"),
    "setting_desc.alarm_fleet_min_percent": ("Alarme: Großausfall ab Prozent", "Alarms: major outage from percent"),
    "setting_desc.alarm_fleet_window_minutes": (
        "Alarme: Großausfall-Zeitfenster",
        "Alarms: major outage time window",
    ),
    "setting_desc.alarm_warning_reasons": (
        "Alarme: Warnungsgründe, die „Display gestört“ auslösen (Komma; none = keine)",
        "Alarms: warning reasons that raise “display critical” (comma-separated; none = none)",
    ),
}
