"""Live pages under a real fleet: redraws, time to show a change and click feedback on Dashboard,
Raumgruppen and Monitoring.

What a school runs: `infoscreen run` with its defaults (embedded Mosquitto, SQLite in DATA_DIR, the worker in
process), started as a real subprocess. A child process simulates the fleet at the MQTT contract's rates
(tests/ui/fleet_rates.py: health every 5 s, heartbeat every 65 s, info log every 30 s, a WARN line every 120 s
from every 20th display; a few broker connections carry many displays, the uuid is in the topic). The displays
are spread over 40 room groups. Headless Chromium (as the UI tests) opens each page in turn, logged in as the
superadmin, and measures from inside the page (tests/ui/live_probe.py):
- redraws per minute while nothing is clicked: DOM changes of the page content (changes within 150 ms of
  each other are one redraw: one update and its transitions), the elements removed (rebuilt subtrees), and
  NiceGUI's own `update` websocket messages and their size;
- time to show a change: one display starts reporting a crashed player (the page must show it CRITICAL) and
  one goes silent (it must show OFFLINE once its last heartbeat is older than the grace period; timed from
  that moment);
- click feedback: representative clicks timed in the page from the click to what the user waits for;
  a click with no feedback within 5 s is lost.
Targets: at most one redraw per page per 2 s, a change shown within 3 s, every click answered within
300 ms, no click lost. Prints a table and exits 1 when a target is missed.

    .venv/bin/python bench/ui_live.py [--displays 500] [--window 60] [--pages dashboard,groups,monitoring]
        [--grace 90] [--rounds 5] [--log-days 1] [--json out.json]

`--log-days` (default 1) first fills the log table as a day of the fleet at these rates leaves it (~1.4 M rows
at 500 displays; the Monitoring cards count each display's problem logs in it).
`--grace` sets HEARTBEAT_GRACE_PERIOD_DEV (default 180 s in production use; lower here so a silent display
turns offline within the run; it stays above the 65 s heartbeat period so the fleet does not flap).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from app.domain.clients.models import Client  # noqa: E402
from app.domain.clock import utcnow  # noqa: E402
from app.domain.enums import LogLevel  # noqa: E402
from app.domain.monitoring.models import ClientLog  # noqa: E402
from tests.support.process import InfoscreenProcess  # noqa: E402
from tests.support.servers import mosquitto_server  # noqa: E402
from tests.ui import live_probe  # noqa: E402
from tests.ui.conftest import CHROMIUM, CHROMIUM_ARGS, SUPERADMIN, admin_token, graphql, login, ui_server  # noqa: E402
from tests.ui.fleet_rates import PERIODS, WARN_EVERY_NTH, RateFleet, make_displays  # noqa: E402

GROUPS = 40
MAX_REDRAWS_PER_MINUTE = 30.0  # one per 2 s
MAX_CHANGE_SECONDS = 3.0
MAX_CLICK_MS = 300.0
CLICK_TIMEOUT_MS = 5000
PAGES = ("dashboard", "groups", "monitoring")


@dataclass
class PageResult:
    page: str
    redraws_per_min: float = float("nan")
    rebuilt_per_min: float = float("nan")
    updates_per_min: float = float("nan")
    update_kb_per_min: float = float("nan")
    crash_seconds: float | None = None
    silent_seconds: float | None = None
    reloads: int = 0
    clicks: dict[str, list[float | None]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def click_times(self) -> list[float]:
        return [ms for values in self.clicks.values() for ms in values if ms is not None]

    @property
    def lost(self) -> int:
        return sum(1 for values in self.clicks.values() for ms in values if ms is None)

    def misses(self) -> list[str]:
        out = list(self.errors)
        if self.reloads:
            out.append(f"the page reloaded itself {self.reloads}x (connection dropped)")
        if not self.redraws_per_min <= MAX_REDRAWS_PER_MINUTE:
            out.append(f"redraws {self.redraws_per_min:.0f}/min > {MAX_REDRAWS_PER_MINUTE:.0f}")
        for what, value in (("crash", self.crash_seconds), ("silent", self.silent_seconds)):
            if value is None or value > MAX_CHANGE_SECONDS:
                out.append(f"{what} shown after {'never' if value is None else f'{value:.1f} s'}")
        slow = [ms for ms in self.click_times if ms > MAX_CLICK_MS]
        if slow:
            out.append(f"{len(slow)} clicks > {MAX_CLICK_MS:.0f} ms (max {max(slow):.0f})")
        if self.lost:
            out.append(f"{self.lost} clicks lost")
        return out


# --- the pages' clicks ------------------------------------------------------------------------------------
def _q(testid: str) -> str:
    return f"document.querySelector('[data-testid=\"{testid}\"]')"


def _all_health(selector: str, status: str, *, only: bool) -> str:
    """Visible health tags under `selector`: all `status` (only=True) or at least one other (only=False)."""
    tags = (
        f"[...document.querySelectorAll('{selector}')].filter(e => e.offsetParent || e.getClientRects().length)"
        ".map(e => e.dataset.health)"
    )
    if only:
        return f"(t => t.length > 0 && t.every(h => h === '{status}'))({tags})"
    return f"(t => t.some(h => h !== '{status}'))({tags})"


def _button_with_text(container_testid: str, text: str) -> str:
    return (
        f"[...document.querySelectorAll('[data-testid=\"{container_testid}\"] button')]"
        f".find(b => b.textContent.trim().startsWith('{text}'))"
    )


def _menu_item(text: str) -> str:
    return f"[...document.querySelectorAll('.q-menu .q-item')].find(e => e.textContent.trim() === '{text}')"


_NOTIFICATIONS = "[...document.querySelectorAll('.q-notification')]"
_BADGE = "(n.querySelector('.q-notification__badge')?.textContent || '1')"


def _mark_notifications(page: Page) -> None:
    """Remember the toasts shown now. Quasar groups a repeated toast into the shown one (its badge counts up),
    so a second "Aktualisiert" is a new badge number, not a new element."""
    page.evaluate(f"() => {_NOTIFICATIONS}.forEach(n => {{ n.dataset.probeSeen = {_BADGE}; }})")


def _new_notification() -> str:
    return f"{_NOTIFICATIONS}.some(n => n.dataset.probeSeen !== {_BADGE})"


def _record(result: PageResult, name: str, ms: float | None) -> None:
    result.clicks.setdefault(name, []).append(ms)


def clicks_dashboard(page: Page, result: PageResult, ctx: dict[str, Any], rounds: int) -> None:
    rows = "[data-testid^=client-row-] [data-health]"
    for _ in range(rounds):
        ms = live_probe.timed_click(page, _button_with_text("dashboard-filter", "Kritisch"),
                                    _all_health(rows, "CRITICAL", only=True))  # fmt: skip
        _record(result, "filter", ms)
        ms = live_probe.timed_click(page, _button_with_text("dashboard-filter", "Alle"),
                                    _all_health(rows, "CRITICAL", only=False))  # fmt: skip
        _record(result, "filter", ms)
        _mark_notifications(page)
        ms = live_probe.timed_click(page, _q("refresh"), _new_notification())
        _record(result, "refresh", ms)
        page.wait_for_timeout(300)


def clicks_groups(page: Page, result: PageResult, ctx: dict[str, Any], rounds: int) -> None:
    gid = ctx["group_ids"][1]
    rows = "[data-testid=clients-table] tbody [data-health]"
    for n in range(rounds):
        ms = live_probe.timed_click(page, _q(f"group-rename-{gid}"), _q("group-name"))
        _record(result, "open dialog", ms)
        name = f"Raum umbenannt {n}"
        page.get_by_test_id("group-name").fill(name)
        ms = live_probe.timed_click(
            page, _q("group-save"), f"!{_q('group-name')} && {_q(f'group-item-{gid}')}.textContent.includes('{name}')"
        )
        _record(result, "rename", ms)
        page.get_by_test_id("status-filter").click()
        page.locator(".q-menu .q-item").first.wait_for()
        ms = live_probe.timed_click(page, _menu_item("Kritisch"), _all_health(rows, "CRITICAL", only=True))
        _record(result, "filter", ms)
        page.keyboard.press("Escape")
        page.get_by_test_id("status-filter").click()
        page.locator(".q-menu .q-item").first.wait_for()
        ms = live_probe.timed_click(page, _menu_item("Alle"), _all_health(rows, "CRITICAL", only=False))
        _record(result, "filter", ms)
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)


def clicks_monitoring(page: Page, result: PageResult, ctx: dict[str, Any], rounds: int) -> None:
    cards = "[data-testid^=mon-client-] [data-health]"
    crash_uuid = ctx["targets"]["crash-monitoring"]
    for _ in range(rounds):
        ms = live_probe.timed_click(page, _q("mon-filter-critical"), _all_health(cards, "CRITICAL", only=True))
        _record(result, "filter", ms)
        ms = live_probe.timed_click(page, _q("mon-filter-all"), _all_health(cards, "CRITICAL", only=False))
        _record(result, "filter", ms)
        ms = live_probe.timed_click(page, _q(f"logs-{crash_uuid}"), "document.querySelector('.q-dialog')")
        _record(result, "open dialog", ms)
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('.q-dialog')", timeout=CLICK_TIMEOUT_MS)
        page.wait_for_timeout(300)


def prepare_dashboard(page: Page, ctx: dict[str, Any], result: PageResult) -> None:
    """Open the card of the group holding the targets (its display rows are what shows a change)."""
    gid = ctx["group_ids"][0]
    header = f"document.querySelector('[data-testid=\"group-card-{gid}\"] .q-expansion-item .q-item')"
    uuid = ctx["targets"]["crash-dashboard"]
    visible = f"(e => e && e.getClientRects().length > 0)({_q(f'client-row-{uuid}')})"
    _record(result, "expand group", live_probe.timed_click(page, header, visible))


SCENARIOS: dict[str, tuple[str, str, Callable[..., None] | None, Callable[..., None]]] = {
    "dashboard": ("/", "dashboard-filter", prepare_dashboard, clicks_dashboard),
    "groups": ("/groups", "clients-table", None, clicks_groups),
    "monitoring": ("/monitoring", "mon-filter", None, clicks_monitoring),
}


# --- one page ---------------------------------------------------------------------------------------------
def measure_page(browser: Browser, server: InfoscreenProcess, fleet: RateFleet, name: str, ctx: dict[str, Any],
                 args: argparse.Namespace) -> PageResult:  # fmt: skip
    path, ready, prepare, clicks = SCENARIOS[name]
    result = PageResult(name)
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1440, "height": 900}, locale="de-DE")
    context.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)  # logging in while 500 displays report
    page = context.new_page()
    counter = live_probe.install(page)
    try:
        login(page, *SUPERADMIN)
        page.goto(path)
        page.get_by_test_id(ready).first.wait_for()
        page.wait_for_timeout(3000)
        if prepare is not None:
            prepare(page, ctx, result)
        crash_uuid, silent_uuid = ctx["targets"][f"crash-{name}"], ctx["targets"][f"silent-{name}"]
        live_probe.expect_health(page, "silent", silent_uuid, "OFFLINE")
        silenced_at = fleet.silence(silent_uuid)
        # Redraws while the fleet reports and nobody clicks.
        live_probe.watch(page)
        counter.reset()
        page.wait_for_timeout(args.window * 1000)
        seen = live_probe.redraws(page)
        minutes = seen["seconds"] / 60
        result.redraws_per_min = seen["redraws"] / minutes
        result.rebuilt_per_min = seen["removed"] / minutes
        result.updates_per_min = counter.messages / minutes
        result.update_kb_per_min = counter.bytes / 1024 / minutes
        result.reloads = int(seen.get("reloads", 0))
        # A crashed player.
        live_probe.expect_health(page, "crash", crash_uuid, "CRITICAL")
        crashed_at = fleet.crash(crash_uuid)
        shown = live_probe.seen_at(page, "crash", 30)
        result.crash_seconds = None if shown is None else max(0.0, shown - crashed_at)
        try:
            clicks(page, result, ctx, args.rounds)
        except Exception as exc:  # a missing control is a finding, not the end of the run
            result.errors.append(f"clicks: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
        due = silenced_at + args.grace
        shown = live_probe.seen_at(page, "silent", max(0.0, due - time.time()) + 30)
        result.silent_seconds = None if shown is None else max(0.0, shown - due)
    finally:
        context.close()
    return result


# --- set-up -----------------------------------------------------------------------------------------------
def wait_registered(server: InfoscreenProcess, token: str, uuids: set[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    known: set[str] = set()
    while time.monotonic() < deadline:
        clients = graphql(server, "query { clients { uuid lastAlive } }", token=token)["clients"]
        known = {c["uuid"] for c in clients if c["lastAlive"]}  # registered and heard from
        if uuids <= known:
            return
        time.sleep(1)
    raise TimeoutError(f"{len(uuids - known)} displays not registered and alive after {timeout} s")


def set_up_groups(server: InfoscreenProcess, token: str, displays: list[tuple[str, str]]) -> list[int]:
    """40 groups; the targets in the first, the rest spread evenly; every 25th display stays unassigned."""
    create = "mutation($n: String!) { createGroup(name: $n) { ... on ClientGroup { id } } }"
    ids = [
        int(graphql(server, create, {"n": f"Raum {n:02d}"}, token=token)["createGroup"]["id"]) for n in range(GROUPS)
    ]
    members: dict[int, list[str]] = {gid: [] for gid in ids}
    for n, (uuid, hostname) in enumerate(displays):
        if hostname.startswith("aa-"):
            members[ids[0]].append(uuid)
        elif n % 25 != 24:
            members[ids[n % GROUPS]].append(uuid)
    assign = "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) { __typename } }"
    for gid, uuids in members.items():
        if uuids:
            graphql(server, assign, {"u": uuids, "g": gid}, token=token)
    return ids


def print_table(results: list[PageResult], args: argparse.Namespace) -> None:
    def fmt(value: float | None, unit: str = "") -> str:
        return "never" if value is None else f"{value:.1f}{unit}"

    print(f"\n{args.displays} displays at contract rates, {args.window:.0f} s quiet window, grace {args.grace} s")
    head = (f"{'page':11} {'redraws/min':>11} {'rebuilt el/min':>14} {'ws upd/min':>10} {'ws KB/min':>9} "
            f"{'crash shown':>11} {'silent shown':>12} {'click p50':>9} {'click max':>9} {'lost':>4} "
            f"{'reloads':>7}  verdict")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in results:
        times = r.click_times
        p50 = f"{statistics.median(times):.0f} ms" if times else "–"
        worst = f"{max(times):.0f} ms" if times else "–"
        misses = r.misses()
        verdict = "ok" if not misses else "MISSED: " + "; ".join(misses)
        print(f"{r.page:11} {r.redraws_per_min:11.1f} {r.rebuilt_per_min:14.0f} {r.updates_per_min:10.1f} "
              f"{r.update_kb_per_min:9.0f} {fmt(r.crash_seconds, ' s'):>11} {fmt(r.silent_seconds, ' s'):>12} "
              f"{p50:>9} {worst:>9} {r.lost:4d} {r.reloads:7d}  {verdict}")  # fmt: skip
    for r in results:
        detail = ", ".join(
            f"{k}: " + "/".join("lost" if v is None else f"{v:.0f}" for v in values) for k, values in r.clicks.items()
        )
        print(f"  {r.page} clicks (ms): {detail}")
    print(f"targets: <= {MAX_REDRAWS_PER_MINUTE:.0f} redraws/min, change shown <= {MAX_CHANGE_SECONDS:.0f} s, "
          f"click <= {MAX_CLICK_MS:.0f} ms, no click lost")  # fmt: skip


def seed_log_history(server: InfoscreenProcess, displays: list[tuple[str, str]], days: float) -> int:
    """What a school's database holds after `days` at the contract's rates: every display's INFO log every
    30 s and every 20th display's WARN every 120 s, written into the server's SQLite before the fleet connects
    (the displays then register onto these rows). Returns the number of log rows."""
    engine = sa.create_engine(f"sqlite:///{Path(server.env['DATA_DIR']) / 'infoscreen.db'}")
    now = utcnow()
    seconds = int(days * 86400)
    rows = 0
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Client.__table__),
            [{"uuid": uuid, "hostname": hostname, "registered_at": now, "updated_at": now, "is_active": True}
             for uuid, hostname in displays],
        )  # fmt: skip
        batch: list[dict[str, Any]] = []
        for n, (uuid, _) in enumerate(displays):
            levels = [(LogLevel.INFO, PERIODS["info"])]
            if n % WARN_EVERY_NTH == WARN_EVERY_NTH - 1:
                levels.append((LogLevel.WARN, PERIODS["warn"]))
            for level, period in levels:
                for k in range(int(seconds / period)):
                    rows += 1
                    batch.append(
                        {"client_uuid": uuid, "timestamp": now - timedelta(seconds=seconds - k * period),
                         "level": level, "message": f"{level.value.lower()} {k}", "context": None,
                         "created_at": now, "content_hash": f"{rows:032x}"}
                    )  # fmt: skip
            if len(batch) >= 50_000:
                conn.execute(sa.insert(ClientLog.__table__), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(ClientLog.__table__), batch)
    engine.dispose()
    return rows


def run_fleet(server: InfoscreenProcess, displays: list[tuple[str, str]], pages: list[str],
              args: argparse.Namespace) -> list[PageResult]:  # fmt: skip
    token = admin_token(server)
    results: list[PageResult] = []
    if args.log_days > 0:
        started = time.monotonic()
        rows = seed_log_history(server, displays, args.log_days)
        print(f"seeded {rows:,} log rows ({args.log_days:g} days) in {time.monotonic() - started:.0f} s", flush=True)
    with RateFleet(int(server.env["MQTT_BROKER_PORT"]), displays) as fleet:
        wait_registered(server, token, {uuid for uuid, _ in displays})
        group_ids = set_up_groups(server, token, displays)
        hostnames = {hostname[3:]: uuid for uuid, hostname in displays if hostname.startswith("aa-")}
        ctx = {"group_ids": group_ids, "targets": hostnames}
        time.sleep(5)  # every display has reported at least once
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for name in pages:
                print(f"measuring {name} …", flush=True)
                try:
                    results.append(measure_page(browser, server, fleet, name, ctx, args))
                except Exception as exc:  # the page did not even load: a miss, and the other pages still run
                    results.append(PageResult(name, errors=[f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"]))
                print_table(results[-1:], args)
            browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--displays", type=int, default=500)
    parser.add_argument("--window", type=float, default=60.0, help="seconds of redraw counting per page")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--grace", type=int, default=90, help="HEARTBEAT_GRACE_PERIOD_DEV for the server")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the scripted clicks per page")
    parser.add_argument("--log-days", type=float, default=1.0,
                        help="days of display logs in the database before the run (0: an empty log table)")  # fmt: skip
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--server-log", help="keep a copy of the server's log here")
    parser.add_argument("--mosquitto", action="store_true", help="a real Mosquitto instead of the embedded broker")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p in SCENARIOS]
    targets = tuple(f"{kind}-{page}" for page in pages for kind in ("crash", "silent"))
    displays = make_displays(args.displays, targets=targets)
    # Every display registers within the first minute (the default admits 300 new displays a minute; the rest
    # would first appear without their discovery data).
    env = {"HEARTBEAT_GRACE_PERIOD_DEV": str(args.grace), "DISCOVERY_NEW_PER_MINUTE": str(max(300, 2 * args.displays))}
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ui-live-"))
        if args.mosquitto:
            broker = stack.enter_context(mosquitto_server())
            env.update(MQTT_BROKER_HOST="127.0.0.1", MQTT_BROKER_PORT=str(broker.port))
        server = stack.enter_context(ui_server(Path(tmp), **env))
        try:
            results = run_fleet(server, displays, pages, args)
        finally:
            if args.server_log:
                shutil.copyfile(server.log_path, args.server_log)
    print_table(results, args)
    if args.json:
        Path(args.json).write_text(json.dumps([{**r.__dict__, "misses": r.misses()} for r in results], indent=2))
    return 1 if any(r.misses() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
