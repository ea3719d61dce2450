"""Measure a live page from inside the browser: redraws, the moment a display's change shows, click feedback.

`install(page)` adds `window.__probe` to every document the page loads:
- `watch()` counts redraws of the page content: a DOM change starts one, and the changes of the next
  REDRAW_MS (the same update's transitions, image fades) belong to it; also the raw observer batches and the
  elements removed (a rebuilt subtree removes its old elements, a patched text removes none). Toasts, menus
  and dialogs are left out: they are not redraws of the page.
- `shows(uuid, status)`: a visible element tagged with the display's uuid (its row, card or dot) carries
  `data-health=<status>` (on itself, or in its table row).
- `until(predicate, timeoutMs)` resolves with the epoch milliseconds at which the predicate first held
  (checked on every DOM change), or null on timeout.
- `click(target, predicate, timeoutMs)`: clicks and resolves with the milliseconds until the predicate held
  (null: the click was lost).
NiceGUI's own update messages are counted from the websocket frames (`UpdateCounter`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, WebSocket

REDRAW_MS = 150
PROBE_JS = r"""
(() => {
  const REDRAW_MS = __REDRAW_MS__;
  const visible = (el) => !!(el && (el.offsetParent || el.getClientRects().length));
  const ignored = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return !!(el && el.closest && el.closest('.q-notifications, .q-dialog, .q-menu, .q-tooltip, [role=dialog]'));
  };
  window.__probe = {
    stats: {redraws: 0, batches: 0, removed: 0, started: 0, last: -1e9},
    pending: {},
    watch() {
      const root = document.querySelector('.nicegui-content') || document.body;
      const stats = this.stats;
      stats.redraws = 0; stats.batches = 0; stats.removed = 0; stats.started = performance.now(); stats.last = -1e9;
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
        stats.batches += 1;
        stats.removed += removed;
        if (now - stats.last >= REDRAW_MS) { stats.redraws += 1; stats.last = now; }
      });
      this.observer.observe(root, {childList: true, subtree: true, characterData: true, attributes: true});
    },
    read() {
      return {...this.stats, seconds: (performance.now() - this.stats.started) / 1000};
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
    expect(key, uuid, status, timeoutMs) {
      this.pending[key] = this.until(() => this.shows(uuid, status), timeoutMs);
    },
    async click(target, predicate, timeoutMs) {
      const el = typeof target === 'string' ? document.querySelector(target) : target;
      if (!el) return {missing: true, ms: null};
      const started = performance.timeOrigin + performance.now();
      el.click();
      const seen = await this.until(predicate, timeoutMs);
      return {missing: false, ms: seen === null ? null : seen - started};
    },
  };
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


def watch(page: Page) -> None:
    page.evaluate("() => window.__probe.watch()")


def redraws(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("() => window.__probe.read()"))


def expect_health(page: Page, key: str, uuid: str, status: str, timeout_ms: int) -> None:
    """Start waiting in the page (before the change is sent) for the display to show `status`."""
    page.evaluate("([k, u, s, t]) => window.__probe.expect(k, u, s, t)", [key, uuid, status, timeout_ms])


def seen_at(page: Page, key: str) -> float | None:
    """Epoch seconds at which the page showed what `expect_health(key, ...)` waited for (None: never)."""
    value = page.evaluate("(k) => window.__probe.pending[k]", key)
    return None if value is None else float(value) / 1000


def timed_click(page: Page, target_js: str, predicate_js: str, timeout_ms: int = 5000) -> float | None:
    """Click what `target_js` (an expression) yields; milliseconds until `predicate_js` held, None if lost."""
    script = f"() => window.__probe.click(({target_js}), () => ({predicate_js}), {timeout_ms})"
    result = page.evaluate(script)
    if result["missing"]:
        raise LookupError(f"nothing to click: {target_js}")
    return None if result["ms"] is None else float(result["ms"])
