"""Durchsagen: the running ones, the history, and the receipts per room and display of one."""

from app.ui.pages.broadcasts import page  # noqa: F401  (registers the route)
