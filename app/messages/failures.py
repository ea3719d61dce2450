"""Failure texts the server STORES in German (a conversion's `errorMessage`, a holiday subscription's
`lastError`), as templates in both languages.

The domain keeps writing the German text (the admin's log and existing rows stay as they are); an edge that
shows one to an English reader turns it into English with `app.messages.translate_stored`, which recognises
the text by these templates (and every other template of the message tables) and re-renders its parameters.
Keep the German templates identical to what `app/domain/media/` and `app/domain/periods/` write.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # conversions (app/domain/media/conversions.py, converters.py)
    "conversion_failure.source_missing": (
        "Die Originaldatei fehlt auf dem Server.",
        "The original file is missing on the server.",
    ),
    "conversion_failure.pdf_unreadable": (
        "Das erzeugte PDF ist nicht lesbar: {error}",
        "The produced PDF cannot be read: {error}",
    ),
    "conversion_failure.pdf_empty": ("Das erzeugte PDF hat keine Seiten.", "The produced PDF has no pages."),
    "conversion_failure.gotenberg_timeout": (
        "Gotenberg antwortet nicht rechtzeitig ({error}).",
        "Gotenberg did not answer in time ({error}).",
    ),
    "conversion_failure.gotenberg_unreachable": (
        "Gotenberg ist nicht erreichbar: {error}",
        "Gotenberg cannot be reached: {error}",
    ),
    "conversion_failure.gotenberg_no_pdf": ("Gotenberg hat kein PDF geliefert.", "Gotenberg delivered no PDF."),
    "conversion_failure.gotenberg_unavailable": (
        "Gotenberg vorübergehend nicht verfügbar (HTTP {status}): {detail}",
        "Gotenberg temporarily unavailable (HTTP {status}): {detail}",
    ),
    "conversion_failure.refused": (
        "Die Datei konnte nicht umgewandelt werden (HTTP {status}): {detail}",
        "The file could not be converted (HTTP {status}): {detail}",
    ),
    "conversion_failure.no_converter": (
        "Keine Umwandlung möglich: GOTENBERG_URL ist nicht gesetzt und LibreOffice (soffice) ist nicht installiert.",
        "No conversion possible: GOTENBERG_URL is not set and LibreOffice (soffice) is not installed.",
    ),
    "conversion_failure.wall_time": (
        "LibreOffice hat die Zeitgrenze von {seconds} s überschritten und wurde beendet.",
        "LibreOffice exceeded the time limit of {seconds} s and was stopped.",
    ),
    "conversion_failure.cpu_time": (
        "LibreOffice hat die Rechenzeitgrenze von {seconds} s erreicht und wurde beendet.",
        "LibreOffice reached the CPU time limit of {seconds} s and was stopped.",
    ),
    "conversion_failure.disk_full": (
        "Kein Speicherplatz mehr auf dem Server: das PDF ließ sich nicht schreiben.",
        "No space left on the server: the PDF could not be written.",
    ),
    "conversion_failure.memory": (
        "LibreOffice hat die Speichergrenze von {mb} MB erreicht und wurde beendet.",
        "LibreOffice reached the memory limit of {mb} MB and was stopped.",
    ),
    "conversion_failure.unreadable_source": (
        "LibreOffice konnte die Datei nicht öffnen (beschädigt oder keine gültige Präsentation).",
        "LibreOffice could not open the file (damaged or not a valid presentation).",
    ),
    "conversion_failure.crashed": (
        "LibreOffice ist abgestürzt (Signal {signal}).",
        "LibreOffice crashed (signal {signal}).",
    ),
    "conversion_failure.exit_code": (
        "LibreOffice ist fehlgeschlagen (Exit-Code {code}).",
        "LibreOffice failed (exit code {code}).",
    ),
    "conversion_failure.output_too_large": (
        "Das erzeugte PDF wäre größer als {mb} MB; die Umwandlung wurde abgebrochen.",
        "The produced PDF would be larger than {mb} MB; the conversion was stopped.",
    ),
    "conversion_failure.time_limit": ("Zeitlimit überschritten.", "Time limit exceeded."),
    "conversion_failure.internal": ("Interner Fehler bei der Umwandlung.", "Internal error during the conversion."),
    "conversion_failure.after_attempts": (
        "{message} (nach {attempts} Versuchen)",
        "{message} (after {attempts} attempts)",
    ),
    # holiday subscriptions (app/domain/periods/feed_fetch.py, holiday_subscriptions.py)
    "feed_failure.not_icalendar": (
        "Die Adresse liefert keinen iCalendar-Inhalt (BEGIN:VCALENDAR fehlt).",
        "The address does not deliver iCalendar content (BEGIN:VCALENDAR is missing).",
    ),
    "feed_failure.too_large_declared": (
        "Der Feed ist zu groß ({size} Bytes, erlaubt {max}).",
        "The feed is too large ({size} bytes, allowed {max}).",
    ),
    "feed_failure.too_large": (
        "Der Feed ist zu groß (mehr als {max} Bytes).",
        "The feed is too large (more than {max} bytes).",
    ),
    "feed_failure.http_status": ("Der Server antwortete mit HTTP {status}.", "The server answered with HTTP {status}."),
    "feed_failure.timeout": (
        "Zeitüberschreitung: keine vollständige Antwort in {seconds} s.",
        "Timed out: no complete answer within {seconds} s.",
    ),
    "feed_failure.redirects": ("Zu viele Weiterleitungen.", "Too many redirects."),
    "feed_failure.unreachable": ("Der Feed ist nicht erreichbar: {error}", "The feed cannot be reached: {error}"),
}
