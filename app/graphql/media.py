"""The media library over GraphQL: `media`, `eventMedia`, uploads, website links, deletion, conversions.

Reading needs a login, writing the editor role (the domain checks both). The use cases in
app.domain.media.service announce CONVERSION_UPDATED and hand conversions to the workers through the
domain's ConversionQueue port (app.domain.media.ports), never through Dramatiq directly.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from app.domain import errors as domain_errors
from app.domain.bus import CONVERSION_UPDATED
from app.domain.enums import ConversionStatus, MediaType, Role
from app.domain.media import service
from app.domain.media.models import Conversion, EventMedia
from app.domain.media.urls import converted_pdf_url, download_url, stream_url, thumbnail_url
from app.domain.usecase import require_role
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import (
    BlockedError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    caller_language,
)
from app.graphql.types_users import as_result
from app.messages import translate_stored

MediaTypeEnum = strawberry.enum(MediaType, name="MediaType", description="Kind of a media library entry.")
ConversionStatusEnum = strawberry.enum(ConversionStatus, name="ConversionStatus")


@strawberry.type(name="Conversion", description="The PDF made from a PPT/PPTX/ODP file.")
class ConversionType:
    id: int
    status: ConversionStatusEnum  # type: ignore[valid-type]
    error_message: str | None
    error_code: str | None = strawberry.field(
        description="Why it failed, when a limit or check refused it: converter_memory, converter_cpu, "
        "converter_timeout, converter_output_too_large, archive_too_large, archive_too_many_entries, "
        "archive_ratio, archive_nested, archive_corrupt."
    )
    pdf_url: str | None = strawberry.field(description="Public URL of the PDF once it is READY.")
    page_count: int | None
    thumbnail_url: str | None = strawberry.field(description="Small PNG of page 1 (dashboard).")
    attempts: int
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def from_model(cls, conversion: Conversion) -> ConversionType:
        return cls(
            id=conversion.id,
            status=conversion.status,
            # Stored in German: in the caller's language (app.messages.translate_stored).
            error_message=translate_stored(conversion.error_message, caller_language()) or None,
            error_code=conversion.error_code,
            pdf_url=converted_pdf_url(conversion),
            page_count=conversion.page_count,
            thumbnail_url=thumbnail_url(conversion),
            attempts=conversion.attempts or 0,
            started_at=conversion.started_at,
            completed_at=conversion.completed_at,
        )


@strawberry.type(name="EventMedia", description="A file (or website link) in the media library.")
class EventMediaType:
    id: int
    file_name: str
    media_type: MediaTypeEnum  # type: ignore[valid-type]
    url: str | None = strawberry.field(
        description="Website URL, or the public stream URL (with its unguessable token) of an uploaded file."
    )
    size: int | None
    sha256: str | None
    mime_type: str | None
    uploaded_at: datetime
    academic_period_id: int | None
    duration: float | None = strawberry.field(description="Video length in seconds (ffprobe).")
    width: int | None
    height: int | None
    bitrate: int | None
    page_count: int | None = strawberry.field(description="Pages of the converted PDF.")
    thumbnail_url: str | None
    download_url: str | None = strawberry.field(description="Download of the original (login required).")
    conversion: ConversionType | None

    @classmethod
    def from_model(cls, media: EventMedia, conversion: Conversion | None) -> EventMediaType:
        conv = ConversionType.from_model(conversion) if conversion is not None else None
        return cls(
            id=media.id,
            file_name=media.file_name,
            media_type=media.media_type,
            url=media.url if media.media_type == MediaType.WEBSITE else stream_url(media),
            size=media.size,
            sha256=media.sha256,
            mime_type=media.mime_type,
            uploaded_at=media.uploaded_at,
            academic_period_id=media.academic_period_id,
            duration=media.duration,
            width=media.width,
            height=media.height,
            bitrate=media.bitrate,
            page_count=conv.page_count if conv else None,
            thumbnail_url=conv.thumbnail_url if conv else None,
            download_url=download_url(media),
            conversion=conv,
        )


@strawberry.type
class DeletedMedia:
    id: int


UploadMediaResult = Annotated[
    EventMediaType | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("UploadMediaResult"),
]
CreateWebsiteMediaResult = Annotated[
    EventMediaType | ValidationError | NotFoundError | ForbiddenError,
    strawberry.union("CreateWebsiteMediaResult"),
]
DeleteMediaResult = Annotated[
    DeletedMedia | NotFoundError | BlockedError | ForbiddenError,
    strawberry.union("DeleteMediaResult"),
]
RequestConversionResult = Annotated[
    EventMediaType | ValidationError | NotFoundError | ForbiddenError,
    strawberry.union("RequestConversionResult"),
]


def _as_type(view: service.MediaView) -> EventMediaType:
    return EventMediaType.from_model(view.media, view.conversion)


async def _load(info: Info, media_id: int) -> EventMediaType:
    return _as_type(await service.media_view(info.context.container, caller(info), media_id))


@strawberry.type
class MediaQuery:
    @strawberry.field(description="The media library, newest first; filter by type and academic period.")
    async def media(
        self,
        info: Info,
        media_type: MediaTypeEnum | None = None,  # type: ignore[valid-type]
        academic_period_id: int | None = None,
    ) -> list[EventMediaType]:
        views = await service.media_library(
            info.context.container,
            caller(info),
            media_type=MediaType(media_type) if media_type is not None else None,
            academic_period_id=academic_period_id,
        )
        return [_as_type(v) for v in views]

    @strawberry.field(description="One media library entry, or null when it does not exist.")
    async def event_media(self, info: Info, id: int) -> EventMediaType | None:
        try:
            return await _load(info, id)
        except domain_errors.NotFoundError:
            return None


@strawberry.type
class MediaMutation:
    @strawberry.mutation(
        description="Upload a file (GraphQL multipart request). Presentations are converted to PDF in the background."
    )
    async def upload_media(self, info: Info, file: Upload, academic_period_id: int | None = None) -> UploadMediaResult:
        upload: Any = file

        async def run() -> EventMediaType:
            command = service.UploadMedia(upload, getattr(upload, "filename", None), academic_period_id)
            outcome = await service.upload_media(info.context.container, caller(info), command)
            return await _load(info, outcome.media.id)

        return await as_result(run)

    @strawberry.mutation(description="Add a website (URL only, no file) to the library.")
    async def create_website_media(
        self, info: Info, url: str, name: str | None = None, academic_period_id: int | None = None
    ) -> CreateWebsiteMediaResult:
        async def run() -> EventMediaType:
            command = service.CreateWebsiteMedia(url, name, academic_period_id)
            media = await service.create_website_media(info.context.container, caller(info), command)
            return EventMediaType.from_model(media, None)

        return await as_result(run)

    @strawberry.mutation(description="Delete a media with its file, PDFs and thumbnails; refused while events use it.")
    async def delete_media(self, info: Info, id: int) -> DeleteMediaResult:
        async def run() -> DeletedMedia:
            await service.delete_media(info.context.container, caller(info), service.DeleteMedia(id))
            return DeletedMedia(id=id)

        return await as_result(run)

    @strawberry.mutation(
        description="Make sure the PDF of a presentation exists or is being made (retries a failed one)."
    )
    async def request_conversion(self, info: Info, media_id: int) -> RequestConversionResult:
        async def run() -> EventMediaType:
            await service.request_conversion(info.context.container, caller(info), service.RequestConversion(media_id))
            return await _load(info, media_id)

        return await as_result(run)


@strawberry.type
class MediaSubscription:
    @strawberry.subscription(description="The media whenever its conversion changes state (all media when no id).")
    async def conversion_updated(self, info: Info, media_id: int | None = None) -> AsyncGenerator[EventMediaType, None]:
        require_role(caller(info), Role.USER)
        subscription = info.context.subscribe(CONVERSION_UPDATED)
        try:
            async for event in subscription:
                event_media_id = event.data.get("media_id")
                if not isinstance(event_media_id, int) or (media_id is not None and event_media_id != media_id):
                    continue
                try:
                    yield await _load(info, event_media_id)
                except domain_errors.NotFoundError:
                    continue  # deleted meanwhile
        finally:
            await subscription.aclose()
