"""Inspecting ZIP containers (PPTX, ODP and their embedded DOCX/XLSX) before anything unpacks them for real.

A presentation is a ZIP archive; LibreOffice inflates all of it. A 1 MB file holding 1 GiB of zeros would
make it allocate gigabytes, so uploads and conversions first pass `inspect_archive`:

- the central directory: entry count, declared uncompressed total, compression methods (only stored and
  deflate, which OOXML and ODF use) and the ratio of every entry larger than RATIO_GRACE_BYTES, and of the
  whole archive;
- then every entry is actually inflated (bounded by its declared size, so the work is bounded by the
  limit) and its CRC checked, so lying headers are caught too;
- archives inside the archive (a chart's embedded workbook, an OLE package) are inspected the same way and
  count against the same budget; an archive inside those is refused.

Refusals carry a `code` (`archive_too_large`, `archive_too_many_entries`, `archive_ratio`, `archive_nested`,
`archive_corrupt`) and a German message for the admin.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.config import Settings
from app.domain.errors import ValidationError

MB = 1024 * 1024
# Small entries may compress extremely well without being dangerous; the ratio counts above this size.
RATIO_GRACE_BYTES = 1 * MB
# Archives may nest one level (a workbook embedded in a slide); deeper is refused.
MAX_DEPTH = 1
_ALLOWED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20
_SPOOL_IN_MEMORY = 8 * MB


# Every `ArchiveRefused.reason` (also stored as a conversion's error_code).
REFUSAL_CODES = ("archive_too_large", "archive_too_many_entries", "archive_ratio", "archive_nested", "archive_corrupt")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_uncompressed_bytes: int = 1024 * MB
    max_entries: int = 10_000
    max_ratio: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> ArchiveLimits:
        return cls(
            max_uncompressed_bytes=settings.archive_max_uncompressed_mb * MB,
            max_entries=settings.archive_max_entries,
            max_ratio=settings.archive_max_ratio,
        )


class ArchiveRefused(ValidationError):
    """The archive is refused; `reason` is a stable code, `message` says why in German."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, field="file")
        self.reason = reason


@dataclass
class _Budget:
    limits: ArchiveLimits
    entries: int = 0
    inflated: int = 0

    def count_entries(self, n: int) -> None:
        self.entries += n
        if self.entries > self.limits.max_entries:
            raise ArchiveRefused(
                "archive_too_many_entries",
                f"Die Datei enthält zu viele Einträge (mehr als {self.limits.max_entries}); "
                "sie wird zum Schutz des Servers nicht verarbeitet.",
            )

    def declare(self, size: int) -> None:
        if self.inflated + size > self.limits.max_uncompressed_bytes:
            raise _too_large(self.limits)


def _too_large(limits: ArchiveLimits) -> ArchiveRefused:
    return ArchiveRefused(
        "archive_too_large",
        f"Die Datei ist entpackt größer als {limits.max_uncompressed_bytes // MB} MB; "
        "sie wird zum Schutz des Servers nicht verarbeitet (mögliche Zip-Bombe).",
    )


def _ratio_refused(limits: ArchiveLimits, name: str) -> ArchiveRefused:
    return ArchiveRefused(
        "archive_ratio",
        f"Die Datei ist ungewöhnlich stark komprimiert ('{name[:80]}' mehr als {limits.max_ratio}:1); "
        "sie wird zum Schutz des Servers nicht verarbeitet (mögliche Zip-Bombe).",
    )


def _corrupt(detail: str) -> ArchiveRefused:
    return ArchiveRefused("archive_corrupt", f"Die Datei ist beschädigt ({detail[:120]}).")


def inspect_archive(path: Path, limits: ArchiveLimits) -> None:
    """Raise ArchiveRefused when the ZIP at `path` breaks a limit; return when it may be unpacked."""
    budget = _Budget(limits)
    try:
        with path.open("rb") as fh:
            _inspect(fh, path.stat().st_size, budget, depth=0)
    except ArchiveRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise _corrupt(str(exc) or type(exc).__name__) from exc


def _inspect(fh: IO[bytes], archive_size: int, budget: _Budget, *, depth: int) -> None:
    limits = budget.limits
    with zipfile.ZipFile(fh) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        budget.count_entries(len(infos))
        declared = 0
        for info in infos:
            if info.compress_type not in _ALLOWED_METHODS:
                raise _corrupt(f"unbekannte Kompressionsart {info.compress_type} in '{info.filename[:60]}'")
            if info.file_size > RATIO_GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise _ratio_refused(limits, info.filename)
            declared += info.file_size
        budget.declare(declared)
        if declared > RATIO_GRACE_BYTES and declared > limits.max_ratio * max(archive_size, 1):
            raise _ratio_refused(limits, "gesamt")
        for info in infos:
            _inflate(archive, info, budget, depth=depth)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, *, depth: int) -> None:
    """Inflate one entry for real (CRC-checked by zipfile); nested archives are inspected from a spool."""
    limits = budget.limits
    with archive.open(info) as entry:
        head = entry.read(len(_ZIP_MAGIC))
        nested = head == _ZIP_MAGIC
        if nested and depth >= MAX_DEPTH:
            raise ArchiveRefused(
                "archive_nested",
                f"Die Datei enthält zu tief verschachtelte Archive ('{info.filename[:80]}').",
            )
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            size = len(head)
            if nested:
                spool.write(head)
            while chunk := entry.read(_CHUNK):
                size += len(chunk)
                if size > info.file_size or budget.inflated + size > limits.max_uncompressed_bytes:
                    raise _too_large(limits)
                if nested:
                    spool.write(chunk)
            budget.inflated += size
            if nested:
                spool.seek(0)
                # What the nested archive unpacks to counts on top of its own bytes.
                _inspect(spool, size, budget, depth=depth + 1)
