"""Texts of the settings area's expected failures (keys raised in app/domain)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "setting.key_missing": ("Schlüssel fehlt.", "The key is missing."),
    "setting.value_too_long": ("{name}: Wert zu lang", "{name}: value too long"),
    "setting.unknown_key": ("Unbekannter Einstellungsschlüssel: {name}", "Unknown setting key: {name}"),
    "setting.expected_bool": ("{name}: erwartet true oder false", "{name}: expected true or false"),
    "setting.not_a_number": ("{name}: keine gültige Zahl", "{name}: not a valid number"),
    "setting.below_minimum": ("{name}: muss mindestens {minimum} sein", "{name}: must be at least {minimum}"),
    "setting.above_maximum": ("{name}: darf höchstens {maximum} sein", "{name}: may be at most {maximum}"),
    "setting.url_scheme": ("{name}: nur http(s)-URLs sind erlaubt", "{name}: only http(s) URLs are allowed"),
    "setting.url_too_long": ("{name}: URL zu lang", "{name}: URL too long"),
    "setting.supplement_needs_url": (
        "Für einen aktiven Vertretungsplan ist eine URL nötig.",
        "An active supplement table needs a URL.",
    ),
}
