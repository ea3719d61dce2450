"""Screenshot files on disk (seed-spec §6.3).

Per display, in one folder:
- `{uuid}.jpg` — always the latest screenshot;
- `{uuid}_{YYYYmmddTHHMMSSffffff}_{type}.jpg` — the last `keep` (20) screenshots, older ones deleted;
- `{uuid}_priority.jpg` — the latest `event_start`/`event_stop` screenshot;
- `{uuid}_meta.json` — `latest_screenshot_type`, `latest_received_at`, `last_priority_type`,
  `last_priority_received_at`.

Every file is written to a temporary name and moved into place with `os.replace`, so a reader sees the
old or the new image, never half of one. File names are built only from a validated uuid and the
screenshot type enum, so nothing a display sends can name a path outside the folder.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.clock import iso_z, parse_iso, utcnow
from app.domain.enums import ScreenshotType
from app.domain.uuids import canonical_uuid

log = logging.getLogger(__name__)

KEEP_TIMESTAMPED = 20
PRIORITY_TYPES = frozenset({ScreenshotType.EVENT_START, ScreenshotType.EVENT_STOP})
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DATA_URL_RE = re.compile(r"^data:image/[a-z+.-]{1,20};base64,", re.IGNORECASE)
_WHITESPACE_RE = re.compile(r"\s+")
_TIMESTAMPED_RE = re.compile(r"^(?P<uuid>[0-9a-f-]{36})_\d{8}T\d{12}_(?:periodic|event_start|event_stop)\.jpg$")


class InvalidScreenshot(ValueError):
    """The screenshot data cannot be stored; `reason` is a short machine-readable word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize_uuid(value: object) -> str:
    """The canonical lowercase form of a display uuid; anything else raises InvalidScreenshot."""
    canonical = canonical_uuid(value)
    if canonical is None:
        raise InvalidScreenshot("bad_uuid")
    return canonical


def normalize_screenshot_type(raw: object) -> ScreenshotType:
    """`periodic`, `event_start` or `event_stop`; anything else (or nothing) counts as `periodic`."""
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            return ScreenshotType(raw.strip().lower())
    return ScreenshotType.PERIODIC


def image_kind(data: bytes) -> str | None:
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    return None


def media_type(data_or_path: bytes | Path) -> str:
    head = data_or_path if isinstance(data_or_path, bytes) else _read_head(data_or_path)
    return "image/png" if image_kind(head) == "png" else "image/jpeg"


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(16)


def decode_image(data: str | bytes, *, max_bytes: int) -> bytes:
    """Base64 (optionally a `data:image/...;base64,` URL) → JPEG/PNG bytes, or InvalidScreenshot."""
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidScreenshot("bad_base64") from None
    text = _DATA_URL_RE.sub("", data.strip(), count=1)
    if not text:
        raise InvalidScreenshot("empty")
    if _WHITESPACE_RE.search(text):
        text = _WHITESPACE_RE.sub("", text)
    # 4 base64 characters carry 3 bytes: refuse before decoding anything too big.
    if len(text) > (max_bytes + 2) // 3 * 4:
        raise InvalidScreenshot("too_large")
    try:
        image = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidScreenshot("bad_base64") from None
    if len(image) > max_bytes:
        raise InvalidScreenshot("too_large")
    if image_kind(image) is None:
        raise InvalidScreenshot("not_an_image")
    return image


@dataclass(frozen=True, slots=True)
class StoredScreenshot:
    uuid: str
    screenshot_type: ScreenshotType
    received_at: datetime
    md5: str
    size: int
    filename: str


@dataclass(frozen=True, slots=True)
class ScreenshotState:
    """What the monitoring overview shows about a display's screenshots."""

    latest_type: ScreenshotType | None
    latest_received_at: datetime | None
    priority_type: ScreenshotType | None
    priority_received_at: datetime | None
    has_active_priority: bool


