"""Monitoring (superadmin): the route in `page.py`, the live view, its cards, panels, restart flow and logs."""

from app.ui.pages.monitoring import page  # noqa: F401
