"""Turning a presentation into a PDF: Gotenberg over HTTP, or a local LibreOffice when GOTENBERG_URL is unset.

Failures come in two kinds the worker treats differently:
- TransientConversionError: the converter was unreachable, busy, timed out or crashed. Retried with backoff.
- PermanentConversionError: the converter could not read the file (corrupt, not a presentation) or is not
  installed. Retrying cannot help; the conversion ends `failed` with this message.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

import httpx

from app.config import Settings
from app.domain.media.sandbox import ConverterLimits, SandboxResult, largest_file, run_limited

log = logging.getLogger(__name__)

GOTENBERG_ENDPOINT = "/forms/libreoffice/convert"
# LibreOffice messages that mean "this file is broken", not "LibreOffice is broken".
_LOAD_FAILURES = ("could not be loaded", "general error", "source file could not")
# What LibreOffice prints when writing the PDF failed (RLIMIT_FSIZE, or a full disk).
_WRITE_FAILURES = ("class:write",)
# What LibreOffice prints when an allocation fails under the address-space limit.
_MEMORY_FAILURES = (
    "bad_alloc",
    "thread::create failed",
    "cannot allocate memory",
    "out of memory",
    "std::length_error",
)


# The `code`s a sandbox limit hit fails a conversion with.
LIMIT_CODES = ("converter_memory", "converter_cpu", "converter_timeout", "converter_output_too_large")


class ConversionError(Exception):
    """`message` in German for the admin; `code` (when set) names the reason for the dashboard's own text."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


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

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_output_bytes: int | None = None,
    ):
        self.url = base_url.rstrip("/") + GOTENBERG_ENDPOINT
        self.timeout = httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds))
        self._transport = transport
        self.max_output_bytes = max_output_bytes

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
                        written = 0
                        async for chunk in response.aiter_bytes():
                            written += len(chunk)
                            if self.max_output_bytes is not None and written > self.max_output_bytes:
                                raise output_too_large(self.max_output_bytes)
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
    """`soffice --headless --convert-to pdf` with its own profile directory per run, inside the sandbox.

    A private profile (-env:UserInstallation) lets conversions run in parallel without fighting over one
    profile lock. `app.domain.media.sandbox` runs it in its own process group with memory, CPU-time,
    output-size and wall-time limits; a limit hit kills the whole group and fails the conversion for good
    (the same file would hit it again) with a code naming the limit.
    """

    name = "libreoffice"

    def __init__(
        self, timeout_seconds: float, executable: str | None = None, *, limits: ConverterLimits | None = None
    ) -> None:
        self.timeout = timeout_seconds
        self.limits = limits or ConverterLimits(wall_seconds=timeout_seconds)
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
            argv = [
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
            ]
            env = {**os.environ, "HOME": str(work), "TMPDIR": str(work)}
            result = await run_limited(argv, self.limits, env=env, cwd=work)
            produced = outdir / "input.pdf"
            if result.timed_out:
                raise PermanentConversionError(
                    f"LibreOffice hat die Zeitgrenze von {int(self.limits.wall_seconds)} s überschritten "
                    "und wurde beendet.",
                    code="converter_timeout",
                )
            ok = produced.exists() and produced.stat().st_size > 0 and _looks_like_pdf(produced)
            if result.returncode != 0 or not ok:
                raise self._failure(result, work, src)
            if produced.stat().st_size >= self.limits.output_bytes:
                raise output_too_large(self.limits.output_bytes)
            shutil.move(str(produced), out_path)

    def _failure(self, result: SandboxResult, work: Path, src: Path) -> ConversionError:
        """Which limit (if any) ended a failed run, as the error the conversion ends with."""
        limits = self.limits
        lowered = result.output.lower()
        log.info(
            "event=soffice_exit code=%s cpu=%.1f output=%s",
            result.returncode,
            result.cpu_seconds,
            " ".join(result.output.split())[-300:],
        )
        if result.cpu_exhausted(limits):
            return PermanentConversionError(
                f"LibreOffice hat die Rechenzeitgrenze von {limits.cpu_seconds} s erreicht und wurde beendet.",
                code="converter_cpu",
            )
        if largest_file(work, exclude=src) >= limits.output_bytes:
            return output_too_large(limits.output_bytes)
        if any(marker in lowered for marker in _WRITE_FAILURES):
            # LibreOffice removes the half-written PDF; with room on the disk, RLIMIT_FSIZE refused the write.
            if shutil.disk_usage(work).free > limits.output_bytes:
                return output_too_large(limits.output_bytes)
            return TransientConversionError(
                "Kein Speicherplatz mehr auf dem Server: das PDF ließ sich nicht schreiben."
            )
        if any(marker in lowered for marker in _MEMORY_FAILURES):
            return PermanentConversionError(
                f"LibreOffice hat die Speichergrenze von {limits.memory_bytes // (1024 * 1024)} MB erreicht "
                "und wurde beendet.",
                code="converter_memory",
            )
        if result.returncode == 0 or any(marker in lowered for marker in _LOAD_FAILURES):
            return PermanentConversionError(
                "LibreOffice konnte die Datei nicht öffnen (beschädigt oder keine gültige Präsentation)."
            )
        if result.returncode < 0 or result.returncode > 128:
            signum = -result.returncode if result.returncode < 0 else result.returncode - 128
            return TransientConversionError(f"LibreOffice ist abgestürzt (Signal {signum}).")
        return TransientConversionError(f"LibreOffice ist fehlgeschlagen (Exit-Code {result.returncode}).")


def output_too_large(limit_bytes: int) -> PermanentConversionError:
    return PermanentConversionError(
        f"Das erzeugte PDF wäre größer als {limit_bytes // (1024 * 1024)} MB; die Umwandlung wurde abgebrochen.",
        code="converter_output_too_large",
    )


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
        return GotenbergConverter(
            settings.gotenberg_url,
            settings.conversion_timeout_seconds,
            max_output_bytes=settings.converter_max_output_mb * 1024 * 1024,
        )
    return LibreOfficeConverter(settings.conversion_timeout_seconds, limits=ConverterLimits.from_settings(settings))
