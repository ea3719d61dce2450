"""Ressourcen: the page (route and composition), its timeline and its group order panel, one module each."""

from app.ui.pages.resources import page  # noqa: F401  (registers the route)
