"""Texts of the Alarme page, the header's alarm badge, the notification channels (Einstellungen) and the
personal alarm subscription (Profil). The words of alarm kinds and health reasons live once, in
app.domain.alarms.texts (the mails use them too)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "nav.alarms": ("Alarme", "Alarms"),
    # --- the page
    "alarms.state": ("Zustand", "State"),
    "alarms.state_all": ("Alle (offene zuerst)", "All (open first)"),
    "alarms.state.ACTIVE": ("Aktiv", "Active"),
    "alarms.state.ACKNOWLEDGED": ("Quittiert", "Acknowledged"),
    "alarms.state.CLEARED": ("Behoben", "Cleared"),
    "alarms.group": ("Gruppe", "Group"),
    "alarms.group_all": ("Alle Gruppen", "All groups"),
    "alarms.kind": ("Art", "Kind"),
    "alarms.kind_all": ("Alle Arten", "All kinds"),
    "alarms.empty": ("Keine Alarme für diese Auswahl.", "No alarms for this selection."),
    "alarms.since": ("seit {time}", "since {time}"),
    "alarms.last_seen": ("zuletzt {time}", "last seen {time}"),
    "alarms.cleared_at": ("behoben {time}", "cleared {time}"),
    "alarms.acknowledged_at": ("quittiert {time}", "acknowledged {time}"),
    "alarms.note": ("Notiz", "Note"),
    "alarms.acknowledge": ("Quittieren", "Acknowledge"),
    "alarms.acknowledge_title": ("Alarm quittieren", "Acknowledge the alarm"),
    "alarms.note_hint": ("Was wird unternommen? (optional)", "What is being done? (optional)"),
    "alarms.acknowledged": ("Alarm quittiert", "Alarm acknowledged"),
    "alarms.reasons": ("Gründe", "Reasons"),
    "alarms.cause": ("Ursache", "Cause"),
    "alarms.lost": ("{lost} von {watched} Displays", "{lost} of {watched} displays"),
    "alarms.command": ("Befehl {action}: {status}", "Command {action}: {status}"),
    "alarms.conversion": ("Konvertierung von Medium {media}", "Conversion of media {media}"),
    "alarms.previous": ("Neuere", "Newer"),
    "alarms.next": ("Ältere", "Older"),
    "alarms.page": ("Seite {page}", "Page {page}"),
    # --- the header badge
    "alarms.badge": (
        "Alarme: {active} aktiv, {acknowledged} quittiert",
        "Alarms: {active} active, {acknowledged} acknowledged",
    ),
}
