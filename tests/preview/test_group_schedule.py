"""`groupSchedule` segments agree with `displayPayloadAt` inside each segment; cuts fall on occurrence edges."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from app.config import load_settings
from app.container import Container
from app.domain.models import Base
from app.domain.preview.payload import calculator_for, display_payload_at, wire_json
from app.domain.preview.schedule import SegmentReason, group_schedule
from tests.preview.seed import HOLIDAYS, WINDOWS, local, seed_schedule


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    settings = load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="t", POWER_INTENT_PUBLISH_ENABLED="true")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    made = Container.create(settings)
    async with made.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield made
    await made.close()


def _stable(intent: dict[str, Any] | None) -> dict[str, Any]:
    """The intent without the fields that depend on the publish moment."""
    assert intent is not None
    return {k: v for k, v in intent.items() if k not in ("intent_id", "issued_at", "expires_at")}


@pytest.mark.parametrize("seed", [3, 11])
async def test_segments_agree_with_the_payload_inside_each_segment(container: Container, seed: int) -> None:
    rng = random.Random(seed)
    seeded = await seed_schedule(container, rng)
    holiday_edges = {local(a, 0, 0) for a, _ in HOLIDAYS} | {local(b + timedelta(days=1), 0, 0) for _, b in HOLIDAYS}
    reasons: set[SegmentReason] = set()
    for first, last in WINDOWS:
        lo, hi = local(first, 0, 0), local(last, 0, 0)
        for group_id in seeded.groups:
            segments = await group_schedule(container, seeded.admin, group_id, lo, hi)
            async with container.db.read_session() as session:
                occs = await calculator_for(container.settings).group_occurrences(session, group_id, lo, hi)
            edges = {t for o in occs for t in o[:2] if lo < t < hi}
            # Contiguous, covering [lo, hi), no empty segment.
            assert segments[0].start == lo and segments[-1].end == hi
            assert all(a.end == b.start for a, b in pairwise(segments))
            assert all(s.start < s.end for s in segments)
            cuts = {s.start for s in segments[1:]}
            # Every occurrence start and end is a cut, and every cut is one (or a holiday edge while idle).
            assert edges <= cuts
            assert cuts - edges <= holiday_edges
            for segment in segments:
                reasons.add(segment.reason)
                await _check_segment(container, seeded.admin, group_id, segment)
    assert {SegmentReason.EVENT, SegmentReason.NO_EVENT, SegmentReason.HOLIDAY} <= reasons


async def _check_segment(container: Container, admin: Any, group_id: int, segment: Any) -> None:
    samples: list[datetime] = [segment.start, segment.start + (segment.end - segment.start) / 2]
    samples.append(segment.end - timedelta(milliseconds=1))
    payloads = [await display_payload_at(container, admin, group_id, t) for t in samples]
    lists = {wire_json(p.event_list) for p in payloads}
    assert len(lists) == 1, (segment, lists)  # the published list is constant inside the segment
    first = payloads[0]
    assert tuple(sorted({e["id"] for e in first.event_list})) == segment.event_ids
    assert tuple(e["title"] for e in first.event_list) == segment.titles
    assert all(_stable(p.power_intent) == _stable(first.power_intent) for p in payloads)
    assert _stable(first.power_intent)["desired_state"] == segment.power_state
    assert (segment.reason is SegmentReason.EVENT) == bool(first.event_list)
    if segment.reason is SegmentReason.HOLIDAY:
        assert any(local(a, 0, 0) <= segment.start < local(b + timedelta(days=1), 0, 0) for a, b in HOLIDAYS)
