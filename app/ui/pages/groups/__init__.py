"""Raumgruppen & Clients: the page (route and composition) and its views and dialogs, one small module each."""

from app.ui.pages.groups import page  # noqa: F401  (registers the route)
