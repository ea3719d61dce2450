"""Measure a live page from inside the browser: redraws, the moment a display's change shows, click feedback.

`install(page)` adds `window.__probe` to every document the page loads:
- `watch()` counts redraws of the page content: a DOM change starts one, and the changes of the next
  REDRAW_MS (the same update's transitions, image fades) belong to it; also the raw observer batches and the
  elements removed (a rebuilt subtree removes its old elements, a patched text removes none). Toasts, menus
  and dialogs are left out: they are not redraws of the page.
- `shows(uuid, status)`: a visible element tagged with the display's uuid (its row, card or dot) carries
  `data-health=<status>` (on itself, or in its table row).
- `expect(key, uuid, status)` waits in the page for `shows(...)` and keeps the epoch milliseconds it first held
  (`seen(key)`), checked on every DOM change;
- `click(target, predicate, timeoutMs)`: clicks and resolves with the milliseconds until the predicate held
  (null: the click was lost).
The counts and expectations live in sessionStorage: when NiceGUI reloads a tab whose connection it dropped,
they go on in the new document (and the reload is counted). NiceGUI's own update messages are counted from
the websocket frames (`UpdateCounter`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, WebSocket

REDRAW_MS = 150
PROBE_JS = r"""
(() => {
  const REDRAW_MS = __REDRAW_MS__;
  const store = window.sessionStorage;
  const load = (k, d) => JSON.parse(store.getItem('__probe_' + k) || JSON.stringify(d));
  const save = (k, v) => store.setItem('__probe_' + k, JSON.stringify(v));
  const visible = (el) => !!(el && (el.offsetParent || el.getClientRects().length));
  const ignored = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return !!(el && el.closest && el.closest('.q-notifications, .q-dialog, .q-menu, .q-tooltip, [role=dialog]'));
  };
  save('loads', load('loads', 0) + 1);
  window.__probe = {
    // Kept across a reload of the page (NiceGUI reloads a tab whose connection it dropped): counting goes on.
    stats: null,
    watch(fresh = true) {
      const root = document.querySelector('.nicegui-content') || document.body;
      if (fresh) save('stats', {redraws: 0, batches: 0, removed: 0, started: Date.now(), reloads: 0, watching: true});
      const stats = load('stats', {});
      let last = -1e9;
      if (this.observer) this.observer.disconnect();
      this.observer = new MutationObserver((records) => {
        let changed = false, removed = 0;
        for (const r of records) {
          if (ignored(r.target)) continue;
          changed = true;
          if (r.type !== 'childList') continue;
          for (const n of r.removedNodes) if (n.nodeType === 1) removed += 1 + n.getElementsByTagName('*').length;
        }
        if (!changed) return;
        const now = performance.now();
        const current = load('stats', stats);
        current.batches += 1;
        current.removed += removed;
        if (now - last >= REDRAW_MS) { current.redraws += 1; last = now; }
        save('stats', current);
      });
      this.observer.observe(root, {childList: true, subtree: true, characterData: true, attributes: true});
    },
    read() {
      const stats = load('stats', {});
      return {...stats, seconds: (Date.now() - stats.started) / 1000};
    },
    shows(uuid, status) {
      for (const el of document.querySelectorAll(`[data-testid$="${uuid}"]`)) {
        if (!visible(el)) continue;
        const scope = el.closest('tr') || el;
        if (scope.matches(`[data-health="${status}"]`) || scope.querySelector(`[data-health="${status}"]`)) return true;
      }
      return false;
    },
    until(predicate, timeoutMs) {
      return new Promise((resolve) => {
        let timer = null;
        const observer = new MutationObserver(() => check());
        const check = () => {
          let ok = false;
          try { ok = !!predicate(); } catch (e) { ok = false; }
          if (!ok) return false;
          observer.disconnect(); if (timer) clearTimeout(timer);
          resolve(performance.timeOrigin + performance.now());
          return true;
        };
        if (check()) return;
        observer.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
        timer = setTimeout(() => { observer.disconnect(); resolve(null); }, timeoutMs);
      });
    },
    arm(key, uuid, status) {
      this.until(() => this.shows(uuid, status), 600000).then((at) => {
        if (at !== null && load('seen_' + key, null) === null) save('seen_' + key, at);
      });
    },
    expect(key, uuid, status) {
      const wanted = load('expect', {});
      wanted[key] = {uuid, status};
      save('expect', wanted);
      store.removeItem('__probe_seen_' + key);
      this.arm(key, uuid, status);
    },
    seen(key) { return load('seen_' + key, null); },
    async click(target, predicate, timeoutMs) {
      const el = typeof target === 'string' ? document.querySelector(target) : target;
      if (!el) return {missing: true, ms: null};
      const started = performance.timeOrigin + performance.now();
      el.click();
      const seen = await this.until(predicate, timeoutMs);
      return {missing: false, ms: seen === null ? null : seen - started};
    },
  };
  const resume = () => {
    const stats = load('stats', null);
    if (stats && stats.watching && load('loads', 0) > 1) {
      stats.reloads += 1;
      save('stats', stats);
      window.__probe.watch(false);
    }
    for (const [key, w] of Object.entries(load('expect', {}))) {
      if (load('seen_' + key, null) === null) window.__probe.arm(key, w.uuid, w.status);
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', resume); else resume();
})();
""".replace("__REDRAW_MS__", str(REDRAW_MS))


@dataclass
class UpdateCounter:
    """NiceGUI `update` messages (one per server-side flush that changed elements) and their bytes."""

    messages: int = 0
    bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, page: Page) -> None:
        page.on("websocket", self._socket)

    def _socket(self, ws: WebSocket) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        text = payload if isinstance(payload, str) else payload.decode(errors="replace")
        if text.startswith('42["update"'):
            with self._lock:
                self.messages += 1
                self.bytes += len(text)

    def reset(self) -> None:
        with self._lock:
            self.messages = 0
            self.bytes = 0


def install(page: Page) -> UpdateCounter:
    page.add_init_script(PROBE_JS)
    counter = UpdateCounter()
    counter.attach(page)
    return counter


def _evaluate(page: Page, script: str, arg: Any = None, attempts: int = 20) -> Any:
    """`page.evaluate`, retried while the page reloads itself (the probe's state survives in sessionStorage)."""
    for attempt in range(attempts):
        try:
            return page.evaluate(script, arg)
        except PlaywrightError as exc:
            if attempt == attempts - 1 or not ("context was destroyed" in exc.message or "__probe" in exc.message):
                raise
            page.wait_for_timeout(500)
    return None


def watch(page: Page) -> None:
    _evaluate(page, "() => window.__probe.watch()")


def redraws(page: Page) -> dict[str, Any]:
    """Counted since `watch`: redraws, batches, removed elements, reloads of the page, seconds."""
    return dict(_evaluate(page, "() => window.__probe.read()"))


def expect_health(page: Page, key: str, uuid: str, status: str) -> None:
    """Start waiting in the page (before the change is sent) for the display to show `status`."""
    _evaluate(page, "([k, u, s]) => window.__probe.expect(k, u, s)", [key, uuid, status])


def seen_at(page: Page, key: str, timeout: float) -> float | None:
    """Epoch seconds at which the page showed what `expect_health(key, ...)` waited for (None: not within
    `timeout` seconds from now)."""
    deadline = time.monotonic() + timeout
    while True:
        value = _evaluate(page, "(k) => window.__probe.seen(k)", key)
        if value is not None:
            return float(value) / 1000
        if time.monotonic() > deadline:
            return None
        page.wait_for_timeout(200)


def timed_click(page: Page, target_js: str, predicate_js: str, timeout_ms: int = 5000) -> float | None:
    """Click what `target_js` (an expression) yields; milliseconds until `predicate_js` held, None if lost
    (also when the page reloaded itself meanwhile)."""
    script = f"() => window.__probe.click(({target_js}), () => ({predicate_js}), {timeout_ms})"
    try:
        result = _evaluate(page, script, attempts=1)
    except PlaywrightError as exc:
        if "context was destroyed" in exc.message:
            return None
        raise
    if result["missing"]:
        raise LookupError(f"nothing to click: {target_js}")
    return None if result["ms"] is None else float(result["ms"])
