"""Uploading to the media library through real GraphQL multipart requests."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.domain.clients.models import ClientGroup
from app.domain.enums import AcademicPeriodType, EventType, Role
from app.domain.events.models import Event
from app.domain.periods.models import AcademicPeriod
from tests.media.conftest import MAX_UPLOAD_MB
from tests.media.support import (
    EVENT_MEDIA,
    MEDIA_FIELDS,
    PNG_1X1,
    files_under,
    make_pdf,
    upload,
    upload_raw,
)
from tests.support.api import Api


def media_root(api: Api) -> Path:
    root = api.container.settings.media_root
    assert root is not None
    return root.resolve()


async def make_period(api: Api, name: str) -> int:
    async with api.container.db.session() as session:
        period = AcademicPeriod(
            name=name,
            start_date=date(2025, 9, 1),
            end_date=date(2026, 7, 31),
            period_type=AcademicPeriodType.SCHULJAHR,
        )
        session.add(period)
        await session.flush()
        return period.id


async def test_editor_uploads_a_pdf_stored_under_media_root_by_id(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    content = make_pdf(2)
    result = await upload(api, token, "Elternabend Info.pdf", content)
    assert result["__typename"] == "EventMedia"
    assert result["fileName"] == "Elternabend Info.pdf"
    assert result["mediaType"] == "PDF"
    assert result["mimeType"] == "application/pdf"
    assert result["size"] == len(content)
    assert result["sha256"] == hashlib.sha256(content).hexdigest()
    assert result["conversion"] is None  # a PDF needs no conversion
    stored = media_root(api) / "media" / str(result["id"]) / "Elternabend Info.pdf"
    assert stored.read_bytes() == content
    # The public URL carries an unguessable token; the download URL needs a login.
    prefix = f"/api/eventmedia/stream/{result['id']}/"
    assert result["url"].startswith(prefix) and len(result["url"].split("/")[5]) >= 30
    assert result["downloadUrl"] == f"/api/eventmedia/download/{result['id']}"
    assert not (media_root(api) / ".incoming").exists() or not any((media_root(api) / ".incoming").iterdir())


async def test_hostile_file_names_are_sanitised_and_nothing_lands_outside_media_root(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.EDITOR)
    before = files_under(tmp_path)
    cases: list[tuple[bytes, str]] = [
        (b"../../etc/passwd.pdf", "passwd.pdf"),
        (b"..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
        (b"/abs/path/plan.pdf", "plan.pdf"),
        (b"bad\x00name\x01.pdf", "badname.pdf"),
        (b"..pdf..pdf", "pdf.pdf"),
    ]
    for pages, (raw, expected) in enumerate(cases, start=1):
        result = await upload(api, token, raw, make_pdf(pages))
        assert result["__typename"] == "EventMedia", (raw, result)
        assert result["fileName"] == expected
    long_name = "x" * 300 + ".pdf"
    result = await upload(api, token, long_name, make_pdf(len(cases) + 1))
    assert result["__typename"] == "EventMedia"
    assert len(result["fileName"]) <= 120 and result["fileName"].endswith(".pdf")

    for raw in (b"../", b"\x00\x01", b"..", b""):
        result = await upload(api, token, raw, make_pdf(9))
        assert result["__typename"] == "ValidationError", (raw, result)

    root = media_root(api)
    new_files = files_under(tmp_path) - before
    outside = [p for p in new_files if not p.resolve().is_relative_to(root)]
    assert all(p.name.startswith("infoscreen.db") for p in outside), outside
    stored = sorted(p.name for p in files_under(root / "media"))
    assert "passwd.pdf" in stored and "badname.pdf" in stored


async def test_content_must_match_the_name(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    cases = {
        "rechnung.pdf": (exe, "kein gültiges PDF"),
        "clip.mp4": (PNG_1X1, "enthält PNG-Daten"),
        "setup.exe": (exe, "wird nicht unterstützt"),
        "noextension": (make_pdf(1), "wird nicht unterstützt"),
        "slides.pptx": (make_pdf(1), "enthält PDF-Daten"),
        "fake.pptx": (b"PK\x03\x04" + b"\x00" * 100, "kein gültiges PPTX"),
    }
    for name, (content, message) in cases.items():
        result = await upload(api, token, name, content)
        assert result["__typename"] == "ValidationError", (name, result)
        assert message in result["message"], (name, result["message"])
    root = media_root(api)
    assert files_under(root) == set()
    media = await api.data(f"{{ media {{ {MEDIA_FIELDS} }} }}", token=token)
    assert media["media"] == []


async def test_oversize_uploads_are_refused(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    limit = MAX_UPLOAD_MB * 1024 * 1024
    # Just over the limit: received, counted and refused with a GraphQL error.
    slightly = make_pdf(1) + b"\n%" + b"x" * (limit - 10)
    result = await upload(api, token, "gross.pdf", slightly)
    assert result["__typename"] == "ValidationError"
    assert f"höchstens {MAX_UPLOAD_MB} MB" in result["message"]
    # Far over it: refused by its Content-Length before the body is parsed.
    response = await upload_raw(api, token, "riesig.pdf", b"%PDF-" + b"x" * (4 * limit))
    assert response.status_code == 413
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "zu groß" in body["errors"][0]["message"]
    assert files_under(media_root(api)) == set()


async def test_duplicates_are_refused_naming_the_existing_media(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    first = await upload(api, token, "logo.png", PNG_1X1)
    assert first["__typename"] == "EventMedia" and first["mediaType"] == "IMAGE"
    again = await upload(api, token, "logo-kopie.png", PNG_1X1)
    assert again["__typename"] == "ConflictError"
    assert "logo.png" in again["message"] and f"ID {first['id']}" in again["message"]
    # The same content for another school year is a separate library entry.
    period = await make_period(api, "2025/26")
    other = await upload(api, token, "logo.png", PNG_1X1, academicPeriodId=period)
    assert other["__typename"] == "EventMedia"
    assert other["academicPeriodId"] == period and other["id"] != first["id"]
    missing = await upload(api, token, "x.png", PNG_1X1, academicPeriodId=99999)
    assert missing["__typename"] == "NotFoundError"


async def test_reading_needs_a_login_and_writing_the_editor_role(api: Api) -> None:
    user = await api.token_for(Role.USER)
    result = await upload(api, user, "a.pdf", make_pdf(1))
    assert result["__typename"] == "ForbiddenError"
    anonymous = await upload_raw(api, None, "a.pdf", make_pdf(1))
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await api.gql("{ media { id } }")
    assert body["errors"] and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.data("{ media { id } }", token=user))["media"] == []
    assert files_under(media_root(api)) == set()


CREATE_WEBSITE = """
mutation($url: String!, $name: String) {
  createWebsiteMedia(url: $url, name: $name) {
    __typename ... on EventMedia { id fileName mediaType url downloadUrl } ... on Error { message }
  }
}
"""


async def test_website_media_are_url_only_and_filterable(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "https://", "http://exa mple.org", "x" * 3000):
        result = (await api.data(CREATE_WEBSITE, {"url": bad}, token=token))["createWebsiteMedia"]
        assert result["__typename"] == "ValidationError", bad
    site = (await api.data(CREATE_WEBSITE, {"url": "https://www.schule.at/vertretung"}, token=token))[
        "createWebsiteMedia"
    ]
    assert site == {
        "__typename": "EventMedia",
        "id": site["id"],
        "fileName": "www.schule.at",
        "mediaType": "WEBSITE",
        "url": "https://www.schule.at/vertretung",
        "downloadUrl": None,
    }
    await upload(api, token, "bild.png", PNG_1X1)
    websites = await api.data("{ media(mediaType: WEBSITE) { id } }", token=token)
    assert websites["media"] == [{"id": site["id"]}]
    everything = await api.data("{ media { mediaType } }", token=token)
    assert sorted(m["mediaType"] for m in everything["media"]) == ["IMAGE", "WEBSITE"]


DELETE = """
mutation($id: Int!) {
  deleteMedia(id: $id) {
    __typename ... on DeletedMedia { id } ... on BlockedError { message blockers } ... on Error { message }
  }
}
"""


async def test_delete_removes_the_files_and_is_blocked_while_events_use_the_media(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    media = await upload(api, token, "plakat.png", PNG_1X1)
    folder = media_root(api) / "media" / str(media["id"])
    assert folder.is_dir()
    async with api.container.db.session() as session:
        group = ClientGroup(name="Aula")
        session.add(group)
        await session.flush()
        start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        event = Event(
            group_id=group.id,
            title="Schulfest",
            event_type=EventType.PRESENTATION,
            start=start,
            end=start + timedelta(hours=1),
            event_media_id=media["id"],
        )
        session.add(event)
        await session.flush()
        event_id = event.id

    blocked = (await api.data(DELETE, {"id": media["id"]}, token=token))["deleteMedia"]
    assert blocked["__typename"] == "BlockedError"
    assert blocked["blockers"] == [f"Schulfest (ID {event_id})"]
    assert folder.is_dir()

    async with api.container.db.session() as session:
        await session.delete(await session.get(Event, event_id))
    deleted = (await api.data(DELETE, {"id": media["id"]}, token=token))["deleteMedia"]
    assert deleted == {"__typename": "DeletedMedia", "id": media["id"]}
    assert not folder.exists()
    assert (await api.data(EVENT_MEDIA, {"id": media["id"]}, token=token))["eventMedia"] is None
    again = (await api.data(DELETE, {"id": media["id"]}, token=token))["deleteMedia"]
    assert again["__typename"] == "NotFoundError"
    user = await api.token_for(Role.USER)
    forbidden = (await api.data(DELETE, {"id": 1}, token=user))["deleteMedia"]
    assert forbidden["__typename"] == "ForbiddenError"
