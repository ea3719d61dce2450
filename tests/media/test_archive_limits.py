"""Presentations are inspected as ZIP archives before anything unpacks them: a zip bomb never reaches the
converter, and ordinary presentations (charts with embedded workbooks included) still pass."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.config import Settings
from app.domain.enums import ConversionStatus, Role
from app.domain.media.archive import ArchiveLimits, ArchiveRefused, inspect_archive
from app.domain.media.conversions import run_conversion
from app.domain.media.converters import LibreOfficeConverter
from app.domain.media.models import Conversion, EventMedia
from tests.media.support import files_under, make_pptx, upload
from tests.support.api import Api

GIB = 1024 * 1024 * 1024
_PPTX_SKELETON = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "ppt/presentation.xml": '<?xml version="1.0"?><p:presentation xmlns:p="x"/>',
}


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A ~1 MB `.pptx` holding 1 GiB of zeros, made on the fly (never committed)."""
    path = tmp_path_factory.mktemp("bomb") / "praesentation.pptx"
    zero = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PPTX_SKELETON.items():
            archive.writestr(name, text)
        with archive.open("ppt/media/image1.png", "w", force_zip64=True) as entry:
            for _ in range(GIB // len(zero)):
                entry.write(zero)
    data = path.read_bytes()
    assert len(data) < 2 * 1024 * 1024
    return data


def _store(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(data)


def _zip_bytes(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _pptx_with(tmp_path: Path, extra: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    path = tmp_path / "deck.pptx"
    path.write_bytes(_zip_bytes({k: v.encode() for k, v in _PPTX_SKELETON.items()} | extra, method))
    return path


async def test_zip_bomb_upload_is_refused_and_nothing_is_stored(api: Api, zip_bomb: bytes) -> None:
    token = await api.token_for(Role.EDITOR)
    result = await upload(api, token, "praesentation.pptx", zip_bomb)
    assert result["__typename"] == "ValidationError", result
    assert "Zip-Bombe" in result["message"]
    root = api.container.settings.media_root
    assert root is not None and files_under(root) == set()
    async with api.container.db.read_session() as session:
        assert await session.get(EventMedia, 1) is None
        assert await session.get(Conversion, 1) is None  # no conversion, so no converter ever started


class _RecordingConverter(LibreOfficeConverter):
    """The real LibreOffice converter, counting how often it is asked to run."""

    calls = 0

    async def to_pdf(self, source: Path, file_name: str, out_path: Path) -> None:
        type(self).calls += 1
        await super().to_pdf(source, file_name, out_path)


async def test_a_stored_zip_bomb_fails_its_conversion_without_starting_the_converter(
    api: Api, settings: Settings, zip_bomb: bytes
) -> None:
    """A bomb stored before uploads were inspected is caught again before LibreOffice would unpack it."""
    root = settings.media_root
    assert root is not None
    _store(root / "media" / "1" / "alt.pptx", zip_bomb)
    async with api.container.db.session() as session:
        media = EventMedia(
            media_type="pptx", file_name="alt.pptx", file_path="media/1/alt.pptx", sha256="f" * 64, access_token="t"
        )
        session.add(media)
        await session.flush()
        conversion = Conversion(source_event_media_id=media.id, target_format="pdf", file_hash="f" * 64)
        session.add(conversion)
        await session.flush()
        conversion_id = conversion.id

    async def publish(*_: object) -> None:
        return None

    converter = _RecordingConverter(settings.conversion_timeout_seconds)
    status = await run_conversion(api.container.db, settings, conversion_id, publish, converter)
    assert status == ConversionStatus.FAILED
    assert _RecordingConverter.calls == 0
    async with api.container.db.read_session() as session:
        stored = await session.get(Conversion, conversion_id)
        assert stored is not None
        assert stored.error_code == "archive_ratio"
        assert "Zip-Bombe" in (stored.error_message or "")


def test_ordinary_presentations_pass(tmp_path: Path) -> None:
    limits = ArchiveLimits()
    inspect_archive(make_pptx(tmp_path / "real.pptx", 5), limits)
    # A chart's embedded workbook is an archive inside the archive: inspected, and fine.
    workbook = _zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>" * 100})
    inspect_archive(_pptx_with(tmp_path, {"ppt/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook}), limits)


@pytest.mark.parametrize(
    ("limits", "entries", "method", "reason"),
    [
        # More entries than allowed.
        (
            ArchiveLimits(max_entries=20),
            {f"ppt/slides/slide{n}.xml": b"<s/>" for n in range(30)},
            8,
            "archive_too_many_entries",
        ),
        # Stored (ratio 1) but larger than the uncompressed limit once unpacked.
        (
            ArchiveLimits(max_uncompressed_bytes=1024 * 1024),
            {"ppt/media/video.bin": bytes(range(256)) * 8192},
            0,
            "archive_too_large",
        ),
        # A 4 MiB entry that compresses more than 100:1.
        (ArchiveLimits(), {"ppt/media/zeros.bin": bytes(4 * 1024 * 1024)}, 8, "archive_ratio"),
    ],
)
def test_limits_refuse_with_a_reason(
    tmp_path: Path, limits: ArchiveLimits, entries: dict[str, bytes], method: int, reason: str
) -> None:
    with pytest.raises(ArchiveRefused) as refused:
        inspect_archive(_pptx_with(tmp_path, entries, method), limits)
    assert refused.value.reason == reason
    assert refused.value.message


def test_archives_nested_twice_are_refused(tmp_path: Path) -> None:
    inner = _zip_bytes({"a.xml": b"<a/>"})
    middle = _zip_bytes({"inner.zip": inner})
    with pytest.raises(ArchiveRefused) as refused:
        inspect_archive(_pptx_with(tmp_path, {"ppt/embeddings/oleObject1.bin": middle}), ArchiveLimits())
    assert refused.value.reason == "archive_nested"


def test_a_lying_size_header_is_caught(tmp_path: Path) -> None:
    """Declared sizes are only a first filter: every entry is inflated (bounded) and checked."""
    path = _pptx_with(tmp_path, {"ppt/slides/slide1.xml": b"<slide>" + b"x" * 5000 + b"</slide>"})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("ppt/slides/slide1.xml")
    # Shrink the declared size in the central directory (and the local header) to 100 bytes.
    for offset in _all(data, info.file_size.to_bytes(4, "little")):
        data[offset : offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveRefused) as refused:
        inspect_archive(path, ArchiveLimits())
    assert refused.value.reason in ("archive_too_large", "archive_corrupt")


def _all(data: bytearray, needle: bytes) -> list[int]:
    found, start = [], 0
    while (index := data.find(needle, start)) >= 0:
        found.append(index)
        start = index + 1
    return found
