"""The login protection rules in one place (OWASP ASVS 2.2, "device cookies"); docs/accounts-and-auth.md.

- Failures are throttled per account name *and* source. The source is the client address, or a known
  device: a device token this server signed after an earlier successful login of that account. After
  `FREE_FAILURES` failures a source waits `BACKOFF_START`, doubling with each further failure up to
  `BACKOFF_MAX`; meanwhile even the right password is refused from that source (and only from it).
- A known device is judged on its own throttle only: a stranger failing from anywhere, even the same
  address, never stops a browser that has logged in as that account before.
- Unknown sources together may fail `ACCOUNT_LOCK_THRESHOLD` times in a row before the account is closed
  to unknown sources for `LOCKOUT_DURATION` (distributed guessing); known devices still get in, and an
  admin can unlock.
- Only failures count, never successes. One source failing on many account names (password spraying) is
  refused with RATE_LIMITED after `SPRAY_LIMIT` failures in `SPRAY_WINDOW_SECONDS` (per process), unless it
  presents a known device.
- Every refusal about an account has the same key `INVALID_CREDENTIALS` (one text) and costs one argon2
  verification, whether the name exists, the password is wrong or a lock is on.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.errors import RateLimitedError

FREE_FAILURES = 5
BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=15)
ACCOUNT_LOCK_THRESHOLD = 30
LOCKOUT_DURATION = timedelta(minutes=15)
# Throttle rows untouched this long (and not locked) are forgotten.
THROTTLE_RETENTION = timedelta(days=1)

SPRAY_LIMIT = 100
SPRAY_WINDOW_SECONDS = 10 * 60

# Guesses of the own current password from a logged-in session (changePassword).
RATE_LIMIT_ATTEMPTS = 10
RATE_LIMIT_WINDOW_SECONDS = 5 * 60
# Bounded memory even under a flood of random keys: the least recently used keys are forgotten.
_MAX_TRACKED_KEYS = 10_000

# The error keys of refused logins (texts in app/messages/users.py).
INVALID_CREDENTIALS = "auth.invalid_credentials"
RATE_LIMITED = "auth.rate_limited"

MAX_ACCOUNT_LENGTH = 100


def account_key(username: str) -> str:
    return (username or "").strip().lower()[:MAX_ACCOUNT_LENGTH]


def ip_source(ip: str | None) -> str:
    return f"ip:{ip or '-'}"[:80]


def device_source(device_id: str) -> str:
    return f"device:{device_id}"[:80]


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def source_lock_after(failures: int, now: datetime) -> datetime | None:
    """`locked_until` of a source after its `failures`-th failure: exponential backoff once past the free ones."""
    if failures < FREE_FAILURES:
        return None
    steps = min(failures - FREE_FAILURES, 20)
    return now + min(BACKOFF_START * (2**steps), BACKOFF_MAX)


def account_lock_after(failures: int, now: datetime) -> datetime | None:
    """`users.locked_until` (closed to unknown sources) after that many consecutive failures."""
    return now + LOCKOUT_DURATION if failures >= ACCOUNT_LOCK_THRESHOLD else None


@dataclass(frozen=True, slots=True)
class Device:
    user_id: int
    device_id: str
    token: str


class DeviceTokens:
    """Signed device tokens: `<user id>.<device id>.<mac>`; nothing to store, only the server can mint them."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("login-device:" + secret).encode()).digest()

    def _mac(self, user_id: int, device_id: str) -> str:
        return hmac.new(self._key, f"{user_id}.{device_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, user_id: int) -> Device:
        device_id = secrets.token_urlsafe(12)
        return Device(user_id, device_id, f"{user_id}.{device_id}.{self._mac(user_id, device_id)}")

    def verify(self, token: str | None) -> Device | None:
        if not token or len(token) > 200:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1]:
            return None
        user_id, device_id, mac = int(parts[0]), parts[1], parts[2]
        if not hmac.compare_digest(mac, self._mac(user_id, device_id)):
            return None
        return Device(user_id, device_id, token)


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
    """Per-process limits: failed logins per source (spraying) and guesses of the own current password."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_per_source = SlidingWindowLimiter(SPRAY_LIMIT, SPRAY_WINDOW_SECONDS, clock)
        self.per_user = SlidingWindowLimiter(RATE_LIMIT_ATTEMPTS, RATE_LIMIT_WINDOW_SECONDS, clock)

    def check_source(self, ip: str | None) -> None:
        """Raise RateLimitedError when this source has failed too often on any account names."""
        if not self.failures_per_source.allowed(ip or "-"):
            raise RateLimitedError(RATE_LIMITED)

    def source_failed(self, ip: str | None) -> None:
        self.failures_per_source.hit(ip or "-")

    @staticmethod
    def _key(ip: str | None, username: str) -> tuple[str, str]:
        return (ip or "-", account_key(username))

    def register_attempt(self, ip: str | None, username: str) -> None:
        """Count one attempt, or raise RateLimitedError if the caller is over the limit (changePassword)."""
        key = self._key(ip, username)
        if not self.per_user.allowed(key):
            raise RateLimitedError(RATE_LIMITED)
        self.per_user.hit(key)

    def succeeded(self, ip: str | None, username: str) -> None:
        self.per_user.reset(self._key(ip, username))


class LoginGuard:
    """What one process needs to apply the policy: the device-token signer and the per-process limiter."""

    def __init__(self, secret: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.devices = DeviceTokens(secret)
        self.limiter = LoginRateLimiter(clock)
        self.failures_since_prune = 0
