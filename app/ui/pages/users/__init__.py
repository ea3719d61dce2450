"""Benutzer: the page (route and composition), its data and its dialogs, one module each."""

from app.ui.pages.users import page  # noqa: F401  (registers the route)
