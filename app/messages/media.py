"""Texts of the media area's expected failures (keys raised in app/domain)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "media.not_found": ("Medium nicht gefunden.", "Media not found."),
    "media.period_not_found": ("Akademischer Zeitraum nicht gefunden.", "Academic period not found."),
    "media.unsupported_type": (
        "Dateityp '{ext}' wird nicht unterstützt. Erlaubt: {allowed}.",
        "File type '{ext}' is not supported. Allowed: {allowed}.",
    ),
    "media.content_invalid": (
        "Der Inhalt der Datei ist kein gültiges {kind} (unbekanntes oder beschädigtes Format).",
        "The file's content is not a valid {kind} (unknown or damaged format).",
    ),
    "media.content_mismatch": (
        "Dateiname und Inhalt passen nicht zusammen: '{ext}' enthält {found}-Daten.",
        "File name and content do not match: '{ext}' contains {found} data.",
    ),
    "media.video_too_long": (
        "Das Video ist {length} Minuten lang; erlaubt sind höchstens {minutes} Minuten.",
        "The video runs {length} minutes; at most {minutes} minutes are allowed.",
    ),
    "media.invalid_file_name": ("Ungültiger Dateiname.", "Invalid file name."),
    "media.invalid_path": ("Ungültiger Dateipfad.", "Invalid file path."),
    "media.too_large": (
        "Die Datei ist zu groß (höchstens {max_mb} MB).",
        "The file is too large (at most {max_mb} MB).",
    ),
    "media.empty": ("Die Datei ist leer.", "The file is empty."),
    "media.duplicate": (
        "Diese Datei ist bereits in der Mediathek: „{name}“ (ID {id}).",
        "This file is already in the media library: “{name}” (ID {id}).",
    ),
    "media.invalid_url": ("Ungültige URL.", "Invalid URL."),
    "media.url_scheme": (
        "Die URL muss mit http:// oder https:// beginnen und einen Host enthalten.",
        "The URL must start with http:// or https:// and name a host.",
    ),
    "media.invalid_name": ("Ungültiger Name.", "Invalid name."),
    "media.in_use": (
        "„{name}“ wird noch von {count} Termin(en) verwendet.",
        "“{name}” is still used by {count} event(s).",
    ),
    "media.not_convertible": (
        "Nur PPT-, PPTX- und ODP-Dateien werden in PDF umgewandelt.",
        "Only PPT, PPTX and ODP files are converted to PDF.",
    ),
}
