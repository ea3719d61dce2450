"""The login protection rules in one place: account lockout and the per-caller attempt rate limit.

Lockout is stored on the user row (so it holds across processes and restarts); the rate limit is an
in-memory sliding window per process, which is enough to slow a guessing script down to a crawl.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

from app.domain.errors import RateLimitedError

MAX_FAILED_LOGINS = 5
LOCKOUT_DURATION = timedelta(minutes=15)

RATE_LIMIT_ATTEMPTS = 10
RATE_LIMIT_WINDOW_SECONDS = 5 * 60
# A caller trying many different usernames (password spraying) is limited per address as well.
RATE_LIMIT_ATTEMPTS_PER_IP = 50
# Bounded memory even under a flood of random usernames: the least recently used keys are forgotten.
_MAX_TRACKED_KEYS = 10_000

INVALID_CREDENTIALS_MESSAGE = "Benutzername oder Passwort falsch."
LOCKED_MESSAGE = "Das Konto ist nach zu vielen Fehlversuchen vorübergehend gesperrt. Bitte später erneut versuchen."
RATE_LIMITED_MESSAGE = "Zu viele Anmeldeversuche. Bitte einige Minuten warten."


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def lock_expiry_after_failure(failed_attempts: int, now: datetime) -> datetime | None:
    """`locked_until` after a failure that brought the consecutive count to `failed_attempts`."""
    return now + LOCKOUT_DURATION if failed_attempts >= MAX_FAILED_LOGINS else None


class SlidingWindowLimiter:
    """At most `limit` hits per key within `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: OrderedDict[object, deque[float]] = OrderedDict()

    def _recent(self, key: object, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = deque()
            self._hits[key] = hits
            while len(self._hits) > _MAX_TRACKED_KEYS:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def allowed(self, key: object) -> bool:
        return len(self._recent(key, self._clock())) < self.limit

    def hit(self, key: object) -> None:
        now = self._clock()
        self._recent(key, now).append(now)

    def reset(self, key: object) -> None:
        self._hits.pop(key, None)


class LoginRateLimiter:
    """Attempts per (client address, username) and per client address."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_user = SlidingWindowLimiter(RATE_LIMIT_ATTEMPTS, RATE_LIMIT_WINDOW_SECONDS, clock)
        self.per_ip = SlidingWindowLimiter(RATE_LIMIT_ATTEMPTS_PER_IP, RATE_LIMIT_WINDOW_SECONDS, clock)

    @staticmethod
    def _key(ip: str | None, username: str) -> tuple[str, str]:
        return (ip or "-", username.strip().lower()[:100])

    def register_attempt(self, ip: str | None, username: str) -> None:
        """Count one attempt, or raise RateLimitedError if the caller is over either limit."""
        key = self._key(ip, username)
        if not self.per_user.allowed(key) or not self.per_ip.allowed(key[0]):
            raise RateLimitedError(RATE_LIMITED_MESSAGE)
        self.per_user.hit(key)
        self.per_ip.hit(key[0])

    def succeeded(self, ip: str | None, username: str) -> None:
        """A successful login forgets that caller's failures for this username."""
        self.per_user.reset(self._key(ip, username))
