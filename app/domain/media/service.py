"""Use cases of the media library: upload, website links, listing, deletion, conversion requests.

Duplicates: the same content (sha256) uploaded again for the same academic period is refused with a
ConflictError naming the media that already holds it, so the library never fills with copies. The same
content for a different period (next school year's copy of a deck) is accepted and reuses the READY PDF.
Deleting a media that events still show is refused with the list of those events.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.domain.db import Database
from app.domain.enums import CONVERTIBLE_MEDIA_TYPES, MediaType, Role
from app.domain.errors import BlockedError, ConflictError, NotFoundError, ValidationError
from app.domain.events.models import Event
from app.domain.media import storage
from app.domain.media.archive import ArchiveLimits
from app.domain.media.conversions import (
    EnsureResult,
    conversion_updated,
    conversions_by_media,
    current_conversion,
    ensure_pdf_conversion,
)
from app.domain.media.detect import ACCEPTED_EXTENSIONS, EXTENSIONS, detect, extension_of
from app.domain.media.models import Conversion, EventMedia
from app.domain.media.ports import MediaDeps, conversion_queue_of
from app.domain.media.probe import check_video_length, probe_video
from app.domain.media.urls import converted_relative_dir
from app.domain.periods.models import AcademicPeriod
from app.domain.usecase import UnitOfWork, require_role, unit_of_work
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

MAX_URL_LENGTH = 2048
MAX_BLOCKERS_LISTED = 20
WRITE_ROLE = Role.EDITOR


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    media: EventMedia
    # The PDF conversion of a presentation; `needs_worker` says whether it must be enqueued.
    conversion: EnsureResult | None


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


def media_root(settings: Settings) -> Path:
    assert settings.media_root is not None
    return settings.media_root


async def _check_period(session: AsyncSession, academic_period_id: int | None) -> None:
    if academic_period_id is not None and await session.get(AcademicPeriod, academic_period_id) is None:
        raise NotFoundError("media.period_not_found")


@dataclass(frozen=True)
class UploadMedia:
    source: storage.AsyncReadable  # the upload's byte stream (read in chunks)
    file_name: str | None
    academic_period_id: int | None = None


def _unsupported(ext: str) -> ValidationError:
    return ValidationError(
        "media.unsupported_type", field="file", ext=ext or "(ohne Endung)", allowed=", ".join(ACCEPTED_EXTENSIONS)
    )


async def upload_media(deps: MediaDeps, principal: Principal | None, command: UploadMedia) -> UploadOutcome:
    """Receive, check and store an upload as a new media (editor+; one unit of work, files cleaned up on
    failure); a presentation's PDF conversion is announced and handed to the workers after the commit."""
    actor = require_role(principal, WRITE_ROLE)
    settings = deps.settings
    name = storage.sanitize_file_name(command.file_name)
    ext = extension_of(name)
    if ext not in EXTENSIONS:
        raise _unsupported(ext)
    async with deps.db.read_session() as session:
        await _check_period(session, command.academic_period_id)

    root = media_root(settings)
    staged = await storage.receive_upload(command.source, root, settings.max_upload_mb * 1024 * 1024)
    placed: Path | None = None
    try:
        kind = await asyncio.to_thread(detect, staged.path, name, ArchiveLimits.from_settings(settings))
        info = await probe_video(staged.path) if kind.media_type == MediaType.VIDEO else None
        if info is not None:
            check_video_length(info)
        async with unit_of_work(deps, actor) as uow:
            session = uow.session
            await _check_period(session, command.academic_period_id)
            await _refuse_duplicate(session, staged.sha256, command.academic_period_id)
            media = EventMedia(
                academic_period_id=command.academic_period_id,
                media_type=kind.media_type,
                file_name=name,
                mime_type=kind.mime_type,
                size=staged.size,
                sha256=staged.sha256,
                duplicate_key=duplicate_key(staged.sha256, command.academic_period_id),
                access_token=new_access_token(),
                uploaded_by=actor.user_id,
            )
            if info is not None:
                media.duration, media.width, media.height, media.bitrate = (
                    info.duration,
                    info.width,
                    info.height,
                    info.bitrate,
                )
            session.add(media)
            try:
                await session.flush()
            except IntegrityError:
                # Another upload of the same content committed between our check and this insert?
                conflict = await _duplicate_of(deps.db, staged.sha256, command.academic_period_id)
                if conflict is None:
                    raise  # some other constraint (e.g. the period deleted meanwhile)
                raise conflict from None
            media.file_path = storage.media_relative_path(media.id, name)
            placed = storage.place(staged, root, media.file_path)
            conversion = None
            if media.media_type in CONVERTIBLE_MEDIA_TYPES:
                conversion = await ensure_pdf_conversion(session, settings, media)
            await session.flush()
            await uow.audit("media.upload", "event_media", media.id, _details(media))
            _hand_to_workers(uow, deps, conversion)
    except BaseException:
        staged.discard()
        if placed is not None:
            storage.remove_tree(root, str(placed.parent.relative_to(root.resolve())))
        raise
    log.info(
        "event=media_uploaded media_id=%s type=%s size=%s sha256=%s",
        media.id,
        media.media_type,
        media.size,
        media.sha256[:12] if media.sha256 else None,
    )
    return UploadOutcome(media=media, conversion=conversion)


