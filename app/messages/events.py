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

# Recurrence rules (RRULE, RFC 5545) and exception dates.
MESSAGES.update(
    {
        "event.bad_exdate": ("Ungültiges Ausnahmedatum: {value}", "Invalid exception date: {value}"),
        "rrule.bad_value": (
            "Ungültige Wiederholungsregel: {part} hat den ungültigen Wert {value}.",
            "Invalid recurrence rule: {part} has the invalid value {value}.",
        ),
        "rrule.out_of_range": (
            "Ungültige Wiederholungsregel: {part}={value} liegt nicht zwischen {low} und {high}.",
            "Invalid recurrence rule: {part}={value} is not between {low} and {high}.",
        ),
        "rrule.bad_weekday": (
            "Ungültige Wiederholungsregel: BYDAY hat den ungültigen Wochentag {value} "
            "(erwartet z. B. MO, 2TU oder -1FR).",
            "Invalid recurrence rule: BYDAY has the invalid weekday {value} (expected e.g. MO, 2TU or -1FR).",
        ),
        "rrule.byday_ordinal": (
            "Ungültige Wiederholungsregel: die Zahl in BYDAY={value} muss zwischen ±1 und ±53 liegen.",
            "Invalid recurrence rule: the number in BYDAY={value} must be between ±1 and ±53.",
        ),
        "rrule.until_floating": (
            "UNTIL={value} ist eine Ortszeit ohne Zone; zu einem Termin mit Zeitzone muss UNTIL in UTC "
            "(…Z, RFC 5545) oder als Datum (JJJJMMTT, der ganze Tag) angegeben werden.",
            "UNTIL={value} is a local time without a zone; for an event with a time zone UNTIL must be given in UTC "
            "(…Z, RFC 5545) or as a date (YYYYMMDD, the whole day).",
        ),
        "rrule.bad_until": (
            "Ungültiges UNTIL-Datum: {value} (erwartet JJJJMMTTTHHMMSSZ oder JJJJMMTT).",
            "Invalid UNTIL date: {value} (expected YYYYMMDDTHHMMSSZ or YYYYMMDD).",
        ),
        "rrule.too_long": ("Die Wiederholungsregel ist zu lang.", "The recurrence rule is too long."),
        "rrule.only_rrule": (
            "Die Wiederholungsregel darf nur eine RRULE enthalten (kein DTSTART, EXDATE oder RDATE).",
            "The recurrence rule may only hold one RRULE (no DTSTART, EXDATE or RDATE).",
        ),
        "rrule.bad_part": (
            "Ungültiger Teil der Wiederholungsregel: {value}",
            "Invalid part of the recurrence rule: {value}",
        ),
        "rrule.dtstart": (
            "DTSTART gehört nicht in die Wiederholungsregel; der Terminbeginn ist der Anker.",
            "DTSTART does not belong in the recurrence rule; the event's start is the anchor.",
        ),
        "rrule.unsupported_part": (
            "Nicht unterstützter Teil der Wiederholungsregel: {part}",
            "Unsupported part of the recurrence rule: {part}",
        ),
        "rrule.repeated_part": ("{part} kommt mehrfach vor.", "{part} occurs more than once."),
        "rrule.freq_missing": ("FREQ fehlt in der Wiederholungsregel.", "FREQ is missing from the recurrence rule."),
        "rrule.too_frequent": (
            "Wiederholungen im Sekunden- oder Minutentakt sind nicht erlaubt.",
            "Repeating every second or minute is not allowed.",
        ),
        "rrule.unknown_freq": ("Unbekannte Frequenz: {freq}", "Unknown frequency: {freq}"),
        "rrule.byweekno_yearly": (
            "BYWEEKNO ist nur mit FREQ=YEARLY erlaubt (RFC 5545).",
            "BYWEEKNO is only allowed with FREQ=YEARLY (RFC 5545).",
        ),
        "rrule.byyearday_freq": (
            "BYYEARDAY ist mit FREQ={freq} nicht erlaubt (RFC 5545).",
            "BYYEARDAY is not allowed with FREQ={freq} (RFC 5545).",
        ),
        "rrule.bymonthday_weekly": (
            "BYMONTHDAY ist mit FREQ=WEEKLY nicht erlaubt (RFC 5545).",
            "BYMONTHDAY is not allowed with FREQ=WEEKLY (RFC 5545).",
        ),
        "rrule.byday_number_freq": (
            "BYDAY mit Zahl (z. B. 2MO) ist nur mit MONTHLY oder YEARLY erlaubt, nicht mit {freq}.",
            "BYDAY with a number (e.g. 2MO) is only allowed with MONTHLY or YEARLY, not with {freq}.",
        ),
        "rrule.byday_number_byweekno": (
            "BYDAY mit Zahl ist zusammen mit BYWEEKNO nicht erlaubt (RFC 5545).",
            "BYDAY with a number is not allowed together with BYWEEKNO (RFC 5545).",
        ),
        "rrule.bysetpos_alone": (
            "BYSETPOS braucht einen weiteren BY-Teil (z. B. BYDAY), aus dem es auswählt.",
            "BYSETPOS needs another BY part (e.g. BYDAY) to select from.",
        ),
        "rrule.count_and_until": (
            "COUNT und UNTIL dürfen nicht gemeinsam verwendet werden.",
            "COUNT and UNTIL must not be used together.",
        ),
        "rrule.bounded": ("{part} muss zwischen 1 und {upper} liegen.", "{part} must be between 1 and {upper}."),
        "rrule.bad_wkst": (
            "WKST muss ein Wochentag sein (MO … SU), nicht {value}.",
            "WKST must be a weekday (MO … SU), not {value}.",
        ),
        "rrule.until_before_start": ("UNTIL liegt vor dem Beginn des Termins.", "UNTIL is before the event's start."),
        "rrule.no_occurrences": (
            "Die Wiederholungsregel ergibt keinen einzigen Termin: in zehn Jahren ab Beginn trifft sie kein "
            "existierendes Datum mit existierender Uhrzeit (z. B. 30. Februar oder nur die bei der "
            "Zeitumstellung übersprungene Stunde).",
            "The recurrence rule yields no occurrence at all: in ten years from the start it hits no existing date "
            "with an existing time of day (e.g. 30 February, or only the hour skipped when clocks change).",
        ),
        "rrule.stored_unreadable": (
            "Die gespeicherte Wiederholungsregel ist nicht lesbar.",
            "The stored recurrence rule cannot be read.",
        ),
    }
)

# Vorschau (preview) of a group's schedule.
MESSAGES.update(
    {
        "preview.range_empty": ("Das Ende muss nach dem Beginn liegen.", "The end must be after the start."),
        "preview.range_too_long": (
            "Der Zeitraum darf höchstens {days} Tage umfassen.",
            "The range may span at most {days} days.",
        ),
    }
)
