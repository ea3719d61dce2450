"""Running a Dramatiq worker inside this process (the embedded run, `infoscreen worker` and tests)."""

from __future__ import annotations

import logging

import dramatiq

log = logging.getLogger(__name__)


class InProcessWorker:
    def __init__(self, broker: dramatiq.Broker, *, threads: int = 2) -> None:
        self._broker = broker
        self._threads = threads
        self._worker: dramatiq.Worker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and any(t.is_alive() for t in self._worker.workers)

    def start(self) -> None:
        self._worker = dramatiq.Worker(self._broker, worker_threads=self._threads, worker_timeout=250)
        self._worker.start()
        log.info("event=worker_started threads=%d broker=%s", self._threads, type(self._broker).__name__)

    def stop(self, timeout_ms: int = 30_000) -> None:
        """Drains: messages being processed finish (up to `timeout_ms`) before threads stop."""
        if self._worker is None:
            return
        self._worker.stop(timeout=timeout_ms)
        self._worker = None
        log.info("event=worker_stopped")
