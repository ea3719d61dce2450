"""Counters and latency samples of the ingest pipeline (read by /health details, tests and the bench)."""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field

log = logging.getLogger("app.mqtt.ingest")

DROP_LOG_INTERVAL_SECONDS = 60.0
_MAX_TRACKED_KEYS = 10_000


@dataclass
class IngestStats:
    received: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    # Values changed to fit the database (a timestamp outside the window, invalid Unicode), per reason.
    repaired: Counter[str] = field(default_factory=Counter)
    # Attempts of a batch repeated because the database was unreachable.
    db_retries: int = 0
    committed_messages: int = 0
    batches: int = 0
    # Seconds from receipt to commit, per committed message (the newest samples).
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=200_000))
    # Seconds each batch transaction took (write + commit), the newest ones.
    flush_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))
    _last_drop_log: dict[str, float] = field(default_factory=dict)
    # DASHBOARD_PARSE_METRICS (seed-spec §4.4): `dashboard` payloads parsed as v2, and those that were not.
    dashboard_parse: Counter[str] = field(default_factory=lambda: Counter(v2_success=0, parse_failures=0))

    def dashboard_parsed(self, ok: bool, log_every: int) -> None:
        """Count one `dashboard` message; every `log_every` messages log the running totals."""
        self.dashboard_parse["v2_success" if ok else "parse_failures"] += 1
        total = self.dashboard_parse["v2_success"] + self.dashboard_parse["parse_failures"]
        if total % log_every == 0:
            log.info(
                "event=dashboard_parse_metrics DASHBOARD_PARSE_METRICS v2_success=%d parse_failures=%d",
                self.dashboard_parse["v2_success"],
                self.dashboard_parse["parse_failures"],
            )

    def drop(self, reason: str, key: str, detail: str = "", *, count: int = 1) -> None:
        """Count a drop; log it at most once per minute per display (or per bad topic segment)."""
        self.dropped[reason] += count
        if not self._may_log(key):
            return
        log.warning(
            "event=mqtt_ingest_drop reason=%s source=%s detail=%s dropped_total=%d (further drops from this "
            "source are counted, logged again after %.0fs)",
            reason,
            key[:80],
            detail[:200],
            self.dropped[reason],
            DROP_LOG_INTERVAL_SECONDS,
        )

    def repair(self, reasons: list[str], key: str) -> None:
        """Count values adjusted to fit the columns; logged like drops, once per minute per display."""
        for reason in reasons:
            self.repaired[reason] += 1
        if not reasons or not self._may_log("repair:" + key):
            return
        log.warning(
            "event=mqtt_ingest_repair reasons=%s source=%s (the message was stored with these values replaced; "
            "further repairs from this source are counted, logged again after %.0fs)",
            ",".join(sorted(set(reasons)))[:200],
            key[:80],
            DROP_LOG_INTERVAL_SECONDS,
        )

    def _may_log(self, key: str) -> bool:
        now = time.monotonic()
        last = self._last_drop_log.get(key)
        if last is not None and now - last < DROP_LOG_INTERVAL_SECONDS:
            return False
        if len(self._last_drop_log) >= _MAX_TRACKED_KEYS:
            cutoff = now - DROP_LOG_INTERVAL_SECONDS
            self._last_drop_log = {k: t for k, t in self._last_drop_log.items() if t >= cutoff}
        self._last_drop_log[key] = now
        return True

    def committed(self, received_at: list[float], committed_at: float) -> None:
        self.batches += 1
        self.committed_messages += len(received_at)
        self.latencies.extend(committed_at - r for r in received_at)

    def latency_percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
