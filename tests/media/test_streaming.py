"""Serving media: the public range-capable stream (displays seek in videos) and logged-in downloads."""

from __future__ import annotations

from pathlib import Path

from app.domain.enums import Role
from tests.media.support import make_pdf, make_video, upload
from tests.support.api import Api


async def test_video_upload_gets_metadata_and_streams_with_ranges(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.EDITOR)
    video = make_video(tmp_path / "clip.mp4", seconds=2).read_bytes()
    media = await upload(api, token, "Schulfest Clip.mp4", video)
    assert media["__typename"] == "EventMedia"
    assert media["mediaType"] == "VIDEO" and media["mimeType"] == "video/mp4"
    assert (media["width"], media["height"]) == (160, 120)
    assert 1.5 <= media["duration"] <= 2.5
    assert media["bitrate"] > 0
    size = len(video)
    url = media["url"]
    assert url.endswith("/Schulfest%20Clip.mp4")

    # No login: displays fetch the stream with the token in the URL.
    full = await api.client.get(url)
    assert full.status_code == 200
    assert full.content == video
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["content-length"] == str(size)
    assert full.headers["content-type"] == "video/mp4"

    part = await api.client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-99/{size}"
    assert part.headers["content-length"] == "100"
    assert part.content == video[:100]

    middle = await api.client.get(url, headers={"Range": f"bytes=1000-{size + 5000}"})
    assert middle.status_code == 206
    assert middle.headers["content-range"] == f"bytes 1000-{size - 1}/{size}"
    assert middle.content == video[1000:]

    tail = await api.client.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206
    assert tail.content == video[-50:]
    assert tail.headers["content-range"] == f"bytes {size - 50}-{size - 1}/{size}"

    unsatisfiable = await api.client.get(url, headers={"Range": f"bytes={size}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{size}"

    head = await api.client.head(url)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(size)
    assert head.headers["accept-ranges"] == "bytes"
    assert head.content == b""
    head_range = await api.client.head(url, headers={"Range": "bytes=10-19"})
    assert head_range.status_code == 206 and head_range.headers["content-length"] == "10"


async def test_stream_needs_the_right_token_and_answers_404_alike(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    first = await upload(api, token, "a.pdf", make_pdf(1))
    second = await upload(api, token, "b.pdf", make_pdf(2))
    first_token = first["url"].split("/")[5]
    second_token = second["url"].split("/")[5]
    assert first_token != second_token
    assert (await api.client.get(first["url"])).status_code == 200
    for path in (
        f"/api/eventmedia/stream/{first['id']}/{second_token}/a.pdf",  # another media's token
        f"/api/eventmedia/stream/{first['id']}/not-the-token/a.pdf",
        f"/api/eventmedia/stream/{first['id']}/{'x' * 500}/a.pdf",
        f"/api/eventmedia/stream/99999/{first_token}/a.pdf",
    ):
        response = await api.client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"error": "Datei nicht gefunden"}
    # The trailing file name is cosmetic: the token decides.
    renamed = await api.client.get(f"/api/eventmedia/stream/{first['id']}/{first_token}/anything.pdf")
    assert renamed.status_code == 200


async def test_downloads_need_a_login_by_bearer_or_cookie(api: Api) -> None:
    editor = await api.token_for(Role.EDITOR)
    viewer = await api.token_for(Role.USER)
    content = make_pdf(3)
    media = await upload(api, editor, "Stundenplan.pdf", content)
    url = media["downloadUrl"]
    anonymous = await api.client.get(url)
    assert anonymous.status_code == 401
    bad = await api.client.get(url, headers={"Authorization": "Bearer iss_nonsense"})
    assert bad.status_code == 401
    by_bearer = await api.client.get(url, headers={"Authorization": f"Bearer {viewer}"})
    assert by_bearer.status_code == 200 and by_bearer.content == content
    assert by_bearer.headers["content-disposition"].startswith("attachment")
    assert 'filename="Stundenplan.pdf"' in by_bearer.headers["content-disposition"]
    by_cookie = await api.client.get(url + "?inline=1", headers={"Cookie": f"infoscreen_token={viewer}"})
    assert by_cookie.status_code == 200 and by_cookie.headers["content-disposition"].startswith("inline")
    missing = await api.client.get("/api/eventmedia/download/99999", headers={"Authorization": f"Bearer {viewer}"})
    assert missing.status_code == 404


async def test_converted_files_are_confined_to_the_converted_directory(api: Api) -> None:
    token = await api.token_for(Role.EDITOR)
    media = await upload(api, token, "geheim.pdf", make_pdf(1))
    stored = f"media/{media['id']}/geheim.pdf"
    for path in (
        f"/api/files/converted/../{stored}",
        f"/api/files/converted/..%2F{stored.replace('/', '%2F')}",
        f"/api/files/converted/%2e%2e/{stored}",
        "/api/files/converted/../../../../etc/passwd",
        "/api/files/converted/x/.hidden.pdf",
        "/api/files/converted/nothing-here.pdf",
    ):
        response = await api.client.get(path)
        assert response.status_code == 404, path
