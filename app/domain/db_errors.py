"""Telling a lost database connection from a data error.

A lost or unreachable database is not the data's fault: the same work is retried later (with
`RETRY_DELAYS`, the last one repeating). A data error — the database refuses a value — will fail again
the same way, so retrying the same rows is pointless: the caller isolates and drops them instead.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# Backoff between attempts while the database is unreachable (the last value repeats, indefinitely).
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)

# MariaDB/MySQL client and server error codes that mean "the connection or server is away / busy", not
# "this row is wrong": can't connect, gone away, lost connection, server shutdown, connection killed,
# lock wait timeout, deadlock, too many connections, read-only/standby.
_TRANSIENT_MYSQL_CODES = frozenset({1040, 1053, 1205, 1213, 1290, 1927, 2002, 2003, 2006, 2013, 2014, 2055, 4031})


def is_connection_error(exc: BaseException) -> bool:
    """True for a lost/unreachable database (retry the same work later), False for a data error."""
    if isinstance(exc, (InterfaceError, PoolTimeoutError, ConnectionError, OSError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        code = orig.args[0] if orig is not None and orig.args and isinstance(orig.args[0], int) else None
        if code is not None:
            return code in _TRANSIENT_MYSQL_CODES
        if isinstance(exc, OperationalError):
            text = str(orig).lower()  # SQLite: a busy/locked database, a vanished file system
            return any(word in text for word in ("locked", "busy", "unable to open", "disk i/o"))
    return False
