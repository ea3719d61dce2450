"""One module or package per dashboard page (route in `page.py`, its views and dialogs beside it); importing
this package registers them all with NiceGUI."""

from app.ui.pages import (  # noqa: F401
    api_tokens,
    audit,
    calendar,
    dashboard,
    groups,
    login,
    media,
    monitoring,
    playback,
    profile,
    programminfo,
    resources,
    settings,
    users,
)
