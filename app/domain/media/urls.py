"""Public URLs of media files, as displays and the dashboard fetch them.

Displays fetch without logging in, so every public URL carries the media's unguessable `access_token`:
- stream:    /api/eventmedia/stream/<media_id>/<access_token>/<file_name>
- converted: /api/files/converted/<target_path>, where target_path is `<media_id>-<access_token>/<sha256>.pdf`
             (relative to MEDIA_ROOT/converted), so knowing a media id is never enough to fetch its PDF.
The file name at the end of the stream URL is cosmetic (players show it); the server looks up the media by
id and token only. Dashboard downloads (`download_url`) need a logged-in user instead.
"""

from __future__ import annotations

from urllib.parse import quote

from app.domain.enums import ConversionStatus
from app.domain.media.models import Conversion, EventMedia

STREAM_PREFIX = "/api/eventmedia/stream"
DOWNLOAD_PREFIX = "/api/eventmedia/download"
CONVERTED_PREFIX = "/api/files/converted"


def stream_url(media: EventMedia) -> str | None:
    """Range-capable public URL of an uploaded file; None for URL-only (website) media."""
    if media.file_path is None:
        return None
    return f"{STREAM_PREFIX}/{media.id}/{media.access_token}/{quote(media.file_name, safe='')}"


def download_url(media: EventMedia) -> str | None:
    """Dashboard download of the original (login required, served as an attachment)."""
    if media.file_path is None:
        return None
    return f"{DOWNLOAD_PREFIX}/{media.id}"


def converted_relative_dir(media: EventMedia) -> str:
    """Directory (under MEDIA_ROOT/converted) holding a media's PDFs and thumbnails."""
    return f"{media.id}-{media.access_token}"


def converted_pdf_url(conversion: Conversion) -> str | None:
    """Public URL of a finished PDF; None until the conversion is READY."""
    if conversion.status != ConversionStatus.READY or not conversion.target_path:
        return None
    return f"{CONVERTED_PREFIX}/{quote(conversion.target_path)}"


def thumbnail_url(conversion: Conversion) -> str | None:
    """PNG of page 1 (small, for the dashboard); None when none was made."""
    if conversion.status != ConversionStatus.READY or not conversion.thumbnail_path:
        return None
    return f"{CONVERTED_PREFIX}/{quote(conversion.thumbnail_path)}"
