"""Turning a presentation into a PDF: Gotenberg over HTTP, or a local LibreOffice when GOTENBERG_URL is unset.

Failures come in two kinds the worker treats differently:
- TransientConversionError: the converter was unreachable, busy, timed out or crashed. Retried with backoff.
- PermanentConversionError: the converter could not read the file (corrupt, not a presentation) or is not
  installed. Retrying cannot help; the conversion ends `failed` with this message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Protocol

import httpx

from app.config import Settings

log = logging.getLogger(__name__)

GOTENBERG_ENDPOINT = "/forms/libreoffice/convert"
# LibreOffice messages that mean "this file is broken", not "LibreOffice is broken".
_LOAD_FAILURES = ("could not be loaded", "general error", "source file could not")


class ConversionError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientConversionError(ConversionError):
    """Worth retrying later."""


class PermanentConversionError(ConversionError):
    """Retrying cannot help."""


class Converter(Protocol):
    name: str

    async def to_pdf(self, source: Path, file_name: str, out_path: Path) -> None:
        """Write the PDF of `source` (shown to the converter as `file_name`) to `out_path`."""


class GotenbergConverter:
    name = "gotenberg"

    def __init__(self, base_url: str, timeout_seconds: float, *, transport: httpx.AsyncBaseTransport | None = None):
        self.url = base_url.rstrip("/") + GOTENBERG_ENDPOINT
        self.timeout = httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds))
        self._transport = transport

    async def to_pdf(self, source: Path, file_name: str, out_path: Path) -> None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as client:
                with source.open("rb") as fh:
                    request = client.build_request("POST", self.url, files={"files": (file_name, fh)})
                    response = await client.send(request, stream=True)
                try:
                    if response.status_code != 200:
                        body = (await response.aread()).decode(errors="replace").strip()
                        raise _classify_http_failure(response.status_code, body)
                    with out_path.open("wb") as out:
                        async for chunk in response.aiter_bytes():
                            out.write(chunk)
                finally:
                    await response.aclose()
        except httpx.TimeoutException as exc:
            raise TransientConversionError(f"Gotenberg antwortet nicht rechtzeitig ({type(exc).__name__}).") from exc
        except httpx.TransportError as exc:
            raise TransientConversionError(f"Gotenberg ist nicht erreichbar: {exc}") from exc
        if not _looks_like_pdf(out_path):
            raise PermanentConversionError("Gotenberg hat kein PDF geliefert.")


def _classify_http_failure(status: int, body: str) -> ConversionError:
    detail = body[:300] or f"HTTP {status}"
    if status >= 500 or status in (408, 429):
        return TransientConversionError(f"Gotenberg vorübergehend nicht verfügbar (HTTP {status}): {detail}")
    return PermanentConversionError(f"Die Datei konnte nicht umgewandelt werden (HTTP {status}): {detail}")


class LibreOfficeConverter:
    """`soffice --headless --convert-to pdf` with its own profile directory per run.

    A private profile (-env:UserInstallation) lets conversions run in parallel without fighting over one
    profile lock; the process runs in its own session so a timeout kills the whole process group.
    """

    name = "libreoffice"

    def __init__(self, timeout_seconds: float, executable: str | None = None) -> None:
        self.timeout = timeout_seconds
        self.executable = executable or shutil.which("soffice") or shutil.which("libreoffice")

    async def to_pdf(self, source: Path, file_name: str, out_path: Path) -> None:
        if self.executable is None:
            raise PermanentConversionError(
                "Keine Umwandlung möglich: GOTENBERG_URL ist nicht gesetzt und "
                "LibreOffice (soffice) ist nicht installiert."
            )
        with tempfile.TemporaryDirectory(prefix="soffice-") as tmp:
            work = Path(tmp)
            # LibreOffice picks the import filter by extension; the input gets a fixed, harmless name.
            src = work / ("input" + Path(file_name).suffix.lower())
            _link_or_copy(source, src)
            outdir = work / "out"
            outdir.mkdir()
            returncode, output = await self._run(
                [
                    self.executable,
                    "--headless",
                    "--norestore",
                    "--nologo",
                    "--nolockcheck",
                    "--nodefault",
                    f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    str(src),
                ],
                home=work,
            )
            produced = outdir / "input.pdf"
            if returncode < 0:
                raise TransientConversionError(f"LibreOffice ist abgestürzt (Signal {-returncode}).")
            if not produced.exists() or produced.stat().st_size == 0 or not _looks_like_pdf(produced):
                lowered = output.lower()
                if returncode == 0 or any(marker in lowered for marker in _LOAD_FAILURES):
                    raise PermanentConversionError(
                        "LibreOffice konnte die Datei nicht öffnen (beschädigt oder keine gültige Präsentation)."
                    )
                raise TransientConversionError(f"LibreOffice ist fehlgeschlagen (Exit-Code {returncode}).")
            shutil.move(str(produced), out_path)

    async def _run(self, argv: list[str], *, home: Path) -> tuple[int, str]:
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(home)}
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
        try:
            stdout, _ = await asyncio.wait_for(proc.communicate(), self.timeout)
        except TimeoutError:
            await _kill_group(proc)
            raise TransientConversionError(
                f"LibreOffice hat die Zeitgrenze von {int(self.timeout)} s überschritten."
            ) from None
        except asyncio.CancelledError:
            await _kill_group(proc)
            raise
        output = stdout.decode(errors="replace")
        if proc.returncode:
            log.info("event=soffice_exit code=%s output=%s", proc.returncode, output[-300:])
        return proc.returncode or 0, output


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        await proc.wait()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _looks_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def converter_for(settings: Settings) -> Converter:
    if settings.gotenberg_url:
        return GotenbergConverter(settings.gotenberg_url, settings.conversion_timeout_seconds)
    return LibreOfficeConverter(settings.conversion_timeout_seconds)
