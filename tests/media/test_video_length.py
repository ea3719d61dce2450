"""The 10-minute limit for uploaded videos: a longer video is refused with a clear message, nothing is kept."""

from __future__ import annotations

from pathlib import Path

from app.domain.enums import Role
from app.domain.media.probe import MAX_VIDEO_SECONDS
from tests.media.support import files_under, make_video, upload
from tests.support.api import Api


def _long_video(path: Path, seconds: int) -> bytes:
    # One small frame per second keeps a 10+ minute video a few hundred kilobytes and quick to make.
    return make_video(path, seconds, rate=1, size="64x48").read_bytes()


async def test_a_video_over_ten_minutes_is_refused_and_not_stored(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.EDITOR)
    media_root = api.container.settings.media_root
    assert media_root is not None
    before = files_under(media_root)
    answer = await upload(api, token, "Ganzer Film.mp4", _long_video(tmp_path / "long.mp4", MAX_VIDEO_SECONDS + 5))
    assert answer["__typename"] == "ValidationError"
    assert "10:05" in answer["message"] and "höchstens 10 Minuten" in answer["message"]
    assert files_under(media_root) == before
    listed = await api.data("query { media { fileName } }", token=token)
    assert "Ganzer Film.mp4" not in [m["fileName"] for m in listed["media"]]


async def test_a_video_of_exactly_ten_minutes_is_accepted(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.EDITOR)
    answer = await upload(api, token, "Zehn Minuten.mp4", _long_video(tmp_path / "ten.mp4", MAX_VIDEO_SECONDS))
    assert answer["__typename"] == "EventMedia"
    assert answer["duration"] <= MAX_VIDEO_SECONDS + 1
