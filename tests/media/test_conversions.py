"""PPT/PPTX/ODP → PDF on the real Dramatiq path: GraphQL mutation → ConversionQueue → worker thread →
async actor → LibreOffice (or a Gotenberg-compatible HTTP endpoint) → READY/FAILED + live updates."""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.domain.enums import Role
from app.domain.users.tokens import resolve_token
from app.graphql.context import GraphQLContext
from app.graphql.schema import schema
from app.tasks.worker import InProcessWorker
from tests.media.support import (
    fake_gotenberg,
    make_pdf,
    make_pptx,
    soffice_convert,
    upload,
    wait_for_conversion,
)
from tests.media.test_uploads import make_period
from tests.support.api import Api

REQUEST_CONVERSION = """
mutation($id: Int!) {
  requestConversion(mediaId: $id) {
    __typename
    ... on EventMedia { id conversion { id status errorMessage attempts pdfUrl } }
    ... on Error { message }
  }
}
"""


async def _watch(api: Api, token: str, media_id: int, into: list[str]) -> None:
    """`conversionUpdated(mediaId)` through the schema, as the websocket endpoint runs it."""
    async with api.container.db.session() as session:
        principal = await resolve_token(session, token)
    context = GraphQLContext(api.container, principal)
    stream: Any = await schema.subscribe(
        "subscription($id: Int) { conversionUpdated(mediaId: $id) { id conversion { status pageCount } } }",
        variable_values={"id": media_id},
        context_value=context,
    )
    async for result in stream:
        assert not result.errors, result.errors
        into.append(result.data["conversionUpdated"]["conversion"]["status"])
        if into[-1] in ("READY", "FAILED"):
            break
    await stream.aclose()


