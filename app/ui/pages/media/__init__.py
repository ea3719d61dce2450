"""Medien: the page (route and composition), the library table and its dialogs, one module each."""

from app.ui.pages.media import page  # noqa: F401  (registers the route)
from app.ui.pages.media.library import CONVERSION_LABELS

__all__ = ["CONVERSION_LABELS"]
