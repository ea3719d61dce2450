"""Vorschau: the page (route and toolbar), what it loads, its timeline and the payload dialog, one module each."""

from app.ui.pages.preview import page  # noqa: F401  (registers the route)
