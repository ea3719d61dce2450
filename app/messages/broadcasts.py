"""Texts of the Durchsage (broadcast) errors."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "broadcast.message_required": (
        "Bitte einen Text für die Durchsage eingeben.",
        "Please enter the announcement text.",
    ),
    "broadcast.message_too_long": (
        "Der Text der Durchsage ist zu lang (höchstens {max} Zeichen).",
        "The announcement text is too long (at most {max} characters).",
    ),
    "broadcast.title_too_long": (
        "Der Titel ist zu lang (höchstens {max} Zeichen).",
        "The title is too long (at most {max} characters).",
    ),
    "broadcast.severity_invalid": ("Unbekannte Dringlichkeit: {severity}.", "Unknown severity: {severity}."),
    "broadcast.ends_at_past": (
        "Das Ende der Durchsage muss in der Zukunft liegen.",
        "The end of the announcement must be in the future.",
    ),
    "broadcast.no_groups": (
        "Bitte mindestens eine Raumgruppe wählen (oder alle).",
        "Please choose at least one room group (or all).",
    ),
    "broadcast.group_not_found": ("Raumgruppe {id} nicht gefunden.", "Room group {id} not found."),
    "broadcast.not_found": ("Durchsage {id} nicht gefunden.", "Announcement {id} not found."),
    "broadcast.already_ended": ("Die Durchsage {id} ist bereits beendet.", "Announcement {id} has already ended."),
}
