"""Video metadata from `ffprobe` (duration, resolution, bitrate), when ffprobe is installed.

Best effort: a missing ffprobe or an unreadable stream leaves the fields empty; displays then fall back to
playing the stream directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.errors import ValidationError

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 30
# Uploaded videos may run at most this long (seed: "10-minute limit for uploaded videos").
MAX_VIDEO_SECONDS = 10 * 60


@dataclass(frozen=True, slots=True)
class VideoInfo:
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    try:
        number = kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number > 0 else None


def check_video_length(info: VideoInfo, max_seconds: int = MAX_VIDEO_SECONDS) -> None:
    """Refuse a video longer than the limit; an unknown length (no ffprobe, unreadable) is let through."""
    if info.duration is not None and info.duration > max_seconds:
        total = round(info.duration)
        raise ValidationError(
            "media.video_too_long",
            field="file",
            length=f"{total // 60}:{total % 60:02d}",
            minutes=max_seconds // 60,
        )


def parse_ffprobe(output: dict[str, Any]) -> VideoInfo:
    fmt = output.get("format") or {}
    video = next((s for s in output.get("streams") or [] if s.get("codec_type") == "video"), {})
    return VideoInfo(
        duration=_number(fmt.get("duration") or video.get("duration"), float),
        width=_number(video.get("width"), int),
        height=_number(video.get("height"), int),
        bitrate=_number(fmt.get("bit_rate") or video.get("bit_rate"), int),
    )


async def probe_video(path: Path) -> VideoInfo:
    exe = shutil.which("ffprobe")
    if exe is None:
        return VideoInfo()
    proc = await asyncio.create_subprocess_exec(
        exe,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT_SECONDS)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        log.warning("event=ffprobe_timeout path=%s", path.name)
        return VideoInfo()
    if proc.returncode != 0:
        log.warning("event=ffprobe_failed path=%s error=%s", path.name, stderr.decode(errors="replace")[:200])
        return VideoInfo()
    try:
        return parse_ffprobe(json.loads(stdout))
    except (ValueError, AttributeError):
        return VideoInfo()
