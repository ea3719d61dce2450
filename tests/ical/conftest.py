"""The browser fixtures of the dashboard tests (one real `infoscreen run`, one headless Chromium)."""

from tests.ui.conftest import browser, context, page, server  # noqa: F401
