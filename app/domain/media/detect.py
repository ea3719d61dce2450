"""What an uploaded file really is: judged by its content (magic bytes, ZIP entries) AND its name.

A file is accepted only when both agree, so an `.exe` renamed to `.pdf` or a PNG named `.mp4` is refused
before anything is stored or handed to LibreOffice/ffprobe.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.domain.enums import MediaType
from app.domain.errors import ValidationError
from app.domain.media.archive import ArchiveLimits, inspect_archive

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
EBML_MAGIC = bytes.fromhex("1A45DFA3")
ODP_MIMETYPE = b"application/vnd.oasis.opendocument.presentation"
# The PowerPoint stream name inside an OLE2 directory entry (UTF-16LE); tells a .ppt from a .doc/.xls.
PPT_STREAM_NAME = "PowerPoint Document".encode("utf-16-le")
_STILL_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif", b"avis"})


@dataclass(frozen=True, slots=True)
class ContentKind:
    name: str
    media_type: MediaType
    mime_type: str


PDF = ContentKind("pdf", MediaType.PDF, "application/pdf")
PPTX = ContentKind("pptx", MediaType.PPTX, "application/vnd.openxmlformats-officedocument.presentationml.presentation")
ODP = ContentKind("odp", MediaType.ODP, "application/vnd.oasis.opendocument.presentation")
PPT = ContentKind("ppt", MediaType.PPT, "application/vnd.ms-powerpoint")
JPEG = ContentKind("jpeg", MediaType.IMAGE, "image/jpeg")
PNG = ContentKind("png", MediaType.IMAGE, "image/png")
GIF = ContentKind("gif", MediaType.IMAGE, "image/gif")
WEBP = ContentKind("webp", MediaType.IMAGE, "image/webp")
MP4 = ContentKind("mp4", MediaType.VIDEO, "video/mp4")
QUICKTIME = ContentKind("mov", MediaType.VIDEO, "video/quicktime")
WEBM = ContentKind("webm", MediaType.VIDEO, "video/webm")

ZIP_CONTAINERS = frozenset({PPTX, ODP})

# Which contents each accepted file extension may hold.
EXTENSIONS: dict[str, tuple[ContentKind, ...]] = {
    ".pdf": (PDF,),
    ".pptx": (PPTX,),
    ".odp": (ODP,),
    ".ppt": (PPT,),
    ".jpg": (JPEG,),
    ".jpeg": (JPEG,),
    ".png": (PNG,),
    ".gif": (GIF,),
    ".webp": (WEBP,),
    ".mp4": (MP4,),
    ".m4v": (MP4,),
    ".mov": (QUICKTIME, MP4),
    ".webm": (WEBM,),
}

ACCEPTED_EXTENSIONS = tuple(sorted(EXTENSIONS))


def extension_of(file_name: str) -> str:
    return Path(file_name).suffix.lower()


def sniff(path: Path) -> ContentKind | None:
    """The kind of content in `path` by its bytes alone, or None when it is nothing we accept."""
    with path.open("rb") as fh:
        head = fh.read(64)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if head.startswith(OLE2_MAGIC):
        return PPT if _contains(path, PPT_STREAM_NAME) else None
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _STILL_IMAGE_BRANDS:
            return None  # HEIC/AVIF photos share the ISO container with MP4
        return QUICKTIME if brand == b"qt  " else MP4
    if head.startswith(EBML_MAGIC):
        return WEBM if b"webm" in head else None
    return None


def _sniff_zip(path: Path) -> ContentKind | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as fh:
                    if fh.read(len(ODP_MIMETYPE) + 1).strip() == ODP_MIMETYPE:
                        return ODP
                return None
            if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                return PPTX
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None
    return None


def _contains(path: Path, needle: bytes, chunk_size: int = 1 << 20) -> bool:
    """Chunked search (overlapping by len(needle)) so large files are never read into memory at once."""
    overlap = len(needle) - 1
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            if needle in tail + chunk:
                return True
            tail = chunk[-overlap:]
    return False


def detect(path: Path, file_name: str, archive_limits: ArchiveLimits | None = None) -> ContentKind:
    """The kind of an uploaded file whose name and content agree; raises ValidationError otherwise.

    With `archive_limits`, ZIP containers (PPTX, ODP) must also pass `inspect_archive` (zip bombs).
    """
    ext = extension_of(file_name)
    allowed = EXTENSIONS.get(ext)
    if allowed is None:
        raise ValidationError(
            "media.unsupported_type", field="file", ext=ext or "(ohne Endung)", allowed=", ".join(ACCEPTED_EXTENSIONS)
        )
    found = sniff(path)
    if found is None:
        raise ValidationError("media.content_invalid", field="file", kind=ext.lstrip(".").upper())
    if found not in allowed:
        raise ValidationError("media.content_mismatch", field="file", ext=ext, found=found.name.upper())
    if archive_limits is not None and found in ZIP_CONTAINERS:
        inspect_archive(path, archive_limits)
    return found
