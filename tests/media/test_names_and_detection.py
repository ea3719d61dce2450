"""The pure rules behind uploads: safe names, confined paths, content sniffing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.domain.errors import ValidationError
from app.domain.media.detect import detect, sniff
from app.domain.media.probe import parse_ffprobe
from app.domain.media.storage import confined, sanitize_file_name
from tests.media.support import PNG_1X1, make_pdf


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Präsentation 1.pptx", "Präsentation 1.pptx"),
        ("../../etc/passwd.pptx", "passwd.pptx"),
        ("C:\\Users\\lehrer\\Folien.odp", "Folien.odp"),
        ("a\x00b\x1fc\u202e.pdf", "abc.pdf"),
        ('what<>:"|?*.pdf', "what_______.pdf"),
        ("  .hidden.pdf  ", "hidden.pdf"),
    ],
)
def test_file_names_are_sanitised(raw: str, expected: str) -> None:
    assert sanitize_file_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "..", "../", "/", "\x00", " . "])
def test_names_without_anything_left_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        sanitize_file_name(raw)


def test_long_names_keep_their_extension() -> None:
    name = sanitize_file_name("ä" * 400 + ".pptx")
    assert len(name) <= 120 and name.endswith(".pptx")


def test_paths_are_confined_to_their_root(tmp_path: Path) -> None:
    root = tmp_path / "converted"
    root.mkdir()
    (tmp_path / "outside.pdf").write_bytes(b"%PDF-")
    (root / "link").symlink_to(tmp_path)
    assert confined(root, "1-abc/x.pdf") == (root / "1-abc" / "x.pdf").resolve()
    for bad in ("../outside.pdf", "/etc/passwd", "link/outside.pdf", ".", "a/../../outside.pdf"):
        with pytest.raises(ValidationError):
            confined(root, bad)


def test_sniffing_tells_formats_apart(tmp_path: Path) -> None:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    docx = tmp_path / "brief.docx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    odt = tmp_path / "text.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    ole_doc = write("old.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600 + "WordDocument".encode("utf-16-le"))
    ole_ppt = write(
        "old.ppt", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600 + "PowerPoint Document".encode("utf-16-le")
    )
    assert sniff(write("x.pdf", make_pdf(1))).name == "pdf"
    assert sniff(write("x.png", PNG_1X1)).name == "png"
    assert sniff(write("x.gif", b"GIF89a" + b"\x00" * 20)).name == "gif"
    assert sniff(write("x.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")).name == "webp"
    assert sniff(write("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)).name == "jpeg"
    assert sniff(write("x.webm", bytes.fromhex("1A45DFA3") + b"\x42\x82\x84webm" + b"\x00" * 20)).name == "webm"
    assert sniff(write("x.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 20)).name == "mp4"
    assert sniff(write("x.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20)) is None
    assert sniff(docx) is None and sniff(odt) is None and sniff(ole_doc) is None
    assert sniff(ole_ppt).name == "ppt"
    assert detect(ole_ppt, "alt.ppt").media_type == "ppt"
    with pytest.raises(ValidationError, match="kein gültiges PPTX"):
        detect(docx, "brief.pptx")


def test_ffprobe_output_is_read_defensively() -> None:
    info = parse_ffprobe(
        {
            "format": {"duration": "12.5", "bit_rate": "800000"},
            "streams": [{"codec_type": "audio"}, {"codec_type": "video", "width": 1920, "height": 1080}],
        }
    )
    assert (info.duration, info.width, info.height, info.bitrate) == (12.5, 1920, 1080, 800000)
    empty = parse_ffprobe({"format": {"duration": "N/A"}, "streams": [{"codec_type": "video", "width": "x"}]})
    assert (empty.duration, empty.width, empty.height, empty.bitrate) == (None, None, None, None)
