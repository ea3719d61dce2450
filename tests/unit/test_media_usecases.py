"""Media use cases on fakes: the editor role is checked in the domain, every media write leaves an audit row
(uploads, website links, deletions, conversion requests), CONVERSION_UPDATED is built in one domain place
and published after the commit, a conversion is handed to the queue only after the commit."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfWriter

from app.domain.bus import CONVERSION_UPDATED, DomainEvent
from app.domain.clients.models import ClientGroup
from app.domain.enums import ConversionStatus, EventType, MediaType, Role
from app.domain.errors import BlockedError, ConflictError, ForbiddenError, ValidationError
from app.domain.events.models import Event
from app.domain.media import service as media
from app.domain.media.conversions import ConvertMedia, conversion_updated, convert_media
from app.domain.media.models import Conversion, EventMedia
from app.domain.media.storage import media_relative_path
from tests.unit.fakes import FakeDeps, RecordingBus, add_user, audit_rows, memory_database, unit_settings


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Upload:
    """An upload stream (what Starlette's UploadFile offers); counts how often it was read."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        return self.stream.read(size)


class RecordingQueue:
    def __init__(self, deps: FakeDeps) -> None:
        self.deps = deps
        self.enqueued: list[tuple[int, ConversionStatus | None]] = []

    async def enqueue(self, conversion_id: int) -> None:
        async with self.deps.db.read_session() as session:  # what a worker would see now
            row = await session.get(Conversion, conversion_id)
        self.enqueued.append((conversion_id, row.status if row is not None else None))


class PdfConverter:
    name = "fake"

    async def to_pdf(self, source: Path, file_name: str, out_path: Path) -> None:
        await asyncio.to_thread(out_path.write_bytes, _pdf_bytes())


@pytest.fixture
async def deps(tmp_path: Path) -> AsyncIterator[FakeDeps]:
    db = await memory_database()
    yield FakeDeps(db=db, settings=unit_settings(tmp_path))
    await db.dispose()


async def _stored_pptx(deps: FakeDeps) -> EventMedia:
    """A presentation as an upload leaves it (file on disk), without the converter run."""
    async with deps.db.session() as session:
        row = EventMedia(
            media_type=MediaType.PPTX, file_name="deck.pptx", size=4, sha256="ab" * 32, access_token="tok-" + "x" * 20
        )
        session.add(row)
        await session.flush()
        row.file_path = media_relative_path(row.id, "deck.pptx")
    path = deps.settings.media_root / row.file_path  # type: ignore[operator]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"deck")
    return row


async def test_a_user_may_not_upload_and_the_file_is_not_even_read(deps: FakeDeps) -> None:
    user = await add_user(deps.db, Role.USER)
    upload = Upload(_pdf_bytes())
    with pytest.raises(ForbiddenError) as refused:
        await media.upload_media(deps, user, media.UploadMedia(upload, "plan.pdf"))
    assert refused.value.key == "auth.forbidden"
    assert upload.reads == 0
    with pytest.raises(ForbiddenError):
        await media.create_website_media(deps, user, media.CreateWebsiteMedia("https://example.org"))
    assert await audit_rows(deps.db) == [] and deps.bus.published == []


async def test_upload_and_website_link_are_audited(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR, "medien")
    outcome = await media.upload_media(deps, editor, media.UploadMedia(Upload(_pdf_bytes()), "Plan A.pdf"))
    assert outcome.media.media_type == MediaType.PDF and outcome.conversion is None
    [upload_row] = await audit_rows(deps.db, "media.upload")
    assert (upload_row.actor_username, upload_row.object_id) == ("medien", str(outcome.media.id))
    assert upload_row.details is not None and upload_row.details["file_name"] == "Plan A.pdf"
    assert upload_row.ip == "192.0.2.7"

    site = await media.create_website_media(deps, editor, media.CreateWebsiteMedia("https://schule.example/plan"))
    assert site.file_name == "schule.example"
    [site_row] = await audit_rows(deps.db, "media.create_website")
    assert site_row.object_id == str(site.id)
    assert deps.bus.published == []  # no conversion involved


async def test_refusals_name_a_key_and_write_nothing(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR)
    with pytest.raises(ValidationError) as scheme:
        await media.create_website_media(deps, editor, media.CreateWebsiteMedia("ftp://schule.example"))
    assert (scheme.value.key, scheme.value.field) == ("media.url_scheme", "url")
    assert scheme.value.message == "Die URL muss mit http:// oder https:// beginnen und einen Host enthalten."
    with pytest.raises(ValidationError) as kind:
        await media.upload_media(deps, editor, media.UploadMedia(Upload(b"MZ\x90\x00"), "tool.exe"))
    assert kind.value.key == "media.unsupported_type"
    assert kind.value.message.startswith("Dateityp '.exe' wird nicht unterstützt. Erlaubt: ")
    assert kind.value.text("en").startswith("File type '.exe' is not supported.")
    first = await media.upload_media(deps, editor, media.UploadMedia(Upload(_pdf_bytes()), "a.pdf"))
    with pytest.raises(ConflictError) as duplicate:
        await media.upload_media(deps, editor, media.UploadMedia(Upload(_pdf_bytes()), "b.pdf"))
    assert duplicate.value.key == "media.duplicate"
    assert duplicate.value.message == f"Diese Datei ist bereits in der Mediathek: „a.pdf“ (ID {first.media.id})."
    assert [r.action for r in await audit_rows(deps.db)] == ["media.upload"]


async def test_delete_is_refused_while_events_use_it_then_audited_and_files_removed(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR)
    deck = await _stored_pptx(deps)
    start = datetime(2031, 3, 3, 8, tzinfo=UTC)
    async with deps.db.session() as session:
        group = ClientGroup(name="Foyer")
        session.add(group)
        await session.flush()
        event = Event(
            group_id=group.id, title="Elternabend", event_type=EventType.PRESENTATION, start=start,
            end=start + timedelta(hours=1), event_media_id=deck.id,
        )  # fmt: skip
        session.add(event)
    with pytest.raises(BlockedError) as blocked:
        await media.delete_media(deps, editor, media.DeleteMedia(deck.id))
    assert blocked.value.key == "media.in_use"
    assert blocked.value.message == "„deck.pptx“ wird noch von 1 Termin(en) verwendet."
    assert blocked.value.blockers == [f"Elternabend (ID {event.id})"]

    async with deps.db.session() as session:
        await session.delete(await session.get(Event, event.id))
    file = deps.settings.media_root / deck.file_path  # type: ignore[operator]
    assert file.is_file()
    await media.delete_media(deps, editor, media.DeleteMedia(deck.id))
    assert not file.exists()
    [row] = await audit_rows(deps.db, "media.delete")
    assert row.object_id == str(deck.id) and row.details is not None and row.details["file_name"] == "deck.pptx"


async def test_a_conversion_request_is_audited_announced_and_enqueued_after_the_commit(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR)
    deck = await _stored_pptx(deps)
    queue = RecordingQueue(deps)
    deps.conversion_queue = queue
    ensured = await media.request_conversion(deps, editor, media.RequestConversion(deck.id))
    conversion_id = ensured.conversion.id
    assert ensured.needs_worker
    assert queue.enqueued == [(conversion_id, ConversionStatus.PENDING)]  # the worker finds the committed row
    assert deps.bus.published == [conversion_updated(deck.id, conversion_id, ConversionStatus.PENDING)]
    assert deps.bus.published[0] == DomainEvent(
        CONVERSION_UPDATED, {"media_id": deck.id, "conversion_id": conversion_id, "status": "pending"}
    )
    [row] = await audit_rows(deps.db, "media.request_conversion")
    assert row.details == {"conversion_id": conversion_id}

    with pytest.raises(ValidationError) as not_convertible:
        pdf = await media.upload_media(deps, editor, media.UploadMedia(Upload(_pdf_bytes()), "a.pdf"))
        await media.request_conversion(deps, editor, media.RequestConversion(pdf.media.id))
    assert not_convertible.value.key == "media.not_convertible"
    assert len(queue.enqueued) == 1 and len(deps.bus.published) == 1


async def test_the_worker_announces_each_committed_state_in_the_same_shape(deps: FakeDeps) -> None:
    editor = await add_user(deps.db, Role.EDITOR)
    deck = await _stored_pptx(deps)
    ensured = await media.request_conversion(deps, editor, media.RequestConversion(deck.id))
    conversion_id = ensured.conversion.id
    seen: list[ConversionStatus | None] = []

    async def committed_status(event: DomainEvent) -> None:
        async with deps.db.read_session() as session:
            row = await session.get(Conversion, event.data["conversion_id"])
            seen.append(row.status if row is not None else None)

    deps.bus = RecordingBus(committed_status)
    status = await convert_media(deps, None, ConvertMedia(conversion_id), converter=PdfConverter())
    assert status == ConversionStatus.READY
    assert deps.bus.published == [
        conversion_updated(deck.id, conversion_id, ConversionStatus.PROCESSING),
        conversion_updated(deck.id, conversion_id, ConversionStatus.READY),
    ]
    assert seen == [ConversionStatus.PROCESSING, ConversionStatus.READY]
    assert await convert_media(deps, None, ConvertMedia(conversion_id), converter=PdfConverter()) is None
    assert len(deps.bus.published) == 2  # nothing to do, nothing announced