def _details(media: EventMedia) -> dict[str, object]:
    return {
        "file_name": media.file_name,
        "media_type": str(media.media_type),
        "academic_period_id": media.academic_period_id,
        "size": media.size,
        "sha256": media.sha256,
        "url": media.url,
    }


def _hand_to_workers(uow: UnitOfWork, deps: MediaDeps, ensured: EnsureResult | None) -> None:
    """Announce the conversion's state; enqueue it after the commit (a worker must see the row)."""
    if ensured is None:
        return
    conversion = ensured.conversion
    uow.announce(conversion_updated(conversion.source_event_media_id, conversion.id, conversion.status))
    if not ensured.needs_worker:
        return
    queue = conversion_queue_of(deps)
    if queue is None:
        log.warning("event=conversion_not_enqueued conversion_id=%s reason=no_worker_queue", conversion.id)
        return

    async def enqueue() -> None:
        try:
            await queue.enqueue(conversion.id)
        except Exception as exc:
            # The row stays pending; a worker picks it up when it (re)starts. Expected when Redis is down.
            log.warning("event=conversion_enqueue_failed conversion_id=%s error=%s", conversion.id, exc)

    uow.after_commit(enqueue)


def duplicate_key(sha256: str, academic_period_id: int | None) -> str:
    """What the unique `event_media.duplicate_key` holds: one file content per academic period."""
    return f"{academic_period_id or 0}:{sha256}"


async def _existing_copy(session: AsyncSession, sha256: str, academic_period_id: int | None) -> EventMedia | None:
    period_match = (
        EventMedia.academic_period_id.is_(None)
        if academic_period_id is None
        else EventMedia.academic_period_id == academic_period_id
    )
    return await session.scalar(
        select(EventMedia).where(EventMedia.sha256 == sha256, period_match).order_by(EventMedia.id).limit(1)
    )


def _already_stored(existing: EventMedia) -> ConflictError:
    return ConflictError("media.duplicate", name=existing.file_name, id=existing.id)


async def _refuse_duplicate(session: AsyncSession, sha256: str, academic_period_id: int | None) -> None:
    """The quick check; the unique duplicate_key decides races (see `_duplicate_of`)."""
    existing = await _existing_copy(session, sha256, academic_period_id)
    if existing is not None:
        raise _already_stored(existing)


async def _duplicate_of(db: Database, sha256: str, academic_period_id: int | None) -> ConflictError | None:
    """The same error as a sequential duplicate, naming the copy that won the race (read after its commit);
    None when no such copy exists (the insert failed for another reason)."""
    async with db.read_session() as session:
        existing = await session.scalar(
            select(EventMedia).where(EventMedia.duplicate_key == duplicate_key(sha256, academic_period_id))
        )
    if existing is None:
        return None
    log.info("event=media_duplicate_refused media_id=%s sha256=%s race=true", existing.id, sha256[:12])
    return _already_stored(existing)


