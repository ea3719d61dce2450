"""One module or package per dashboard page (route in `page.py`, its views and dialogs beside it); importing
this package registers them all with NiceGUI."""

from app.ui.pages import (  # noqa: F401
    alarms,
    api_tokens,
    audit,
    broadcasts,
    calendar,
    dashboard,
    groups,
    login,
    media,
    monitoring,
    playback,
    preview,
    profile,
    programminfo,
    resources,
    settings,
    users,
)
