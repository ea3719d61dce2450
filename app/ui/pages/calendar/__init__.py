"""Termine: the page (route and composition) and its toolbar, views, dialogs and live updates, one module each."""

from app.ui.pages.calendar import page  # noqa: F401  (registers the route)