class ScreenshotStore:
    def __init__(self, directory: Path, *, keep: int = KEEP_TIMESTAMPED) -> None:
        self.directory = Path(directory)
        self.keep = keep

    # --- paths (only ever from a normalized uuid) ------------------------------------------------
    def latest_path(self, uuid: str) -> Path:
        return self.directory / f"{normalize_uuid(uuid)}.jpg"

    def priority_path(self, uuid: str) -> Path:
        return self.directory / f"{normalize_uuid(uuid)}_priority.jpg"

    def meta_path(self, uuid: str) -> Path:
        return self.directory / f"{normalize_uuid(uuid)}_meta.json"

    def timestamped(self, uuid: str) -> list[Path]:
        """The kept timestamped screenshots of a display, oldest first."""
        uuid = normalize_uuid(uuid)
        if not self.directory.is_dir():
            return []
        names = sorted(
            entry.name
            for entry in os.scandir(self.directory)
            if entry.name.startswith(uuid) and (m := _TIMESTAMPED_RE.match(entry.name)) and m["uuid"] == uuid
        )
        return [self.directory / name for name in names]

    # --- writing ----------------------------------------------------------------------------------
    def store(
        self, uuid: str, image: bytes, screenshot_type: ScreenshotType, *, now: datetime | None = None
    ) -> StoredScreenshot:
        """Write latest + timestamped (+ priority) files and the meta file; prune old timestamped ones.

        Blocking file IO: call it from a thread.
        """
        uuid = normalize_uuid(uuid)
        if image_kind(image) is None:
            raise InvalidScreenshot("not_an_image")
        screenshot_type = ScreenshotType(screenshot_type)
        now = now or utcnow()
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = now.strftime("%Y%m%dT%H%M%S%f")
        filename = f"{uuid}_{stamp}_{screenshot_type.value}.jpg"
        _atomic_write(self.directory / filename, image)
        _atomic_write(self.latest_path(uuid), image)
        meta = self.read_meta(uuid)
        meta["latest_screenshot_type"] = screenshot_type.value
        meta["latest_received_at"] = iso_z(now)
        if screenshot_type in PRIORITY_TYPES:
            _atomic_write(self.priority_path(uuid), image)
            meta["last_priority_type"] = screenshot_type.value
            meta["last_priority_received_at"] = iso_z(now)
        _atomic_write(self.meta_path(uuid), json.dumps(meta, separators=(",", ":")).encode())
        self._prune(uuid)
        return StoredScreenshot(
            uuid=uuid,
            screenshot_type=screenshot_type,
            received_at=now,
            md5=hashlib.md5(image, usedforsecurity=False).hexdigest(),
            size=len(image),
            filename=filename,
        )

    def _prune(self, uuid: str) -> None:
        files = self.timestamped(uuid)
        for old in files[: max(0, len(files) - self.keep)]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()

    # --- reading ----------------------------------------------------------------------------------
    def read_meta(self, uuid: str) -> dict[str, Any]:
        try:
            meta = json.loads(self.meta_path(uuid).read_text())
        except (FileNotFoundError, ValueError, OSError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def state(self, uuid: str, *, ttl_seconds: int, now: datetime | None = None) -> ScreenshotState:
        now = now or utcnow()
        meta = self.read_meta(uuid)
        latest_type = _type_or_none(meta.get("latest_screenshot_type"))
        priority_type = _type_or_none(meta.get("last_priority_type"))
        priority_at = parse_iso(meta.get("last_priority_received_at"))
        active = (
            priority_type is not None
            and priority_at is not None
            and now - priority_at <= timedelta(seconds=ttl_seconds)
            and self.priority_path(uuid).is_file()
        )
        return ScreenshotState(
            latest_type=latest_type,
            latest_received_at=parse_iso(meta.get("latest_received_at")),
            priority_type=priority_type,
            priority_received_at=priority_at,
            has_active_priority=active,
        )

    def latest_file(self, uuid: str) -> Path | None:
        path = self.latest_path(uuid)
        return path if path.is_file() else None

    def priority_or_latest_file(self, uuid: str, *, ttl_seconds: int, now: datetime | None = None) -> Path | None:
        """The active priority screenshot (within the TTL), else the latest one, else None."""
        if self.state(uuid, ttl_seconds=ttl_seconds, now=now).has_active_priority:
            return self.priority_path(uuid)
        return self.latest_file(uuid)


def _type_or_none(value: object) -> ScreenshotType | None:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return ScreenshotType(value)
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