def _validate_website_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError("media.invalid_url", field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("media.url_scheme", field="url")
    return url


@dataclass(frozen=True)
class CreateWebsiteMedia:
    url: str
    name: str | None = None
    academic_period_id: int | None = None


async def create_website_media(deps: MediaDeps, principal: Principal | None, command: CreateWebsiteMedia) -> EventMedia:
    """A URL-only library entry (no file; editor+); `name` defaults to the host name."""
    actor = require_role(principal, WRITE_ROLE)
    clean_url = _validate_website_url(command.url)
    label = (command.name or "").strip() or (urlsplit(clean_url).hostname or clean_url)
    label = "".join(ch for ch in label if ch.isprintable())[:255]
    if not label:
        raise ValidationError("media.invalid_name", field="name")
    async with unit_of_work(deps, actor) as uow:
        await _check_period(uow.session, command.academic_period_id)
        media = EventMedia(
            academic_period_id=command.academic_period_id,
            media_type=MediaType.WEBSITE,
            file_name=label,
            url=clean_url,
            access_token=new_access_token(),
            uploaded_by=actor.user_id,
        )
        uow.session.add(media)
        await uow.session.flush()
        await uow.audit("media.create_website", "event_media", media.id, _details(media))
    return media


async def list_media(
    session: AsyncSession, *, media_type: MediaType | None = None, academic_period_id: int | None = None
) -> list[EventMedia]:
    stmt = select(EventMedia).order_by(EventMedia.uploaded_at.desc(), EventMedia.id.desc())
    if media_type is not None:
        stmt = stmt.where(EventMedia.media_type == media_type)
    if academic_period_id is not None:
        stmt = stmt.where(EventMedia.academic_period_id == academic_period_id)
    return list((await session.scalars(stmt)).all())


async def get_media(session: AsyncSession, media_id: int) -> EventMedia:
    media = await session.get(EventMedia, media_id)
    if media is None:
        raise NotFoundError("media.not_found")
    return media


async def media_by_token(session: AsyncSession, media_id: int, access_token: str) -> EventMedia | None:
    """The media a public URL points at, only if its token matches (compared in constant time)."""
    media = await session.get(EventMedia, media_id)
    if media is None or not secrets.compare_digest(media.access_token.encode(), access_token.encode()):
        return None
    return media


@dataclass(frozen=True)
class DeleteMedia:
    media_id: int


async def delete_media(deps: MediaDeps, principal: Principal | None, command: DeleteMedia) -> EventMedia:
    """Delete a media row, its file, its PDFs and thumbnails (editor+); refused while events use it."""
    actor = require_role(principal, WRITE_ROLE)
    settings = deps.settings
    async with unit_of_work(deps, actor) as uow:
        session = uow.session
        media = await get_media(session, command.media_id)
        events = (
            await session.execute(
                select(Event.id, Event.title).where(Event.event_media_id == media.id).order_by(Event.id)
            )
        ).all()
        if events:
            blockers = [f"{title} (ID {event_id})" for event_id, title in events[:MAX_BLOCKERS_LISTED]]
            if len(events) > MAX_BLOCKERS_LISTED:
                blockers.append(f"… und {len(events) - MAX_BLOCKERS_LISTED} weitere")
            raise BlockedError("media.in_use", blockers=blockers, name=media.file_name, count=len(events))
        converted = converted_relative_dir(media)
        file_path = media.file_path
        details = _details(media)
        await session.delete(media)
        await uow.audit("media.delete", "event_media", command.media_id, details)

        async def remove_files() -> None:
            # After the commit: a failed delete never leaves a row pointing at removed files.
            storage.remove_media_files(media_root(settings), file_path)
            storage.remove_tree(settings.converted_dir, converted)
            log.info("event=media_deleted media_id=%s", command.media_id)

        uow.after_commit(remove_files)
    return media


@dataclass(frozen=True)
class RequestConversion:
    media_id: int


async def request_conversion(deps: MediaDeps, principal: Principal | None, command: RequestConversion) -> EnsureResult:
    """Make sure the media's PDF exists or is being made (editor+); a failed one is tried again."""
    actor = require_role(principal, WRITE_ROLE)
    async with unit_of_work(deps, actor) as uow:
        media = await get_media(uow.session, command.media_id)
        ensured = await ensure_pdf_conversion(uow.session, deps.settings, media, retry_failed=True)
        await uow.audit("media.request_conversion", "event_media", media.id, {"conversion_id": ensured.conversion.id})
        _hand_to_workers(uow, deps, ensured)
    return ensured


async def conversion_by_id(session: AsyncSession, conversion_id: int) -> Conversion | None:
    return await session.get(Conversion, conversion_id)


# --- queries (adapters call these) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MediaView:
    media: EventMedia
    conversion: Conversion | None


async def media_library(
    deps: MediaDeps,
    principal: Principal | None,
    *,
    media_type: MediaType | None = None,
    academic_period_id: int | None = None,
) -> list[MediaView]:
    """The library, newest first (login required)."""
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        rows = await list_media(session, media_type=media_type, academic_period_id=academic_period_id)
        conversions = await conversions_by_media(session, rows)
    return [MediaView(m, conversions.get(m.id)) for m in rows]


async def media_view(deps: MediaDeps, principal: Principal | None, media_id: int) -> MediaView:
    """One media with its current conversion (login required); NotFoundError when it does not exist."""
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        media = await get_media(session, media_id)
        return MediaView(media, await current_conversion(session, media))


async def streamable_media(deps: MediaDeps, media_id: int, access_token: str) -> EventMedia | None:
    """The media a public stream URL points at, only with its token (displays fetch without a login)."""
    async with deps.db.read_session() as session:
        return await media_by_token(session, media_id, access_token)


async def downloadable_media(deps: MediaDeps, principal: Principal | None, media_id: int) -> EventMedia | None:
    """A media for the dashboard's download (login required); None when it does not exist."""
    require_role(principal, Role.USER)
    async with deps.db.read_session() as session:
        return await session.get(EventMedia, media_id)
