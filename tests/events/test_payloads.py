"""The event-list payload per event type, exactly as a display reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from app.domain.enums import ConversionStatus, EventType, MediaType
from app.domain.events.payloads import EventSnapshot, MediaFacts, event_payload, media_facts

START = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
END = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
BASE = EventSnapshot(
    id=148,
    group_id=12,
    title="Titel",
    event_type=EventType.MESSAGE,
    start=START,
    end=END,
    recurrence_rule=None,
    recurrence_end=None,
    detached_from_event_id=None,
    event_media_id=None,
    slideshow_interval=None,
    page_progress=None,
    auto_progress=None,
    website_url=None,
    autoplay=None,
    loop=None,
    volume=None,
    muted=None,
    message_text=None,
)
COMMON = {
    "id": 148,
    "title": "Titel",
    "start": "2026-04-01T06:00:00Z",
    "end": "2026-04-01T07:00:00Z",
    "group_id": 12,
    "recurrence_rule": None,
    "recurrence_end": None,
    "detached_from_event_id": None,
}


def _media(media_type: MediaType, file_name: str, **extra: Any) -> SimpleNamespace:
    values = dict(
        id=5,
        media_type=media_type,
        file_name=file_name,
        file_path="uploads/5",
        access_token="tok",
        mime_type=None,
        size=2048,
        sha256="a" * 64,
        duration=None,
        width=None,
        height=None,
        bitrate=None,
    )
    values.update(extra)
    return SimpleNamespace(**values)


def _conversion(status: ConversionStatus = ConversionStatus.READY) -> SimpleNamespace:
    return SimpleNamespace(status=status, target_path="5-tok/" + "b" * 64 + ".pdf", file_hash="c" * 64)


PPTX_READY = media_facts(_media(MediaType.PPTX, "Folien Woche 1.pptx"), _conversion(), 9999)
PPTX_PENDING = media_facts(_media(MediaType.PPTX, "x.pptx"), _conversion(ConversionStatus.PENDING), None)
PDF = media_facts(_media(MediaType.PDF, "plan.pdf"), None, None)
VIDEO = media_facts(
    _media(MediaType.VIDEO, "film.mp4", mime_type="video/mp4", duration=12.5, width=1920, height=1080, bitrate=4000),
    None,
    None,
)
PRESENTATION_FLAGS = {"slideshow_interval": 10, "page_progress": True, "auto_progress": False}
VIDEO_FLAGS = {"autoplay": True, "loop": False, "volume": 0.8, "muted": False}


CASES: list[tuple[str, dict[str, Any], MediaFacts | None, dict[str, Any]]] = [
    (
        "message",
        {"event_type": EventType.MESSAGE, "message_text": "Hallo Schule"},
        None,
        {"event_type": "message", "message": {"text": "Hallo Schule"}},
    ),
    (
        "website",
        {"event_type": EventType.WEBSITE, "website_url": "https://schule.example"},
        None,
        {"event_type": "website", "website": {"type": "browser", "url": "https://schule.example"}},
    ),
    (
        "webuntis renders like a website",
        {"event_type": EventType.WEBUNTIS, "website_url": "https://untis.example/v"},
        None,
        {"event_type": "webuntis", "website": {"type": "browser", "url": "https://untis.example/v"}},
    ),
    (
        "presentation from a converted office document",
        {"event_type": EventType.PRESENTATION, "event_media_id": 5, **PRESENTATION_FLAGS},
        PPTX_READY,
        {
            "event_type": "presentation",
            "presentation": {
                "type": "slideshow",
                "files": [
                    {
                        "name": "Folien Woche 1.pdf",
                        "url": "/api/files/converted/5-tok/" + "b" * 64 + ".pdf",
                        "checksum": "c" * 64,
                        "size": 9999,
                    }
                ],
                "slide_interval": 10,
                "page_progress": True,
                "auto_progress": False,
            },
        },
    ),
    (
        "presentation whose conversion is not ready has no files yet",
        {"event_type": EventType.PRESENTATION, "event_media_id": 5, **PRESENTATION_FLAGS},
        PPTX_PENDING,
        {
            "event_type": "presentation",
            "presentation": {
                "type": "slideshow",
                "files": [],
                "slide_interval": 10,
                "page_progress": True,
                "auto_progress": False,
            },
        },
    ),
    (
        "presentation of a PDF streams the file itself",
        {"event_type": EventType.PRESENTATION, "event_media_id": 5, **PRESENTATION_FLAGS},
        PDF,
        {
            "event_type": "presentation",
            "presentation": {
                "type": "slideshow",
                "files": [
                    {
                        "name": "plan.pdf",
                        "url": "/api/eventmedia/stream/5/tok/plan.pdf",
                        "checksum": "a" * 64,
                        "size": 2048,
                    }
                ],
                "slide_interval": 10,
                "page_progress": True,
                "auto_progress": False,
            },
        },
    ),
    (
        "video with file metadata",
        {"event_type": EventType.VIDEO, "event_media_id": 5, **VIDEO_FLAGS},
        VIDEO,
        {
            "event_type": "video",
            "video": {
                "url": "/api/eventmedia/stream/5/tok/film.mp4",
                "autoplay": True,
                "loop": False,
                "volume": 0.8,
                "muted": False,
                "mime_type": "video/mp4",
                "size": 2048,
                "accept_ranges": True,
                "duration": 12.5,
                "resolution": "1920x1080",
                "bitrate": 4000,
                "qualities": [],
                "thumbnails": [],
                "checksum": "a" * 64,
            },
        },
    ),
    (
        "video whose media was deleted still carries its flags",
        {"event_type": EventType.VIDEO, **VIDEO_FLAGS},
        None,
        {
            "event_type": "video",
            "video": {
                "url": None,
                "autoplay": True,
                "loop": False,
                "volume": 0.8,
                "muted": False,
                "mime_type": None,
                "size": None,
                "accept_ranges": False,
                "duration": None,
                "resolution": None,
                "bitrate": None,
                "qualities": [],
                "thumbnails": [],
                "checksum": None,
            },
        },
    ),
]


@pytest.mark.parametrize(("fields", "media", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_payload_per_event_type(fields: dict[str, Any], media: MediaFacts | None, expected: dict[str, Any]) -> None:
    event = BASE._replace(**fields)
    assert event_payload(event, START, END, media) == {**COMMON, **expected}


def test_recurring_occurrence_carries_its_own_times_and_the_rule() -> None:
    event = BASE._replace(
        event_type=EventType.MESSAGE,
        message_text="x",
        recurrence_rule="FREQ=WEEKLY;COUNT=3",
        recurrence_end=datetime(2026, 4, 15, 7, 0, tzinfo=UTC),
    )
    occ_start = datetime(2026, 4, 8, 6, 0, 0, 500000, tzinfo=UTC)
    payload = event_payload(event, occ_start, datetime(2026, 4, 8, 7, 0, tzinfo=UTC))
    assert payload["start"] == "2026-04-08T06:00:00.500Z" and payload["end"] == "2026-04-08T07:00:00Z"
    assert payload["recurrence_rule"] == "FREQ=WEEKLY;COUNT=3"
    assert payload["recurrence_end"] == "2026-04-15T07:00:00Z"


def test_public_base_url_makes_media_urls_absolute_for_displays() -> None:
    base = "https://infoscreen.schule.at"
    slides = media_facts(_media(MediaType.PPTX, "Folien.pptx"), _conversion(), 10, base).slides
    assert slides is not None and slides.url == f"{base}/api/files/converted/5-tok/{'b' * 64}.pdf"
    video = media_facts(_media(MediaType.VIDEO, "film.mp4"), None, None, base)
    assert video.stream_url == f"{base}/api/eventmedia/stream/5/tok/film.mp4"
    # Without the setting the URLs stay relative, as before.
    assert PDF.slides is not None
    assert PDF.slides.url is not None and PDF.slides.url.startswith("/api/eventmedia/stream/5/tok/")


def test_public_base_url_setting_is_validated() -> None:
    import pytest

    from app.config import ConfigurationError, load_settings

    assert load_settings(PUBLIC_BASE_URL="https://x.example/").public_base_url == "https://x.example"
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        load_settings(PUBLIC_BASE_URL="ftp://x")
