"""Files of the media library on disk, confined to MEDIA_ROOT.

Uploads stream into a temp file under MEDIA_ROOT/.incoming while being hashed and size-checked; the final
place is derived from the media id (`media/<id>/<sanitised name>`) and reached with an atomic rename. A
user-supplied name is only ever a label: path parts, control characters and `..` are stripped, and every
path is checked to stay inside its root before it is written, read or deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.domain.errors import ValidationError

CHUNK_SIZE = 1 << 20
MAX_NAME_LENGTH = 120
INCOMING_DIR = ".incoming"
MEDIA_DIR = "media"
# Characters Windows/SMB shares and shells trip over; replaced, not removed, so names stay readable.
_UNSAFE = re.compile(r'[<>:"|?*\\/]')


class AsyncReadable(Protocol):
    """An upload being received (Starlette's UploadFile fits)."""

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class StagedFile:
    """An upload fully received into a temp file (not yet part of the library)."""

    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        _discard(self.path)


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def sanitize_file_name(raw: str | None) -> str:
    """A safe display/file name from what the browser sent; raises ValidationError when nothing is left."""
    name = unicodedata.normalize("NFC", raw or "")
    # Only the last path component counts, whichever separator the client used.
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name).strip(" .")
    if not name:
        raise ValidationError("media.invalid_file_name", field="file")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def confined(root: Path, relative: str) -> Path:
    """`root/relative`, refusing anything that would resolve outside `root` (`..`, absolute, symlinks)."""
    root_resolved = root.resolve()
    candidate = (root_resolved / relative).resolve()
    if candidate == root_resolved or not candidate.is_relative_to(root_resolved):
        raise ValidationError("media.invalid_path", field="path")
    return candidate


async def receive_upload(source: AsyncReadable, media_root: Path, max_bytes: int) -> StagedFile:
    """Stream `source` into a temp file under MEDIA_ROOT, hashing it; refuses more than `max_bytes`."""
    incoming = media_root / INCOMING_DIR
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await source.read(CHUNK_SIZE):
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError("media.too_large", field="file", max_mb=max_bytes // (1024 * 1024))
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
        if size == 0:
            raise ValidationError("media.empty", field="file")
    except BaseException:
        _discard(path)
        raise
    return StagedFile(path=path, size=size, sha256=digest.hexdigest())


def media_relative_path(media_id: int, file_name: str) -> str:
    return f"{MEDIA_DIR}/{media_id}/{file_name}"


def place(staged: StagedFile, media_root: Path, relative: str) -> Path:
    """Move a staged upload to its final place (atomic rename; same file system by construction)."""
    target = confined(media_root, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, target)
    return target


def remove_media_files(media_root: Path, relative: str | None) -> None:
    """Delete a media's directory (`media/<id>/`) or, for legacy layouts, just its file."""
    if not relative:
        return
    try:
        target = confined(media_root, relative)
    except ValidationError:
        return
    parent = target.parent
    media_dir = (media_root / MEDIA_DIR).resolve()
    if parent.parent == media_dir:
        shutil.rmtree(parent, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


def remove_tree(root: Path, relative: str) -> None:
    with contextlib.suppress(ValidationError):
        shutil.rmtree(confined(root, relative), ignore_errors=True)
