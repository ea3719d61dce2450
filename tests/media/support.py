"""Helpers for media tests: real files (PPTX via python-pptx, ODP/videos via soffice/ffmpeg), GraphQL
multipart uploads built byte by byte (so hostile file names reach the server unaltered), a tiny
Gotenberg-compatible HTTP server, and waiting for a conversion to settle."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfWriter

from tests.support.api import Api

MEDIA_FIELDS = """
  id fileName mediaType url size sha256 mimeType uploadedAt academicPeriodId duration width height bitrate
  pageCount thumbnailUrl downloadUrl
  conversion { id status errorMessage pdfUrl pageCount thumbnailUrl attempts startedAt completedAt }
"""

UPLOAD = f"""
mutation Upload($file: Upload!, $academicPeriodId: Int) {{
  uploadMedia(file: $file, academicPeriodId: $academicPeriodId) {{
    __typename
    ... on EventMedia {{ {MEDIA_FIELDS} }}
    ... on Error {{ message }}
  }}
}}
"""

EVENT_MEDIA = f"query($id: Int!) {{ eventMedia(id: $id) {{ {MEDIA_FIELDS} }} }}"


def make_pptx(path: Path, slides: int, *, marker: str = "") -> Path:
    from pptx import Presentation

    prs = Presentation()
    for number in range(1, slides + 1):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = f"Folie {number} {marker}".strip()
    prs.save(str(path))
    return path


def soffice_convert(source: Path, target_ext: str, outdir: Path) -> Path:
    """Convert with a throwaway LibreOffice profile (used to make a real ODP from a PPTX)."""
    profile = outdir / f"profile-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            target_ext,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    shutil.rmtree(profile, ignore_errors=True)
    return outdir / (source.stem + "." + target_ext)


def make_video(path: Path, seconds: int = 2, *, rate: int = 10, size: str = "160x120") -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=duration={seconds}:size={size}:rate={rate}",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


def make_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def multipart_body(
    filename: bytes, content: bytes, variables: dict[str, Any], query: str = UPLOAD
) -> tuple[bytes, str]:
    """A GraphQL multipart request with the file name exactly as given (raw bytes, no escaping)."""
    boundary = "----infoscreen" + uuid.uuid4().hex
    operations = json.dumps({"query": query, "variables": {**variables, "file": None}}).encode()
    parts = [
        b'Content-Disposition: form-data; name="operations"\r\n\r\n' + operations,
        b'Content-Disposition: form-data; name="map"\r\n\r\n' + json.dumps({"0": ["variables.file"]}).encode(),
        b'Content-Disposition: form-data; name="0"; filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content,
    ]
    sep = b"--" + boundary.encode()
    body = b"".join(sep + b"\r\n" + part + b"\r\n" for part in parts) + sep + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


async def upload_raw(
    api: Api, token: str | None, filename: str | bytes, content: bytes, **variables: Any
) -> httpx.Response:
    raw_name = filename if isinstance(filename, bytes) else filename.encode()
    body, content_type = multipart_body(raw_name, content, variables)
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await api.client.post("/graphql", content=body, headers=headers)


async def upload(api: Api, token: str, filename: str | bytes, content: bytes, **variables: Any) -> dict[str, Any]:
    """Upload and return the `uploadMedia` result (an EventMedia or a typed error)."""
    response = await upload_raw(api, token, filename, content, **variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["uploadMedia"]


async def wait_for_conversion(
    api: Api, token: str, media_id: int, *, statuses: tuple[str, ...] = ("READY", "FAILED"), timeout: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    media: dict[str, Any] = {}
    while time.monotonic() < deadline:
        media = (await api.data(EVENT_MEDIA, {"id": media_id}, token=token))["eventMedia"]
        conversion = media["conversion"]
        if conversion and conversion["status"] in statuses:
            return media
        await asyncio.sleep(0.2)
    raise AssertionError(f"conversion of media {media_id} did not reach {statuses}: {media}")


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@dataclass
class FakeGotenberg:
    """Answers POST /forms/libreoffice/convert like Gotenberg: a scripted status per request, then a PDF."""

    pdf: bytes
    script: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@contextmanager
def fake_gotenberg(pdf: bytes, script: list[int] | None = None) -> Iterator[FakeGotenberg]:
    state = FakeGotenberg(pdf=pdf, script=list(script or []))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                status = state.script.pop(0) if state.script else 200
                state.requests.append({"path": self.path, "has_files_field": b'name="files"' in body})
            if self.path != "/forms/libreoffice/convert":
                status = 404
            payload = state.pdf if status == 200 else f"scripted failure {status}".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/pdf" if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
