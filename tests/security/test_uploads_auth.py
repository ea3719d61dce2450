"""Upload requests are judged by their headers alone: anonymous → 401, too big → 413, before the body is read.

The server runs on a real socket (uvicorn); the client announces a 300 MB upload but sends only its first
64 KB, and still gets the answer — so the server cannot have read (or spooled) the rest — and the connection
is closed behind it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.config import load_settings
from app.container import Container
from app.domain.enums import Role
from app.runtime import load_adapters
from tests.media.support import files_under, make_pdf, upload
from tests.support.api import Api
from tests.support.live_server import served
from tests.support.servers import free_port

ANNOUNCED = 300 * 1024 * 1024
SENT = 64 * 1024


@dataclass
class RawAnswer:
    status: int
    body: dict[str, object]
    closed: bool


async def announce_upload(
    address: str, path: str, *, headers: dict[str, str] | None = None, chunked: bool = False
) -> RawAnswer:
    """POST a multipart body announced as 300 MB (or chunked) but send only its first 64 KB, then read."""
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    boundary = uuid.uuid4().hex
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {address}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        "Expect: 100-continue",
        "Transfer-Encoding: chunked" if chunked else f"Content-Length: {ANNOUNCED}",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    start = f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.pdf"\r\n\r\n%PDF-'.encode()
    payload = start + b"x" * (SENT - len(start))
    writer.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n" if chunked else payload)
    await writer.drain()
    try:
        async with asyncio.timeout(15):
            raw = await reader.read()  # until the server closes the connection
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode()
    return RawAnswer(status=int(status_line.split()[1]), body=json.loads(body), closed=reader.at_eof())


def _code(answer: RawAnswer) -> object:
    errors = answer.body["errors"]
    assert isinstance(errors, list)
    return errors[0]["extensions"]["code"]


def _media_root(api: Api) -> Path:
    root = api.container.settings.media_root
    assert root is not None
    return root


async def test_anonymous_300mb_upload_is_refused_before_its_body_is_read(api: Api) -> None:
    async with served(api.container) as address:
        for chunked in (False, True):
            answer = await announce_upload(address, "/graphql", chunked=chunked)
            assert answer.status == 401, answer
            assert _code(answer) == "UNAUTHENTICATED"
            assert answer.closed
        # A made-up or expired token is no better than none.
        bogus = await announce_upload(address, "/graphql", headers={"Authorization": "Bearer not-a-token"})
        assert bogus.status == 401
        # The dashboard's upload element: same rule (its cookie counts there, a wrong one does not).
        dashboard = await announce_upload(
            address, "/_nicegui/client/abc/upload/7", headers={"Cookie": "infoscreen_token=wrong"}
        )
        assert dashboard.status == 401
    assert files_under(_media_root(api)) == set()


async def test_the_dashboard_cookie_does_not_authorise_graphql_uploads(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    async with served(api.container) as address:
        answer = await announce_upload(address, "/graphql", headers={"Cookie": f"infoscreen_token={token}"})
    assert answer.status == 401


async def test_logged_in_oversize_upload_is_refused_by_its_announced_size(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    # The guard reads the limit when `served` builds the app: 10 MB < the announced 300 MB.
    api.container.settings.max_upload_mb = 10
    async with served(api.container) as address:
        answer = await announce_upload(address, "/graphql", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 413 and _code(answer) == "PAYLOAD_TOO_LARGE"
        assert answer.closed
        dashboard = await announce_upload(
            address, "/_nicegui/client/abc/upload/7", headers={"Cookie": f"infoscreen_token={token}"}
        )
        assert dashboard.status == 413
    assert files_under(_media_root(api)) == set()


async def test_logged_in_uploads_still_work(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    result = await upload(api, token, "aushang.pdf", make_pdf(1))
    assert result["__typename"] == "EventMedia"


async def test_database_down_answers_503_at_once(tmp_path: Path) -> None:
    load_adapters()
    nowhere = f"mysql+aiomysql://root@127.0.0.1:{free_port()}/gone"
    container = Container.create(load_settings(DATA_DIR=str(tmp_path / "data"), SECRET_KEY="s", DB_CONN=nowhere))
    try:
        async with served(container) as address:
            answer = await announce_upload(address, "/graphql", headers={"Authorization": "Bearer some-token"})
    finally:
        await container.close()
    assert answer.status == 503 and _code(answer) == "SERVICE_UNAVAILABLE"
    assert answer.closed
