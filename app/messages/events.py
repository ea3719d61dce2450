"""Texts of the events area's expected failures (keys raised in app/domain)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "event.not_found": ("Termin nicht gefunden.", "Event not found."),
    "event.field_missing": ("{name} fehlt.", "{name} is missing."),
    "event.unknown_field": ("Unbekanntes Feld: {name}", "Unknown field: {name}"),
    "event.end_before_start": ("Das Ende muss nach dem Beginn liegen.", "The end must be after the start."),
    "event.window_too_long": (
        "Der Zeitraum darf höchstens {days} Tage umfassen.",
        "The time range may span at most {days} days.",
    ),
    "event.title_missing": ("Titel fehlt.", "The title is missing."),
    "event.title_too_long": (
        "Der Titel darf höchstens {max} Zeichen lang sein.",
        "The title may be at most {max} characters long.",
    ),
    "event.time_missing": ("Zeitpunkt fehlt.", "The time is missing."),
    "event.time_out_of_range": ("Zeitpunkt außerhalb des erlaubten Bereichs.", "The time is out of range."),
    "event.url_missing": ("URL fehlt.", "The URL is missing."),
    "event.url_scheme": ("Nur http(s)-URLs sind erlaubt.", "Only http(s) URLs are allowed."),
    "event.url_too_long": ("Die URL ist zu lang.", "The URL is too long."),
    "event.media_missing": ("Bitte ein Medium auswählen.", "Please choose a media file."),
    "event.media_not_found": ("Medium nicht gefunden.", "Media not found."),
    "event.media_not_presentation": (
        "Das Medium passt nicht zum Termintyp: erwartet Präsentation (ppt, pptx, odp, pdf).",
        "The media does not fit the event type: a presentation (ppt, pptx, odp, pdf) is expected.",
    ),
    "event.media_not_video": (
        "Das Medium passt nicht zum Termintyp: erwartet Video.",
        "The media does not fit the event type: a video is expected.",
    ),
    "event.too_long": ("Ein Termin darf höchstens ein Jahr dauern.", "An event may last at most one year."),
    "event.group_not_found": ("Gruppe nicht gefunden.", "Group not found."),
    "event.period_not_found": ("Schuljahr/Zeitraum nicht gefunden.", "School year/period not found."),
    "event.unknown_type": ("Unbekannter Termintyp.", "Unknown event type."),
    "event.slide_interval_range": (
        "Das Folienintervall muss zwischen 1 und 3600 Sekunden liegen.",
        "The slide interval must be between 1 and 3600 seconds.",
    ),
    "event.volume_range": ("Die Lautstärke muss zwischen 0 und 1 liegen.", "The volume must be between 0 and 1."),
    "event.no_supplement_table": (
        "Kein Vertretungsplan konfiguriert (Einstellung supplement_table_url).",
        "No supplement table is configured (setting supplement_table_url).",
    ),
    "event.message_missing": ("Der Nachrichtentext fehlt.", "The message text is missing."),
    "event.message_too_long": (
        "Der Nachrichtentext darf höchstens {max} Zeichen lang sein.",
        "The message text may be at most {max} characters long.",
    ),
    "event.not_a_series": ("Der Termin ist keine Serie.", "The event is not a series."),
    "event.no_occurrence_at": (
        "Zu diesem Zeitpunkt beginnt kein Termin dieser Serie.",
        "No occurrence of this series starts at that time.",
    ),
    "event.already_detached": (
        "Dieser Termin wurde bereits aus der Serie gelöst.",
        "This occurrence was already detached from the series.",
    ),
    "event.occurrence_deleted": (
        "Dieser Termin wurde aus der Serie gelöscht.",
        "This occurrence was deleted from the series.",
    ),
}
