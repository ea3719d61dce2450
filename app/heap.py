"""Keep the garbage collector's full passes cheap in long-running processes.

After start-up the process holds several hundred thousand long-lived objects (modules, the GraphQL schema,
SQLAlchemy mappers, NiceGUI). Every full (generation 2) collection walks all of them: on this kind of
machine about 100 ms, landing at random inside requests. Freezing them once start-up is done moves them out
of the collector's sight; objects created later are collected as usual.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect start-up garbage, then exempt the surviving long-lived objects from future collections."""
    gc.collect()
    gc.freeze()
