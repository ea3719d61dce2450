"""One module per dashboard page; importing this package registers them all with NiceGUI."""

from app.ui.pages import (  # noqa: F401
    calendar,
    dashboard,
    groups,
    login,
    media,
    monitoring,
    programminfo,
    resources,
    settings,
    users,
)
