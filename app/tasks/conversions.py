"""Dramatiq actors for PDF conversions: `convert_media` and `requeue_pending_conversions`.

Thin: the state machine, the converters and the CONVERSION_UPDATED announcements live in
app.domain.media.conversions (system use cases, no principal). Transient failures
(converter down, busy, timed out) are retried with exponential backoff; everything else ends the message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import dramatiq
from dramatiq.middleware import TimeLimitExceeded
from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.container import Container
from app.domain.clock import utcnow
from app.domain.media.conversions import MAX_ATTEMPTS, ConvertMedia, requeue_after_restart
from app.domain.media.conversions import convert_media as convert
from app.domain.media.converters import TransientConversionError
from app.tasks.runtime import actor_runtime

log = logging.getLogger(__name__)

QUEUE_NAME = "conversions"
DEFAULT_MIN_BACKOFF_MS = 5_000
MAX_BACKOFF_MS = 5 * 60_000
# Longer than any converter timeout; the message-level limit from settings usually applies first.
DEFAULT_TIME_LIMIT_MS = 30 * 60_000


def _retry_when(retries: int, exc: BaseException) -> bool:
    transient = isinstance(exc, dramatiq.Retry | TransientConversionError | TimeLimitExceeded | DBAPIError)
    return transient and retries < MAX_ATTEMPTS


@dramatiq.actor(
    queue_name=QUEUE_NAME,
    max_retries=MAX_ATTEMPTS,
    retry_when=_retry_when,
    min_backoff=DEFAULT_MIN_BACKOFF_MS,
    max_backoff=MAX_BACKOFF_MS,
    time_limit=DEFAULT_TIME_LIMIT_MS,
)
async def convert_media(conversion_id: int) -> None:
    runtime = await actor_runtime()
    started = time.monotonic()
    try:
        status = await convert(runtime, None, ConvertMedia(conversion_id))
    except TransientConversionError as exc:
        # Expected (converter busy/down): run_conversion logged event=conversion_retry in one line. As a
        # Retry, Dramatiq backs off without logging an ERROR with a traceback.
        raise dramatiq.Retry(exc.message) from None
    log.info(
        "event=convert_media_done conversion_id=%s status=%s seconds=%.1f",
        conversion_id,
        status,
        time.monotonic() - started,
    )


@dramatiq.actor(queue_name=QUEUE_NAME, max_retries=3)
async def requeue_pending_conversions() -> None:
    """Re-enqueue pending and abandoned conversions (run at worker start-up)."""
    runtime = await actor_runtime()
    plan = await requeue_after_restart(runtime, None)
    for conversion_id in plan.pending_ids:
        await asyncio.to_thread(convert_media.send_with_options, **message_options(runtime.settings, conversion_id))
    log.info("event=conversions_requeued count=%d", len(plan.pending_ids))
    if plan.recheck_at is not None:
        # Another worker may be converting right now; look again once it would count as abandoned.
        delay_ms = max(1_000, int((plan.recheck_at - utcnow()).total_seconds() * 1000) + 1_000)
        await asyncio.to_thread(requeue_pending_conversions.send_with_options, delay=delay_ms)


def message_options(settings: Settings, conversion_id: int, *, min_backoff_ms: int | None = None) -> dict[str, Any]:
    return {
        "args": (conversion_id,),
        # Converter timeout plus room for thumbnails and bookkeeping.
        "time_limit": (settings.conversion_timeout_seconds + 120) * 1000,
        "min_backoff": min_backoff_ms or DEFAULT_MIN_BACKOFF_MS,
    }


class DramatiqConversionQueue:
    """The domain's ConversionQueue over Dramatiq (Redis in production, StubBroker in one process)."""

    def __init__(self, settings: Settings, *, min_backoff_ms: int = DEFAULT_MIN_BACKOFF_MS) -> None:
        self.settings = settings
        self.min_backoff_ms = min_backoff_ms

    async def enqueue(self, conversion_id: int) -> None:
        options = message_options(self.settings, conversion_id, min_backoff_ms=self.min_backoff_ms)
        # A Redis send is blocking I/O; keep it off the event loop.
        await asyncio.to_thread(convert_media.send_with_options, **options)
        log.info("event=conversion_enqueued conversion_id=%s", conversion_id)


def request_requeue() -> None:
    """Ask the workers to pick up conversions left over from before a restart."""
    requeue_pending_conversions.send()


def install_conversion_queue(container: Container, *, runs_worker: bool) -> None:
    """Give the container its ConversionQueue when its messages reach a worker.

    A Redis broker always reaches the workers; a StubBroker only when this process runs the worker.
    When the worker runs here, conversions left pending by a previous run are re-enqueued now.
    """
    if runs_worker or container.settings.redis_url:
        container.conversion_queue = DramatiqConversionQueue(container.settings)
    if runs_worker:
        request_requeue()
