"""The event-list payload of `infoscreen/events/{group_id}`: one dict per active occurrence (pure).

Common fields for every type, then the nested block the display reads for the event type:
`presentation` {type: slideshow, files, slide_interval, page_progress, auto_progress},
`website` {type: browser, url} for website and webuntis, `video` {url, playback flags, file metadata},
`message` {text}. URLs are server-relative (`/api/...`); displays prefix their server's base URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from app.domain.clock import iso_z
from app.domain.enums import EventType, MediaType
from app.domain.media.urls import converted_pdf_url, stream_url


class EventSnapshot(NamedTuple):
    """The columns of an event that the scheduler needs (a tuple: cheap to build for thousands of rows)."""

    id: int
    group_id: int
    title: str
    event_type: EventType
    start: datetime
    end: datetime
    recurrence_rule: str | None
    recurrence_end: datetime | None
    detached_from_event_id: int | None
    event_media_id: int | None
    slideshow_interval: int | None
    page_progress: bool | None
    auto_progress: bool | None
    website_url: str | None
    autoplay: bool | None
    loop: bool | None
    volume: float | None
    muted: bool | None
    message_text: str | None


@dataclass(frozen=True, slots=True)
class MediaFile:
    """What a display needs to fetch one file: name, public URL, checksum and size."""

    name: str
    url: str | None
    checksum: str | None
    size: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "checksum": self.checksum, "size": self.size}


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """A media row as the payload needs it; `slides` is the PDF shown for a presentation (None if not ready)."""

    id: int
    media_type: MediaType
    file_name: str
    stream_url: str | None
    mime_type: str | None
    size: int | None
    sha256: str | None
    duration: float | None
    width: int | None
    height: int | None
    bitrate: int | None
    slides: MediaFile | None


def _absolute(base_url: str, path: str | None) -> str | None:
    return None if path is None else base_url + path


def media_facts(media: Any, conversion: Any | None, pdf_size: int | None, base_url: str = "") -> MediaFacts:
    """Build MediaFacts from an EventMedia row and its READY PDF conversion (office documents).

    `base_url` (PUBLIC_BASE_URL, no trailing slash) makes the URLs absolute; empty keeps them server-relative.
    """
    url = _absolute(base_url, stream_url(media))
    slides: MediaFile | None = None
    if media.media_type == MediaType.PDF:
        slides = MediaFile(name=media.file_name, url=url, checksum=media.sha256, size=media.size)
    elif conversion is not None and converted_pdf_url(conversion) is not None:
        slides = MediaFile(
            name=str(PurePosixPath(media.file_name).with_suffix(".pdf")),
            url=_absolute(base_url, converted_pdf_url(conversion)),
            # sha256 of the source document: changes exactly when the slides change.
            checksum=conversion.file_hash,
            size=pdf_size,
        )
    return MediaFacts(
        id=media.id,
        media_type=MediaType(media.media_type),
        file_name=media.file_name,
        stream_url=url,
        mime_type=media.mime_type,
        size=media.size,
        sha256=media.sha256,
        duration=media.duration,
        width=media.width,
        height=media.height,
        bitrate=media.bitrate,
        slides=slides,
    )


def _presentation(event: EventSnapshot, media: MediaFacts | None) -> dict[str, Any]:
    files = [media.slides.as_dict()] if media is not None and media.slides is not None else []
    return {
        "type": "slideshow",
        "files": files,
        "slide_interval": event.slideshow_interval,
        "page_progress": event.page_progress,
        "auto_progress": event.auto_progress,
    }


def _video(event: EventSnapshot, media: MediaFacts | None) -> dict[str, Any]:
    resolution = None
    if media is not None and media.width and media.height:
        resolution = f"{media.width}x{media.height}"
    return {
        "url": media.stream_url if media else None,
        "autoplay": event.autoplay,
        "loop": event.loop,
        "volume": event.volume,
        "muted": event.muted,
        "mime_type": media.mime_type if media else None,
        "size": media.size if media else None,
        # The stream endpoint serves byte ranges (206), so players can seek.
        "accept_ranges": media is not None and media.stream_url is not None,
        "duration": media.duration if media else None,
        "resolution": resolution,
        "bitrate": media.bitrate if media else None,
        "qualities": [],
        "thumbnails": [],
        "checksum": media.sha256 if media else None,
    }


def event_payload(
    event: EventSnapshot, start: datetime, end: datetime, media: MediaFacts | None = None
) -> dict[str, Any]:
    """One occurrence of `event` (start/end are the occurrence's) as the display reads it."""
    payload: dict[str, Any] = {
        "id": event.id,
        "title": event.title,
        "start": iso_z(start),
        "end": iso_z(end),
        "group_id": event.group_id,
        "event_type": event.event_type.value,
        "recurrence_rule": event.recurrence_rule,
        "recurrence_end": iso_z(event.recurrence_end),
        "detached_from_event_id": event.detached_from_event_id,
    }
    kind = event.event_type
    if kind is EventType.PRESENTATION:
        payload["presentation"] = _presentation(event, media)
    elif kind in (EventType.WEBSITE, EventType.WEBUNTIS):
        payload["website"] = {"type": "browser", "url": event.website_url}
    elif kind is EventType.VIDEO:
        payload["video"] = _video(event, media)
    elif kind is EventType.MESSAGE:
        payload["message"] = {"text": event.message_text}
    return payload
