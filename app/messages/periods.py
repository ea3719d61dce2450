"""Texts of the periods area's expected failures: academic periods, holidays, holiday files and
subscriptions, calendar feeds (keys raised in app/domain)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # academic periods
    "period.not_found": ("Akademische Periode nicht gefunden", "Academic period not found"),
    "period.name_missing": ("Der Name ist erforderlich.", "The name is required."),
    "period.name_too_long": (
        "Der Name darf höchstens {max} Zeichen haben.",
        "The name may have at most {max} characters.",
    ),
    "period.display_name_too_long": (
        "Der Anzeigename darf höchstens {max} Zeichen haben.",
        "The display name may have at most {max} characters.",
    ),
    "period.start_after_end": (
        "Das Startdatum muss vor oder am Enddatum liegen.",
        "The start date must be on or before the end date.",
    ),
    "period.name_taken": (
        'Eine Periode mit dem Namen "{name}" existiert bereits.',
        'A period named "{name}" already exists.',
    ),
    "period.overlap": (
        "Der Zeitraum überschneidet sich mit {other} desselben Typs.",
        "The dates overlap {other} of the same type.",
    ),
    "period.archived_not_editable": (
        "Archivierte Perioden können nicht bearbeitet werden.",
        "Archived periods cannot be edited.",
    ),
    "period.archived_not_activatable": (
        "Archivierte Perioden können nicht aktiviert werden.",
        "Archived periods cannot be activated.",
    ),
    "period.holidays_outside": (
        "Ferien dieser Periode lägen außerhalb des neuen Zeitraums.",
        "Holidays of this period would lie outside the new dates.",
    ),
    "period.archive_blocked": ("Die Periode kann nicht archiviert werden.", "The period cannot be archived."),
    "period.not_archived": ("Die Periode ist nicht archiviert.", "The period is not archived."),
    "period.delete_blocked": ("Die Periode kann nicht gelöscht werden.", "The period cannot be deleted."),
    # holidays
    "holiday.not_found": ("Ferien nicht gefunden", "Holidays not found"),
    "holiday.name_missing": ("Der Name ist erforderlich.", "The name is required."),
    "holiday.name_too_long": (
        "Der Name darf höchstens {max} Zeichen haben.",
        "The name may have at most {max} characters.",
    ),
    "holiday.region_too_long": (
        "Die Region darf höchstens {max} Zeichen haben.",
        "The region may have at most {max} characters.",
    ),
    "holiday.start_after_end": (
        "Das Startdatum muss vor oder am Enddatum liegen.",
        "The start date must be on or before the end date.",
    ),
    "holiday.period_archived": (
        "Ferien archivierter Perioden können nicht geändert werden.",
        "Holidays of archived periods cannot be changed.",
    ),
    "holiday.outside_period": (
        "Die Ferien müssen innerhalb der Periode „{name}“ liegen ({start} – {end}).",
        "The holidays must lie within the period “{name}” ({start} – {end}).",
    ),
    "holiday.overlap": ("Überschneidung mit anderen Ferien: {listing}", "Overlaps other holidays: {listing}"),
    "holiday.duplicate": ("Diese Ferien sind bereits erfasst: {other}", "These holidays are already recorded: {other}"),
    "holiday.legacy_delete_only": (
        "Nicht zugeordnete Alt-Ferien können nur gelöscht werden.",
        "Unassigned legacy holidays can only be deleted.",
    ),
    "holiday.file_too_large": ("Die Datei ist zu groß (höchstens 1 MB).", "The file is too large (at most 1 MB)."),
    # holiday files (CSV/TXT, iCalendar)
    "holiday_file.not_text": (
        "Die Datei ist keine Textdatei (CSV/TXT erwartet).",
        "The file is not a text file (CSV/TXT expected).",
    ),
    "holiday_file.no_columns": (
        "Keine Spalten erkannt: erwartet werden Name, Start, Ende (getrennt durch ; , oder Tab).",
        "No columns found: name, start, end expected (separated by ; , or tab).",
    ),
    "holiday_file.empty": ("Die Datei enthält keine Ferien.", "The file contains no holidays."),
    "holiday_file.header_only": ("Die Datei enthält nur eine Kopfzeile.", "The file contains only a header line."),
    "holiday_file.too_many_rows": ("Zu viele Zeilen (höchstens {max}).", "Too many lines (at most {max})."),
    "holiday_file.row_too_short": (
        "Zeile {line}: erwartet werden mindestens Name, Start und Ende.",
        "Line {line}: at least name, start and end are expected.",
    ),
    "holiday_file.row_name_missing": ("Zeile {line}: der Name fehlt.", "Line {line}: the name is missing."),
    "holiday_file.row_name_too_long": (
        "Zeile {line}: der Name ist länger als {max} Zeichen.",
        "Line {line}: the name is longer than {max} characters.",
    ),
    "holiday_file.row_bad_date": (
        "Zeile {line}: ungültiges Datum „{value}“ (JJJJ-MM-TT oder TT.MM.JJJJ).",
        "Line {line}: invalid date “{value}” (YYYY-MM-DD or DD.MM.YYYY).",
    ),
    "holiday_file.row_start_after_end": (
        "Zeile {line}: das Startdatum liegt nach dem Enddatum.",
        "Line {line}: the start date is after the end date.",
    ),
    "holiday_file.row_region_too_long": (
        "Zeile {line}: die Region ist länger als {max} Zeichen.",
        "Line {line}: the region is longer than {max} characters.",
    ),
    "holiday_file.ics_unreadable": (
        "Die iCalendar-Datei ist nicht lesbar: {detail}",
        "The iCalendar file cannot be read: {detail}",
    ),
    "holiday_file.ics_no_calendar": (
        "Die iCalendar-Datei enthält keinen Kalender.",
        "The iCalendar file contains no calendar.",
    ),
    "holiday_file.ics_no_events": (
        "Die iCalendar-Datei enthält keine Termine (VEVENT).",
        "The iCalendar file contains no events (VEVENT).",
    ),
    "holiday_file.too_many_entries": ("Zu viele Termine (höchstens {max}).", "Too many entries (at most {max})."),
    "holiday_file.too_many_holidays": ("Zu viele Ferien (höchstens {max}).", "Too many holidays (at most {max})."),
    # holiday subscriptions
    "holiday_subscription.not_found": ("Ferien-Abo nicht gefunden.", "Holiday subscription not found."),
    "holiday_subscription.url_missing": ("Die Adresse fehlt.", "The address is missing."),
    "holiday_subscription.url_too_long": (
        "Die Adresse ist länger als {max} Zeichen.",
        "The address is longer than {max} characters.",
    ),
    "holiday_subscription.url_scheme": (
        "Erwartet wird eine http(s)- oder webcal-Adresse.",
        "An http(s) or webcal address is expected.",
    ),
    "holiday_subscription.url_credentials": (
        "Zugangsdaten in der Adresse werden nicht unterstützt.",
        "Credentials in the address are not supported.",
    ),
    # calendar feeds
    "calendar_feed.not_found": ("Kalender-Abo nicht gefunden.", "Calendar subscription not found."),
    "calendar_feed.already_revoked": (
        "Dieses Kalender-Abo wurde bereits widerrufen.",
        "This calendar subscription was already revoked.",
    ),
    "calendar_feed.label_too_long": (
        "Die Bezeichnung darf höchstens {max} Zeichen haben.",
        "The label may have at most {max} characters.",
    ),
}
