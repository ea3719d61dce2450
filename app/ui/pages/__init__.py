"""One module per dashboard page; importing this package registers them all with NiceGUI."""

from app.ui.pages import dashboard, groups, login, media, monitoring, programminfo, settings, users  # noqa: F401
