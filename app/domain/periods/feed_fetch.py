"""Fetching a holiday feed over HTTP(S) with httpx: conditional, bounded in size and time.

- `If-None-Match` / `If-Modified-Since` from the last successful response; a 304 means "unchanged".
- The body is read in chunks and the download stops as soon as it passes the size limit.
- One overall deadline covers connecting, redirects (at most 5) and reading.
- `webcal://` (how many school sites publish their feeds) is fetched as `https://`.
Every failure is a FeedError with a message for the admin and the HTTP status when there was one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from app import __version__
from app.domain.errors import ValidationError

MAX_URL_LENGTH = 2048
USER_AGENT = f"infoscreen/{__version__} (holiday subscription)"


@dataclass(frozen=True)
class FeedLimits:
    timeout_seconds: float = 20.0
    max_bytes: int = 2 * 1024 * 1024


@dataclass(frozen=True)
class FeedResponse:
    status: int
    body: bytes | None  # None: 304 Not Modified
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.body is None


class FeedError(Exception):
    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status


def clean_feed_url(raw: str | None) -> str:
    """An http(s) URL (webcal:// becomes https://), or a ValidationError naming the problem."""
    url = (raw or "").strip()
    if not url:
        raise ValidationError("holiday_subscription.url_missing", field="url")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError("holiday_subscription.url_too_long", field="url", max=MAX_URL_LENGTH)
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("holiday_subscription.url_scheme", field="url")
    if parts.username or parts.password:
        raise ValidationError("holiday_subscription.url_credentials", field="url")
    return url


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FeedError(f"Der Feed ist zu groß ({int(declared)} Bytes, erlaubt {max_bytes}).", response.status_code)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedError(f"Der Feed ist zu groß (mehr als {max_bytes} Bytes).", response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


async def _fetch(url: str, etag: str | None, last_modified: str | None, limits: FeedLimits) -> FeedResponse:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(limits.timeout_seconds)
    async with (
        httpx.AsyncClient(timeout=timeout, follow_redirects=True, max_redirects=5) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        if response.status_code == 304:
            return FeedResponse(304, None, etag, last_modified)
        if response.status_code != 200:
            raise FeedError(f"Der Server antwortete mit HTTP {response.status_code}.", response.status_code)
        body = await _read_limited(response, limits.max_bytes)
        return FeedResponse(200, body, response.headers.get("etag"), response.headers.get("last-modified"))


async def fetch_feed(
    url: str, *, etag: str | None = None, last_modified: str | None = None, limits: FeedLimits | None = None
) -> FeedResponse:
    bounds = limits or FeedLimits()
    try:
        async with asyncio.timeout(bounds.timeout_seconds):
            return await _fetch(url, etag, last_modified, bounds)
    except FeedError:
        raise
    except TimeoutError:
        raise FeedError(f"Zeitüberschreitung: keine vollständige Antwort in {bounds.timeout_seconds:g} s.") from None
    except httpx.TimeoutException:
        raise FeedError(f"Zeitüberschreitung: keine vollständige Antwort in {bounds.timeout_seconds:g} s.") from None
    except httpx.TooManyRedirects:
        raise FeedError("Zu viele Weiterleitungen.") from None
    except httpx.HTTPError as exc:
        raise FeedError(f"Der Feed ist nicht erreichbar: {type(exc).__name__}: {str(exc)[:160]}") from None
