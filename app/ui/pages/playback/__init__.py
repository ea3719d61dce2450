"""Wiedergabe: planned vs reported playback per room, with a chart and a CSV download."""

from app.ui.pages.playback import page  # noqa: F401
