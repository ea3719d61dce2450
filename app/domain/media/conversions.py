"""PPT/PPTX/ODP → PDF conversions: the row per (media, "pdf", sha256) and its state machine.

    pending ──claim──▶ processing ──▶ ready
       ▲                   │    └────▶ failed   (corrupt file, converter missing, attempts used up)
       └── transient ──────┘                    (converter down/busy/timeout: retried with backoff)

A READY conversion is never redone. Content already converted for another media (same sha256, e.g. the
same deck uploaded for a new school year) is reused: its PDF is linked, not converted again. PDFs live
under MEDIA_ROOT/converted/<media_id>-<access_token>/<sha256>.pdf so their URLs cannot be guessed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.domain.bus import CONVERSION_UPDATED, DomainEvent
from app.domain.clock import utcnow
from app.domain.db import Database
from app.domain.enums import CONVERTIBLE_MEDIA_TYPES, ConversionStatus
from app.domain.errors import ValidationError
from app.domain.media.archive import ArchiveLimits, ArchiveRefused, inspect_archive
from app.domain.media.converters import (
    Converter,
    PermanentConversionError,
    TransientConversionError,
    converter_for,
)
from app.domain.media.models import Conversion, EventMedia
from app.domain.media.ports import MediaDeps
from app.domain.media.storage import confined
from app.domain.media.urls import converted_relative_dir
from app.domain.usecase import unit_of_work
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

PDF_FORMAT = "pdf"
# Total tries of one conversion (first run + retries) before a transient failure counts as final.
MAX_ATTEMPTS = 4
THUMBNAIL_TIMEOUT_SECONDS = 60

# Called after every state change: (media_id, conversion_id, status).
PublishConversion = Callable[[int, int, ConversionStatus], Awaitable[None]]


def conversion_updated(media_id: int, conversion_id: int, status: ConversionStatus) -> DomainEvent:
    """The one CONVERSION_UPDATED of a state change (live media lists listen)."""
    return DomainEvent(
        CONVERSION_UPDATED, {"media_id": media_id, "conversion_id": conversion_id, "status": str(status)}
    )


@dataclass(frozen=True, slots=True)
class EnsureResult:
    conversion: Conversion
    # True when a worker has to (re)do it; False when it is ready, running or failed for good.
    needs_worker: bool


def stale_after(settings: Settings) -> timedelta:
    """A `processing` row older than this was abandoned by a crashed/stopped worker."""
    return timedelta(seconds=settings.conversion_timeout_seconds + 120)


def pdf_path(settings: Settings, conversion: Conversion) -> Path | None:
    if not conversion.target_path:
        return None
    return confined(settings.converted_dir, conversion.target_path)


async def current_conversion(session: AsyncSession, media: EventMedia) -> Conversion | None:
    """The conversion of the media's current content, else its newest one."""
    rows = (
        await session.scalars(
            select(Conversion)
            .where(Conversion.source_event_media_id == media.id, Conversion.target_format == PDF_FORMAT)
            .order_by(Conversion.id.desc())
        )
    ).all()
    return next((c for c in rows if c.file_hash == media.sha256), rows[0] if rows else None)


async def conversions_by_media(session: AsyncSession, media: list[EventMedia]) -> dict[int, Conversion]:
    """`current_conversion` for many media in one query (list pages)."""
    if not media:
        return {}
    rows = (
        await session.scalars(
            select(Conversion)
            .where(
                Conversion.source_event_media_id.in_([m.id for m in media]),
                Conversion.target_format == PDF_FORMAT,
            )
            .order_by(Conversion.id.desc())
        )
    ).all()
    hashes = {m.id: m.sha256 for m in media}
    result: dict[int, Conversion] = {}
    for conv in rows:
        mid = conv.source_event_media_id
        if mid not in result or (conv.file_hash == hashes[mid] and result[mid].file_hash != hashes[mid]):
            result[mid] = conv
    return result


async def ensure_pdf_conversion(
    session: AsyncSession, settings: Settings, media: EventMedia, *, retry_failed: bool = False
) -> EnsureResult:
    """Upsert the conversion of the media's current content; says whether a worker must run it."""
    if media.media_type not in CONVERTIBLE_MEDIA_TYPES or not media.sha256 or not media.file_path:
        raise ValidationError("media.not_convertible", field="mediaId")
    existing = await _find(session, media.id, media.sha256)
    if existing is not None:
        return _revisit(settings, existing, retry_failed=retry_failed)

    conversion = Conversion(
        source_event_media_id=media.id,
        target_format=PDF_FORMAT,
        file_hash=media.sha256,
        status=ConversionStatus.PENDING,
        attempts=0,
    )
    if await _reuse_ready_pdf(session, settings, media, conversion):
        log.info("event=conversion_reused media_id=%s sha256=%s", media.id, media.sha256[:12])
    try:
        async with session.begin_nested():
            session.add(conversion)
    except IntegrityError:
        # Someone else created it between our select and insert: use theirs.
        again = await _find(session, media.id, media.sha256)
        if again is None:
            raise
        return _revisit(settings, again, retry_failed=retry_failed)
    return EnsureResult(conversion, needs_worker=conversion.status == ConversionStatus.PENDING)


