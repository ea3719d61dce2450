"""Texts shared by every area: permissions, login, generic input problems."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "auth.required": ("Nicht angemeldet.", "Not logged in."),
    "auth.forbidden": ("Keine Berechtigung für diese Aktion.", "You are not allowed to do this."),
    "input.invalid_uuid": ("Ungültige Client-UUID.", "Invalid client UUID."),
}
