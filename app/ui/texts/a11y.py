"""Accessible names of icon-only controls and images (#17 point 10): what a screen reader says for them."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "a11y.open_navigation": ("Navigation öffnen", "Open navigation"),
    "a11y.user_menu": ("Benutzermenü", "User menu"),
    "a11y.move_up": ("Nach oben verschieben", "Move up"),
    "a11y.move_down": ("Nach unten verschieben", "Move down"),
    "a11y.details": ("Details anzeigen", "Show details"),
    "a11y.select_row": ("Zeile auswählen", "Select row"),
    "a11y.select_all": ("Alle auswählen", "Select all"),
    "a11y.view_pdf": ("PDF ansehen", "View PDF"),
    "a11y.download": ("Herunterladen", "Download"),
    "a11y.upload": ("Datei hochladen", "Upload a file"),
    "a11y.screenshot": ("Letzter Screenshot von {name}", "Latest screenshot of {name}"),
    "a11y.status": ("Status: {status}", "Status: {status}"),
    "a11y.healthy_share": ("Anteil gesunder Anzeigen", "Share of healthy displays"),
    "a11y.open_display": ("Anzeige {name} öffnen", "Open display {name}"),
}
