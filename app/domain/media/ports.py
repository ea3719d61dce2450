"""What the media use cases need from outside: the settings and, when workers are reachable, a queue.

`ConversionQueue` is implemented over Dramatiq by app.tasks.conversions.DramatiqConversionQueue. A process
that reaches workers offers it as `deps.conversion_queue` (typed on the container); until the container
carries that attribute it is found under `deps.extras[CONVERSION_QUEUE_EXTRA]`.
"""

from __future__ import annotations

from typing import Any, Protocol

from app.domain.events.ports import ScheduleDeps


class ConversionQueue(Protocol):
    """How use cases hand a conversion to the workers."""

    async def enqueue(self, conversion_id: int) -> None: ...


# Where a process that can reach workers keeps its ConversionQueue (Container.extras) until the container
# has a typed `conversion_queue` attribute.
CONVERSION_QUEUE_EXTRA = "conversion_queue"


class MediaDeps(ScheduleDeps, Protocol):
    """`UseCaseDeps` + settings; `conversion_queue_of` finds the optional queue."""


def conversion_queue_of(deps: Any) -> ConversionQueue | None:
    """The deps' conversion queue, or None when no worker can be reached from this process."""
    queue = getattr(deps, "conversion_queue", None)
    if queue is None:
        extras = getattr(deps, "extras", None)
        queue = extras.get(CONVERSION_QUEUE_EXTRA) if isinstance(extras, dict) else None
    return queue
