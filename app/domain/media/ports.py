"""What the media use cases need from outside: the settings and, when workers are reachable, a queue.

The queue is the `ConversionQueue` port of `app/domain/ports.py` (implemented over Dramatiq by
app.tasks.conversions.DramatiqConversionQueue); a process that reaches workers sets `Container.conversion_queue`.
"""

from __future__ import annotations

from typing import Protocol

from app.domain.events.ports import ScheduleDeps
from app.domain.ports import ConversionQueue


class MediaDeps(ScheduleDeps, Protocol):
    """`UseCaseDeps` + settings + the optional conversion queue."""

    @property
    def conversion_queue(self) -> ConversionQueue | None: ...


def conversion_queue_of(deps: MediaDeps) -> ConversionQueue | None:
    """The deps' conversion queue, or None when no worker can be reached from this process."""
    return getattr(deps, "conversion_queue", None)
