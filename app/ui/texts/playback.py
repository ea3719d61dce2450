"""Texts of the "Wiedergabe" page (Wiedergabeprotokoll: planned vs reported playback per room)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "nav.playback": ("Wiedergabe", "Playback"),
    "pb.room": ("Raum", "Room"),
    "pb.day": ("Tag", "Day"),
    "pb.week": ("Woche", "Week"),
    "pb.date": ("Datum", "Date"),
    "pb.show": ("Anzeigen", "Show"),
    "pb.export": ("CSV herunterladen", "Download CSV"),
    "pb.no_groups": ("Noch keine Räume angelegt.", "No rooms yet."),
    "pb.pick_room": ("Bitte einen Raum wählen.", "Please pick a room."),
    "pb.range": ("Zeitraum: {start} – {end}", "Range: {start} – {end}"),
    "pb.chart_title": ("Minuten je Inhalt: geplant und gemeldet", "Minutes per content: planned and reported"),
    "pb.planned": ("Geplant", "Planned"),
    "pb.event": ("Inhalt", "Content"),
    "pb.display": ("Display", "Display"),
    "pb.reported": ("Gemeldet (min)", "Reported (min)"),
    "pb.matched": ("Laut Plan (min)", "As planned (min)"),
    "pb.mismatch": ("Abweichend (min)", "Mismatch (min)"),
    "pb.gap": ("Ohne Meldung (min)", "No report (min)"),
    "pb.planned_min": ("Geplant (min)", "Planned (min)"),
    "pb.events_heading": ("Inhalte", "Contents"),
    "pb.displays_heading": ("Displays", "Displays"),
    "pb.no_events": ("Nichts geplant und nichts gemeldet.", "Nothing planned and nothing reported."),
    "pb.no_displays": ("Keine Displays in diesem Raum.", "No displays in this room."),
    "pb.hint": (
        "Geplant aus dem Zeitplan; gemeldet aus den Heartbeats der Displays (Wiedergabeprotokoll).",
        "Planned from the schedule; reported from the displays' heartbeats (proof of play).",
    ),
}
