"""Texts of the alarms area's expected failures (keys raised in app/domain/alarms)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "alarm.not_found": ("Alarm nicht gefunden", "Alarm not found"),
    "alarm.not_active": (
        "Nur ein aktiver Alarm kann quittiert werden (Zustand: {state}).",
        "Only an active alarm can be acknowledged (state: {state}).",
    ),
    "alarm.note_too_long": (
        "Die Notiz darf höchstens {maximum} Zeichen lang sein.",
        "The note may be at most {maximum} characters long.",
    ),
    "alarm.group_not_found": ("Gruppe nicht gefunden", "Group not found"),
    "alarm.bad_until": ("Ungültige Zeitangabe für das Wartungsende.", "Invalid end of maintenance."),
    "alarm.bad_page": ("limit und offset dürfen nicht negativ sein.", "limit and offset must not be negative."),
    "channel.not_found": ("Benachrichtigungskanal nicht gefunden", "Notification channel not found"),
    "channel.bad_name": ("Der Name muss 1–100 Zeichen lang sein.", "The name must be 1–100 characters long."),
    "channel.bad_recipients": (
        "Mindestens eine gültige E-Mail-Adresse angeben.",
        "Give at least one valid e-mail address.",
    ),
    "channel.bad_url": ("Nur http(s)-URLs sind erlaubt.", "Only http(s) URLs are allowed."),
    "channel.bad_language": ("Sprache: de oder en.", "Language: de or en."),
    "smtp.bad_host": ("Ungültiger SMTP-Server.", "Invalid SMTP server."),
    "smtp.bad_port": ("Der Port muss zwischen 1 und 65535 liegen.", "The port must be between 1 and 65535."),
    "smtp.bad_security": ("Verschlüsselung: none, starttls oder ssl.", "Encryption: none, starttls or ssl."),
    "smtp.bad_from": ("Ungültige Absenderadresse.", "Invalid sender address."),
    "smtp.too_long": (
        "Benutzername und Passwort: höchstens 255 Zeichen.",
        "User name and password: at most 255 characters.",
    ),
    "subscription.no_email": (
        "Für Alarm-Mails zuerst im Profil eine E-Mail-Adresse hinterlegen.",
        "Set an e-mail address in your profile first to get alarm mails.",
    ),
    "subscription.bad_time": ("Uhrzeit der Zusammenfassung: HH:MM.", "Time of the digest: HH:MM."),
    "subscription.bad_mode": (
        "Unbekannte Zustellart oder Alarmart.",
        "Unknown delivery mode or alarm kind.",
    ),
    "subscription.bad_language": ("Sprache: de oder en.", "Language: de or en."),
}
