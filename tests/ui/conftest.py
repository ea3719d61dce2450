"""Browser fixtures: one real `infoscreen run` and one headless Debian Chromium for the dashboard tests."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.support.process import InfoscreenProcess, infoscreen

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
SUPERADMIN = ("superadmin", "superadmin-pass")
TIMEOUT_MS = 15_000


@contextmanager
def ui_server(tmp: Path, **env: str) -> Iterator[InfoscreenProcess]:
    """`infoscreen run` for browser tests, with NiceGUI behaving as in production."""
    # NiceGUI changes behaviour under pytest (it checks this variable); the server must run as in production.
    saved = os.environ.pop("PYTEST_CURRENT_TEST", None)
    try:
        with infoscreen("run", tmp, **env) as proc:
            if saved is not None:
                os.environ["PYTEST_CURRENT_TEST"] = saved
                saved = None
            yield proc
            proc.terminate()
    finally:
        if saved is not None:
            os.environ["PYTEST_CURRENT_TEST"] = saved


FAILURES = SCREENSHOTS.parent / "failures"
CONSOLE: dict[int, list[str]] = {}  # per page: its console messages and errors, for the failure report


def _what_the_page_showed(page: Page, name: str) -> str:
    """The page's address, open dialogs and toasts as text, and a screenshot: what the user saw instead."""
    try:
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FAILURES / f"{name}.png"), full_page=True, timeout=5_000)
        shown = page.locator(".q-dialog, .q-notification").all_inner_texts()
        body = page.locator("body").inner_text(timeout=5_000)
    except PlaywrightError as exc:
        return f"{page.url}: not readable ({exc.message.splitlines()[0]})"
    dialogs = "\n---\n".join(text.strip() for text in shown if text.strip()) or "(no dialog or toast open)"
    console = "\n".join(CONSOLE.get(id(page), [])[-40:]) or "(nothing)"
    return (
        f"{page.url} (screenshot {FAILURES.name}/{name}.png)\n{dialogs}\n--- browser console ---\n{console}"
        f"\n--- page text ---\n{body[:800]}"
    )


def _server_problems(server: InfoscreenProcess, lines: int = 40) -> str:
    logged = [line for line in server.log().splitlines() if "WARNING" in line or "ERROR" in line or "Traceback" in line]
    return "\n".join(logged[-lines:]) or "(no warnings or errors logged)"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failed browser test, add what every open page showed and the server's warnings to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    browser = funcargs.get("browser")
    pages = [p for ctx in browser.contexts for p in ctx.pages] if isinstance(browser, Browser) else []
    for n, page in enumerate(pages):
        report.sections.append((f"page {n} at failure", _what_the_page_showed(page, f"{item.name}-{n}")))
    for value in funcargs.values():
        if isinstance(value, InfoscreenProcess):
            report.sections.append((f"server log ({value.base_url})", _server_problems(value)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfoscreenProcess]:
    with ui_server(tmp_path_factory.mktemp("ui-server"), HEARTBEAT_GRACE_PERIOD_DEV="30") as proc:
        yield proc


BROWSER_SLOTS = int(os.environ.get("BROWSER_SLOTS", "2"))
# For the failure report: each event the page sends and the socket's state, so a lost click shows whether it
# left the browser at all.
SOCKET_PROBE = """
(() => {
  let socket;
  Object.defineProperty(window, "socket", {
    configurable: true,
    get() { return socket; },
    set(value) {
      socket = value;
      const emit = value.emit.bind(value);
      value.emit = (name, ...args) => {
        if (name === "event") console.debug(`event sent: element ${args[0]?.id} connected=${value.connected}`);
        return emit(name, ...args);
      };
      value.on("connect", () => console.debug("socket connected"));
      value.on("disconnect", (reason) => console.warn(`socket disconnected: ${reason}`));
    },
  });
})();
"""


@contextmanager
def _browser_slot() -> Iterator[None]:
    """At most BROWSER_SLOTS test modules drive a browser at once, across all pytest workers.

    Each holds a Chromium and a full server; three of them next to the other workers' tests on two cores
    starved the browsers for seconds. The other workers run the non-browser tests meanwhile."""
    folder = os.path.join(tempfile.gettempdir(), f"infoscreen-browser-slots-{os.getuid()}")
    os.makedirs(folder, exist_ok=True)
    while True:
        for n in range(BROWSER_SLOTS):
            handle = open(os.path.join(folder, f"slot-{n}.lock"), "w")  # noqa: SIM115 - held for the module
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        time.sleep(0.2)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with _browser_slot(), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, server: InfoscreenProcess) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=server.base_url, viewport={"width": 1366, "height": 768}, locale="de-DE")
    ctx.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    ctx.on("page", _record_console)
    ctx.add_init_script(SOCKET_PROBE)
    yield ctx
    ctx.close()


def _record_console(page: Page) -> None:
    lines = CONSOLE.setdefault(id(page), [])
    page.on("console", lambda message: lines.append(f"{message.type}: {message.text[:300]}"))
    page.on("pageerror", lambda error: lines.append(f"pageerror: {error}"[:300]))
    page.on("close", lambda _: CONSOLE.pop(id(page), None))


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def graphql(server: InfoscreenProcess, query: str, variables: dict[str, Any] | None = None, token: str = "") -> Any:
    """Set up data through the real API over HTTP (as an integrator would)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(
        f"{server.base_url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
    ).json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def admin_token(server: InfoscreenProcess) -> str:
    data = graphql(
        server,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { ... on LoginPayload { token } } }",
        {"u": SUPERADMIN[0], "p": SUPERADMIN[1]},
    )
    return str(data["login"]["token"])


def open_tab(page: Page, name: str, shows: Locator | None = None) -> None:
    """Select a tab (and wait for what it `shows`), clicking again when the first click went nowhere.

    On a freshly (re)loaded page under CI load, a tab click was seen leaving the browser on a connected socket
    while the server kept the old tab, which then came back; a user would simply click once more."""
    tab = page.get_by_role("tab", name=name, exact=True)
    for _attempt in range(3):
        tab.click()
        try:
            expect(tab).to_have_attribute("aria-selected", "true", timeout=5_000)
            if shows is not None:
                expect(shows).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            continue
    expect(tab).to_have_attribute("aria-selected", "true")
    if shows is not None:
        expect(shows).to_be_visible()


def logout(page: Page) -> None:
    """Log out and land on the login page. The logout ends the session the open page's connection belongs to;
    the page's own move to the login page may overtake the navigation (net::ERR_ABORTED), same end."""
    try:
        page.goto("/logout")
    except PlaywrightError as exc:
        if "ERR_ABORTED" not in str(exc):
            raise
    expect(page.get_by_test_id("login-submit")).to_be_visible()