async def _find(session: AsyncSession, media_id: int, file_hash: str) -> Conversion | None:
    return await session.scalar(
        select(Conversion).where(
            Conversion.source_event_media_id == media_id,
            Conversion.target_format == PDF_FORMAT,
            Conversion.file_hash == file_hash,
        )
    )


def _revisit(settings: Settings, conversion: Conversion, *, retry_failed: bool) -> EnsureResult:
    status = conversion.status
    if status == ConversionStatus.READY:
        path = pdf_path(settings, conversion)
        if path is not None and path.is_file():
            return EnsureResult(conversion, needs_worker=False)
        # The PDF vanished from disk (restored backup, manual cleanup): make it again.
        _reset(conversion, "PDF fehlte auf dem Server; wird neu erstellt.")
        return EnsureResult(conversion, needs_worker=True)
    if status == ConversionStatus.FAILED:
        if retry_failed:
            _reset(conversion, None)
            return EnsureResult(conversion, needs_worker=True)
        return EnsureResult(conversion, needs_worker=False)
    if status == ConversionStatus.PROCESSING:
        started = conversion.started_at
        if started is not None and utcnow() - started > stale_after(settings):
            _reset(conversion, "Umwandlung wurde unterbrochen; neuer Versuch.")
            return EnsureResult(conversion, needs_worker=True)
        return EnsureResult(conversion, needs_worker=False)
    return EnsureResult(conversion, needs_worker=True)


def _reset(conversion: Conversion, message: str | None) -> None:
    conversion.status = ConversionStatus.PENDING
    conversion.attempts = 0
    conversion.error_message = message
    conversion.error_code = None
    conversion.started_at = None
    conversion.completed_at = None
    conversion.target_path = None
    conversion.thumbnail_path = None
    conversion.page_count = None


async def _reuse_ready_pdf(session: AsyncSession, settings: Settings, media: EventMedia, target: Conversion) -> bool:
    """Fill `target` as READY from another media's finished PDF of the same content, if there is one."""
    donors = (
        await session.scalars(
            select(Conversion).where(
                Conversion.file_hash == media.sha256,
                Conversion.target_format == PDF_FORMAT,
                Conversion.status == ConversionStatus.READY,
                Conversion.source_event_media_id != media.id,
            )
        )
    ).all()
    for donor in donors:
        source = pdf_path(settings, donor)
        if source is None or not source.is_file():
            continue
        out_dir = confined(settings.converted_dir, converted_relative_dir(media))
        out_dir.mkdir(parents=True, exist_ok=True)
        pdf_name = f"{media.sha256}.pdf"
        _link_or_copy(source, out_dir / pdf_name)
        thumbnail: str | None = None
        if donor.thumbnail_path:
            thumb_source = confined(settings.converted_dir, donor.thumbnail_path)
            if thumb_source.is_file():
                _link_or_copy(thumb_source, out_dir / f"{media.sha256}.png")
                thumbnail = f"{converted_relative_dir(media)}/{media.sha256}.png"
        now = utcnow()
        target.status = ConversionStatus.READY
        target.target_path = f"{converted_relative_dir(media)}/{pdf_name}"
        target.thumbnail_path = thumbnail
        target.page_count = donor.page_count
        target.started_at = now
        target.completed_at = now
        return True
    return False


def _link_or_copy(source: Path, target: Path) -> None:
    # A hard link each: deleting one media never breaks another's PDF.
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# --- the worker's side ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimedConversion:
    conversion_id: int
    media_id: int
    source: Path | None
    file_name: str
    file_hash: str
    out_dir: str  # relative to converted_dir
    attempts: int


