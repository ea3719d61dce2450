"""Dashboard: the route in `page.py`, its state, the group cards and the bulk restart report."""

from app.ui.pages.dashboard import page  # noqa: F401