def corrupt_pptx() -> bytes:
    """Passes the upload's content check (a ZIP with the PPTX entries), but LibreOffice cannot load it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types><<<kaputt")
        archive.writestr("ppt/presentation.xml", "\x00\x01 nicht xml")
    return out.getvalue()


async def test_pptx_becomes_a_pdf_with_one_page_per_slide(
    api: Api, conversion_worker: InProcessWorker, tmp_path: Path
) -> None:
    token = await api.token_for(Role.EDITOR)
    deck = make_pptx(tmp_path / "deck.pptx", slides=3).read_bytes()
    uploaded = await upload(api, token, "Elternsprechtag.pptx", deck)
    assert uploaded["__typename"] == "EventMedia" and uploaded["mediaType"] == "PPTX"
    assert uploaded["conversion"]["status"] in ("PENDING", "PROCESSING", "READY")
    seen: list[str] = []
    watcher = asyncio.create_task(_watch(api, token, uploaded["id"], seen))

    media = await wait_for_conversion(api, token, uploaded["id"])
    conversion = media["conversion"]
    assert conversion["status"] == "READY", conversion
    assert conversion["pageCount"] == 3 == media["pageCount"]
    assert conversion["attempts"] == 1 and conversion["errorMessage"] is None
    assert conversion["startedAt"] and conversion["completedAt"]

    # Displays fetch the PDF without logging in; the URL carries the media's token.
    pdf = await api.client.get(conversion["pdfUrl"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 3
    assert uploaded["url"].split("/")[5] in conversion["pdfUrl"]
    thumb = await api.client.get(media["thumbnailUrl"])
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")

    await asyncio.wait_for(watcher, timeout=10)
    assert seen[-1] == "READY"

    # Asking again for a READY conversion changes nothing (no second run).
    again = (await api.data(REQUEST_CONVERSION, {"id": uploaded["id"]}, token=token))["requestConversion"]
    assert again["conversion"]["status"] == "READY" and again["conversion"]["attempts"] == 1

    # Deleting the media removes its PDF and thumbnail too.
    converted_dir = api.container.settings.converted_dir
    assert any(converted_dir.rglob("*.pdf"))
    deleted = await api.data(
        "mutation($id: Int!) { deleteMedia(id: $id) { __typename } }", {"id": uploaded["id"]}, token=token
    )
    assert deleted["deleteMedia"]["__typename"] == "DeletedMedia"
    assert not any(converted_dir.rglob("*.pdf")) and not any(converted_dir.rglob("*.png"))
    assert (await api.client.get(conversion["pdfUrl"])).status_code == 404


async def test_odp_is_converted_and_the_same_content_reuses_the_ready_pdf(
    api: Api, conversion_worker: InProcessWorker, tmp_path: Path
) -> None:
    token = await api.token_for(Role.EDITOR)
    pptx = make_pptx(tmp_path / "jahresplan.pptx", slides=2, marker="odp")
    odp = soffice_convert(pptx, "odp", tmp_path).read_bytes()
    uploaded = await upload(api, token, "Jahresplan.odp", odp)
    assert uploaded["mediaType"] == "ODP"
    media = await wait_for_conversion(api, token, uploaded["id"])
    assert media["conversion"]["status"] == "READY" and media["pageCount"] == 2

    # Next school year's copy of the same file: no second LibreOffice run, its own PDF URL.
    period = await make_period(api, "2026/27")
    copy = await upload(api, token, "Jahresplan.odp", odp, academicPeriodId=period)
    assert copy["__typename"] == "EventMedia"
    assert copy["conversion"]["status"] == "READY"
    assert copy["conversion"]["attempts"] == 0 and copy["pageCount"] == 2
    assert copy["conversion"]["pdfUrl"] != media["conversion"]["pdfUrl"]
    pdf = await api.client.get(copy["conversion"]["pdfUrl"])
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2


async def test_a_corrupt_presentation_fails_once_with_a_readable_message(
    api: Api, conversion_worker: InProcessWorker
) -> None:
    token = await api.token_for(Role.EDITOR)
    uploaded = await upload(api, token, "kaputt.pptx", corrupt_pptx())
    assert uploaded["__typename"] == "EventMedia"
    media = await wait_for_conversion(api, token, uploaded["id"])
    conversion = media["conversion"]
    assert conversion["status"] == "FAILED"
    assert "konnte die Datei nicht öffnen" in conversion["errorMessage"]
    assert conversion["attempts"] == 1  # permanent: not retried
    assert conversion["pdfUrl"] is None
    await asyncio.sleep(1)  # a retry would have been scheduled within the 100 ms backoff
    media = await wait_for_conversion(api, token, uploaded["id"])
    assert media["conversion"]["attempts"] == 1

    # requestConversion tries a failed one again (fresh attempt count).
    retried = (await api.data(REQUEST_CONVERSION, {"id": uploaded["id"]}, token=token))["requestConversion"]
    assert retried["conversion"]["status"] in ("PENDING", "PROCESSING", "FAILED")
    media = await wait_for_conversion(api, token, uploaded["id"])
    assert media["conversion"]["status"] == "FAILED" and media["conversion"]["attempts"] == 1

    pdf_media = await upload(api, token, "schon.pdf", make_pdf(1))
    refused = (await api.data(REQUEST_CONVERSION, {"id": pdf_media["id"]}, token=token))["requestConversion"]
    assert refused["__typename"] == "ValidationError"
    missing = (await api.data(REQUEST_CONVERSION, {"id": 99999}, token=token))["requestConversion"]
    assert missing["__typename"] == "NotFoundError"


async def test_gotenberg_busy_is_retried_with_backoff_then_succeeds(
    api: Api, conversion_worker: InProcessWorker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    token = await api.token_for(Role.EDITOR)
    with fake_gotenberg(make_pdf(4), script=[503]) as gotenberg:
        api.container.settings.gotenberg_url = gotenberg.url
        deck = make_pptx(tmp_path / "g.pptx", slides=1, marker="gotenberg").read_bytes()
        uploaded = await upload(api, token, "Gotenberg.pptx", deck)
        media = await wait_for_conversion(api, token, uploaded["id"], timeout=30)
        assert media["conversion"]["status"] == "READY", media["conversion"]
        assert media["conversion"]["attempts"] == 2
        assert media["pageCount"] == 4  # what the endpoint returned
        assert [r["path"] for r in gotenberg.requests] == ["/forms/libreoffice/convert"] * 2
        assert all(r["has_files_field"] for r in gotenberg.requests)
    # An expected, retried failure is one WARNING line, not an ERROR with a traceback.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert sum("event=conversion_retry" in r.getMessage() for r in caplog.records) == 1


async def test_gotenberg_refusing_the_file_fails_without_retry(
    api: Api, conversion_worker: InProcessWorker, tmp_path: Path
) -> None:
    token = await api.token_for(Role.EDITOR)
    with fake_gotenberg(make_pdf(1), script=[400]) as gotenberg:
        api.container.settings.gotenberg_url = gotenberg.url
        deck = make_pptx(tmp_path / "r.pptx", slides=1, marker="refused").read_bytes()
        uploaded = await upload(api, token, "Abgelehnt.pptx", deck)
        media = await wait_for_conversion(api, token, uploaded["id"], timeout=30)
        assert media["conversion"]["status"] == "FAILED"
        assert "HTTP 400" in media["conversion"]["errorMessage"]
        await asyncio.sleep(0.5)
        assert len(gotenberg.requests) == 1


async def test_unreachable_gotenberg_fails_after_the_last_attempt(
    api: Api, conversion_worker: InProcessWorker, tmp_path: Path
) -> None:
    token = await api.token_for(Role.EDITOR)
    with fake_gotenberg(make_pdf(1)) as gotenberg:
        closed_url = gotenberg.url
    api.container.settings.gotenberg_url = closed_url  # nothing listens there any more
    deck = make_pptx(tmp_path / "u.pptx", slides=1, marker="unreachable").read_bytes()
    uploaded = await upload(api, token, "Unerreichbar.pptx", deck)
    media = await wait_for_conversion(api, token, uploaded["id"], timeout=60)
    conversion = media["conversion"]
    assert conversion["status"] == "FAILED"
    assert "nicht erreichbar" in conversion["errorMessage"] and "nach 4 Versuchen" in conversion["errorMessage"]
    assert conversion["attempts"] == 4
