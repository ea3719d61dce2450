"""Vorschau (preview): what a room's displays receive, when, and whether the screen is on."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "nav.preview": ("Vorschau", "Preview"),
    "pv.title": ("Vorschau", "Preview"),
    "pv.intro": (
        "Was die Bildschirme eines Raums zu jeder Zeit zeigen und ob sie an sind – genau so, wie der Server es "
        "ihnen sendet. Ein Abschnitt zeigt auf Klick die Nachricht an die Displays.",
        "What a room's screens show at any time and whether they are on – exactly as the server sends it to "
        "them. Click a segment to see the message the displays receive.",
    ),
    "pv.rooms": ("Räume", "Rooms"),
    "pv.no_rooms": ("Keine Räume gewählt.", "No rooms selected."),
    "pv.no_groups": ("Noch keine Raumgruppen angelegt.", "No room groups yet."),
    "pv.timeline": ("Zeitleiste der Vorschau", "Preview timeline"),
    "timeline.now": ("Jetzt", "Now"),
    "pv.playback": ("Wiedergabe", "Playback"),
    "pv.reason.event": ("Termin", "Event"),
    "pv.reason.no_event": ("Kein Termin", "No event"),
    "pv.reason.holiday": ("Ferien", "Holiday"),
    "pv.reason.outside_period": ("Außerhalb der Periode", "Outside the period"),
    "pv.reason.broadcast": ("Durchsage", "Announcement"),
    "pv.power.on": ("Bildschirm an", "Screen on"),
    "pv.power.off": ("Bildschirm aus", "Screen off"),
    "pv.legend": ("Legende", "Legend"),
    "pv.payload_title": ("Was die Displays in „{room}“ erhalten", "What the displays in “{room}” receive"),
    "pv.payload_at": ("Zeitpunkt: {at}", "At: {at}"),
    "pv.payload_segment": ("Abschnitt: {span}", "Segment: {span}"),
    "pv.event_list": ("Terminliste (Topic {topic})", "Event list (topic {topic})"),
    "pv.power_intent": ("Power-Intent (Topic {topic})", "Power intent (topic {topic})"),
    "pv.no_intent": (
        "Kein Power-Intent: Power-Intents sind ausgeschaltet.",
        "No power intent: power intents are switched off.",
    ),
    "pv.copy": ("In die Zwischenablage kopieren", "Copy to the clipboard"),
    "pv.timezone": ("Alle Zeiten in {tz}.", "All times in {tz}."),
}
