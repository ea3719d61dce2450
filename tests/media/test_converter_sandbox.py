"""LibreOffice runs inside limits it cannot exceed: a limit hit kills it, and the conversion ends failed with
a reason (code + German message) the admin sees; a normal conversion still works."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from app.domain.enums import Role
from app.domain.media.converters import ConversionError, GotenbergConverter, LibreOfficeConverter
from app.domain.media.sandbox import MB, ConverterLimits, run_limited
from app.tasks.worker import InProcessWorker
from tests.media.support import fake_gotenberg, make_pdf, make_pptx, upload, wait_for_conversion
from tests.support.api import Api
from tests.support.live_server import eventually

REQUEST_CONVERSION = """
mutation($id: Int!) {
  requestConversion(mediaId: $id) {
    __typename ... on EventMedia { conversion { status errorCode errorMessage attempts } } ... on Error { message }
  }
}
"""
CONVERSION = "query($id: Int!) { eventMedia(id: $id) { conversion { status errorCode errorMessage attempts } } }"


async def _conversion(api: Api, token: str, media_id: int) -> dict[str, object]:
    data = await api.data(CONVERSION, {"id": media_id}, token=token)
    return data["eventMedia"]["conversion"]  # type: ignore[no-any-return]


async def test_memory_limit_fails_the_conversion_for_good_and_a_normal_one_still_works(
    api: Api, conversion_worker: InProcessWorker, tmp_path: Path
) -> None:
    token = await api.token_for(Role.EDITOR)
    settings = api.container.settings
    default_memory = settings.converter_memory_mb
    settings.converter_memory_mb = 200  # far below what LibreOffice needs to start
    deck = make_pptx(tmp_path / "deck.pptx", slides=2).read_bytes()
    uploaded = await upload(api, token, "Elternabend.pptx", deck)
    media = await wait_for_conversion(api, token, uploaded["id"])
    failed = await _conversion(api, token, media["id"])
    assert failed["status"] == "FAILED", failed
    assert failed["errorCode"] == "converter_memory"
    assert "Speichergrenze von 200 MB" in str(failed["errorMessage"])
    assert failed["attempts"] == 1  # the same file would hit the same limit: not retried

    settings.converter_memory_mb = default_memory
    again = (await api.data(REQUEST_CONVERSION, {"id": media["id"]}, token=token))["requestConversion"]
    assert again["__typename"] == "EventMedia"
    done = await wait_for_conversion(api, token, media["id"], statuses=("READY", "FAILED"))
    conversion = await _conversion(api, token, done["id"])
    assert conversion["status"] == "READY" and conversion["errorCode"] is None, conversion


async def _convert(tmp_path: Path, deck: Path, limits: ConverterLimits) -> ConversionError:
    converter = LibreOfficeConverter(limits.wall_seconds, limits=limits)
    with pytest.raises(ConversionError) as failure:
        await converter.to_pdf(deck, deck.name, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
    return failure.value


async def test_cpu_time_limit_kills_libreoffice(tmp_path: Path) -> None:
    # ~4 s of CPU even on a fast, idle machine (80 slides took ~1.3 s there: too close to the 1 s limit).
    deck = make_pptx(tmp_path / "gross.pptx", slides=1000)
    error = await _convert(tmp_path, deck, ConverterLimits(cpu_seconds=1, wall_seconds=120))
    assert error.code == "converter_cpu" and "Rechenzeitgrenze von 1 s" in error.message


def _photo_deck(path: Path, slides: int) -> Path:
    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for _ in range(slides):
        noise = Image.frombytes("RGB", (500, 500), os.urandom(500 * 500 * 3))
        image = io.BytesIO()
        noise.save(image, "JPEG", quality=90)
        image.seek(0)
        deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_picture(image, Inches(0), Inches(0), Inches(10))
    deck.save(str(path))
    return path


async def test_output_size_limit_stops_a_pdf_that_grows_too_large(tmp_path: Path) -> None:
    deck = _photo_deck(tmp_path / "fotos.pptx", slides=8)  # its PDF is about 1.5 MB
    error = await _convert(tmp_path, deck, ConverterLimits(output_bytes=1 * MB, wall_seconds=120))
    assert error.code == "converter_output_too_large" and "größer als 1 MB" in error.message


async def test_wall_time_limit_kills_libreoffice(tmp_path: Path) -> None:
    deck = make_pptx(tmp_path / "deck.pptx", slides=2)
    error = await _convert(tmp_path, deck, ConverterLimits(wall_seconds=0.5))
    assert error.code == "converter_timeout"


def _read_pid(path: Path) -> int:
    return int(path.read_text())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie waiting for init to reap it is dead


async def test_the_whole_process_group_is_killed(tmp_path: Path) -> None:
    """Children a converter starts (LibreOffice's soffice.bin) die with it, not only the first process."""
    pid_file = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "open(sys.argv[1], 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )
    result = await run_limited(
        [sys.executable, "-c", script, str(pid_file)], ConverterLimits(wall_seconds=3), env=dict(os.environ)
    )
    assert result.timed_out
    child = _read_pid(pid_file)
    await eventually(lambda: not _alive(child), timeout=10)


async def test_gotenberg_output_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    deck = make_pptx(tmp_path / "deck.pptx", slides=1)
    huge_pdf = make_pdf(1) + b"%" + b"x" * (2 * MB)
    with fake_gotenberg(huge_pdf) as gotenberg:
        converter = GotenbergConverter(gotenberg.url, 30, max_output_bytes=1 * MB)
        with pytest.raises(ConversionError) as failure:
            await converter.to_pdf(deck, deck.name, tmp_path / "out.pdf")
    assert failure.value.code == "converter_output_too_large"
