"""Alarme (admin+): open alarms first, acknowledge with a note, the history, filters and live updates."""

from app.ui.pages.alarms import page  # noqa: F401
