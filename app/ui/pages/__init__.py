"""One module per dashboard page; importing this package registers them all with NiceGUI."""

from app.ui.pages import dashboard, groups, login, monitoring, programminfo, settings, users  # noqa: F401