async def claim(session: AsyncSession, settings: Settings, conversion_id: int) -> ClaimedConversion | None:
    """pending (or abandoned processing) → processing, atomically; None when there is nothing to do."""
    now = utcnow()
    result = await session.execute(
        update(Conversion)
        .where(
            Conversion.id == conversion_id,
            or_(
                Conversion.status == ConversionStatus.PENDING,
                (Conversion.status == ConversionStatus.PROCESSING)
                & (Conversion.started_at < now - stale_after(settings)),
            ),
        )
        .values(status=ConversionStatus.PROCESSING, started_at=now, completed_at=None, attempts=Conversion.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    row = (
        await session.execute(
            select(Conversion, EventMedia)
            .join(EventMedia, EventMedia.id == Conversion.source_event_media_id)
            .where(Conversion.id == conversion_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    conversion, media = row
    source = confined(settings.media_root or Path("."), media.file_path) if media.file_path else None
    return ClaimedConversion(
        conversion_id=conversion.id,
        media_id=media.id,
        source=source,
        file_name=media.file_name,
        file_hash=conversion.file_hash,
        out_dir=converted_relative_dir(media),
        attempts=conversion.attempts,
    )


@dataclass(frozen=True, slots=True)
class ProducedPdf:
    target_path: str
    page_count: int
    thumbnail_path: str | None


async def produce_pdf(settings: Settings, job: ClaimedConversion, converter: Converter) -> ProducedPdf:
    if job.source is None or not job.source.is_file():
        raise PermanentConversionError("Die Originaldatei fehlt auf dem Server.")
    await asyncio.to_thread(_inspect_container, settings, job.source)
    out_dir = confined(settings.converted_dir, job.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    part = out_dir / f".{job.file_hash}.{uuid.uuid4().hex}.part"
    try:
        await converter.to_pdf(job.source, job.file_name, part)
        page_count = await asyncio.to_thread(count_pdf_pages, part)
        final = out_dir / f"{job.file_hash}.pdf"
        os.replace(part, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    thumb = out_dir / f"{job.file_hash}.png"
    has_thumb = await render_thumbnail(final, thumb)
    return ProducedPdf(
        target_path=f"{job.out_dir}/{final.name}",
        page_count=page_count,
        thumbnail_path=f"{job.out_dir}/{thumb.name}" if has_thumb else None,
    )


def _inspect_container(settings: Settings, source: Path) -> None:
    """Zip bombs never reach the converter (also files stored before uploads were inspected)."""
    with source.open("rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            return
    try:
        inspect_archive(source, ArchiveLimits.from_settings(settings))
    except ArchiveRefused as exc:
        raise PermanentConversionError(exc.message, code=exc.reason) from exc


def count_pdf_pages(path: Path) -> int:
    try:
        pages = len(PdfReader(str(path)).pages)
    except (PyPdfError, OSError, ValueError, KeyError) as exc:
        raise PermanentConversionError(f"Das erzeugte PDF ist nicht lesbar: {exc}") from exc
    if pages < 1:
        raise PermanentConversionError("Das erzeugte PDF hat keine Seiten.")
    return pages


async def render_thumbnail(pdf: Path, png: Path) -> bool:
    """Page 1 as a small PNG via poppler's pdftoppm (best effort: no poppler, no thumbnail)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        return False
    prefix = png.with_suffix("")
    proc = await asyncio.create_subprocess_exec(
        exe,
        "-png",
        "-r",
        "40",
        "-singlefile",
        "-f",
        "1",
        "-l",
        "1",
        str(pdf),
        str(prefix),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), THUMBNAIL_TIMEOUT_SECONDS)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        return False
    if proc.returncode != 0:
        log.warning("event=thumbnail_failed pdf=%s error=%s", pdf.name, stderr.decode(errors="replace")[:200])
    return proc.returncode == 0 and await asyncio.to_thread(png.is_file)


async def _set(db: Database, conversion_id: int, **values: object) -> bool:
    async with db.session() as session:
        result = await session.execute(
            update(Conversion)
            .where(Conversion.id == conversion_id)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def run_conversion(
    db: Database,
    settings: Settings,
    conversion_id: int,
    publish: PublishConversion,
    converter: Converter | None = None,
) -> ConversionStatus | None:
    """Do one attempt of a conversion. Returns the status it ended in (None: nothing to do).

    Raises TransientConversionError when the attempt should be retried later (the row is back to pending).
    """
    async with db.session() as session:
        job = await claim(session, settings, conversion_id)
    if job is None:
        log.info("event=conversion_skipped conversion_id=%s reason=not_pending", conversion_id)
        return None
    converter = converter or converter_for(settings)
    log.info(
        "event=conversion_started conversion_id=%s media_id=%s attempt=%s converter=%s",
        job.conversion_id,
        job.media_id,
        job.attempts,
        converter.name,
    )
    await publish(job.media_id, job.conversion_id, ConversionStatus.PROCESSING)
    started = utcnow()
    try:
        produced = await produce_pdf(settings, job, converter)
    except TransientConversionError as exc:
        if job.attempts >= MAX_ATTEMPTS:
            return await _fail(db, job, f"{exc.message} (nach {job.attempts} Versuchen)", publish, exc.code)
        await _set(
            db, job.conversion_id, status=ConversionStatus.PENDING, error_message=exc.message, error_code=exc.code
        )
        log.warning(
            "event=conversion_retry conversion_id=%s attempt=%s error=%s", job.conversion_id, job.attempts, exc.message
        )
        await publish(job.media_id, job.conversion_id, ConversionStatus.PENDING)
        raise
    except PermanentConversionError as exc:
        return await _fail(db, job, exc.message, publish, exc.code)
    except asyncio.CancelledError:
        # The task's time limit hit: leave the row claimable again instead of stuck in `processing`.
        with contextlib.suppress(Exception):
            await asyncio.shield(
                _set(db, job.conversion_id, status=ConversionStatus.PENDING, error_message="Zeitlimit überschritten.")
            )
        raise
    except Exception:
        log.exception("event=conversion_crashed conversion_id=%s", job.conversion_id)
        return await _fail(db, job, "Interner Fehler bei der Umwandlung.", publish)

    completed = utcnow()
    stored = await _set(
        db,
        job.conversion_id,
        status=ConversionStatus.READY,
        target_path=produced.target_path,
        page_count=produced.page_count,
        thumbnail_path=produced.thumbnail_path,
        completed_at=completed,
        error_message=None,
        error_code=None,
    )
    if not stored:
        # The media was deleted while we converted: do not leave its PDF behind.
        shutil.rmtree(confined(settings.converted_dir, job.out_dir), ignore_errors=True)
        return None
    log.info(
        "event=conversion_ready conversion_id=%s media_id=%s pages=%s seconds=%.1f",
        job.conversion_id,
        job.media_id,
        produced.page_count,
        (completed - started).total_seconds(),
    )
    await publish(job.media_id, job.conversion_id, ConversionStatus.READY)
    return ConversionStatus.READY


async def _fail(
    db: Database, job: ClaimedConversion, message: str, publish: PublishConversion, code: str | None = None
) -> ConversionStatus:
    await _set(
        db,
        job.conversion_id,
        status=ConversionStatus.FAILED,
        error_message=message,
        error_code=code,
        completed_at=utcnow(),
    )
    log.warning(
        "event=conversion_failed conversion_id=%s media_id=%s code=%s error=%s",
        job.conversion_id,
        job.media_id,
        code,
        message,
    )
    await publish(job.media_id, job.conversion_id, ConversionStatus.FAILED)
    return ConversionStatus.FAILED


@dataclass(frozen=True, slots=True)
class RequeuePlan:
    pending_ids: list[int]
    # When the oldest still-running conversion would count as abandoned (None: nothing running).
    recheck_at: datetime | None


async def pending_after_restart(session: AsyncSession, settings: Settings) -> RequeuePlan:
    """Conversions a (re)started worker must pick up: pending ones and abandoned `processing` ones."""
    now = utcnow()
    cutoff = now - stale_after(settings)
    await session.execute(
        update(Conversion)
        .where(Conversion.status == ConversionStatus.PROCESSING, Conversion.started_at < cutoff)
        .values(status=ConversionStatus.PENDING, error_message="Umwandlung wurde unterbrochen; neuer Versuch.")
        .execution_options(synchronize_session=False)
    )
    pending = list(
        (
            await session.scalars(
                select(Conversion.id).where(Conversion.status == ConversionStatus.PENDING).order_by(Conversion.id)
            )
        ).all()
    )
    oldest_running = await session.scalar(
        select(Conversion.started_at)
        .where(Conversion.status == ConversionStatus.PROCESSING)
        .order_by(Conversion.started_at)
        .limit(1)
    )
    recheck = oldest_running + stale_after(settings) if oldest_running is not None else None
    return RequeuePlan(pending_ids=pending, recheck_at=recheck)


# --- the workers' use cases (system writes: no principal) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ConvertMedia:
    conversion_id: int


async def convert_media(
    deps: MediaDeps, principal: Principal | None, command: ConvertMedia, converter: Converter | None = None
) -> ConversionStatus | None:
    """One attempt of a conversion (see `run_conversion`); every committed state change is announced."""

    async def publish(media_id: int, conversion_id: int, status: ConversionStatus) -> None:
        await deps.bus.publish(conversion_updated(media_id, conversion_id, status))

    return await run_conversion(deps.db, deps.settings, command.conversion_id, publish, converter)


async def requeue_after_restart(deps: MediaDeps, principal: Principal | None) -> RequeuePlan:
    """Abandoned `processing` rows back to pending; which conversions a (re)started worker must pick up."""
    async with unit_of_work(deps, principal) as uow:
        plan = await pending_after_restart(uow.session, deps.settings)
    return plan
