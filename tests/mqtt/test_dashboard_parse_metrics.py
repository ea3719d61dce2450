"""DASHBOARD_PARSE_METRICS (seed-spec §4.4): `v2_success` and `parse_failures` logged every N dashboard messages."""

from __future__ import annotations

import logging
import re

import pytest

from app.config import load_settings
from tests.conftest import Live
from tests.mqtt.ingest_support import JPEG, b64, client_row, eventually

LINE = re.compile(r"DASHBOARD_PARSE_METRICS v2_success=(\d+) parse_failures=(\d+)")


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"DASHBOARD_METRICS_LOG_EVERY": "3"}


def _v2(capture_type: str = "periodic") -> dict:
    return {"message": {}, "content": {"screenshot": b64(JPEG)}, "runtime": {},
            "metadata": {"schema_version": "2.0", "capture": {"type": capture_type}}}  # fmt: skip


def test_the_default_is_every_five_messages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_settings(DATA_DIR=str(tmp_path), SECRET_KEY="x").dashboard_metrics_log_every == 5


async def test_the_counts_are_logged_every_n_dashboard_messages(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="app.mqtt.ingest")
    display = live.display()
    display.publish("infoscreen/discovery", {"uuid": display.uuid})
    await eventually(lambda: client_row(live.container, display.uuid), what="discovered")
    stats = live.container.extras["ingest"].stats
    legacy = {"screenshot": b64(JPEG), "timestamp": "2026-04-05T08:00:00Z"}  # the removed top-level form
    sent = [_v2(), _v2("event_start"), _v2(), legacy, _v2(), b"{not json", _v2()]
    for payload in sent:
        display.publish("infoscreen/{uuid}/dashboard", payload, qos=1)

    async def all_counted() -> bool | None:
        return True if sum(stats.dashboard_parse.values()) == len(sent) else None

    await eventually(all_counted, what="seven dashboard messages counted")
    lines = [tuple(map(int, m.groups())) for r in caplog.records if (m := LINE.search(r.getMessage()))]
    # After the 3rd message: three v2 payloads; after the 6th: four parsed, two failed; the 7th is not logged yet.
    assert lines == [(3, 0), (4, 2)], lines
    assert stats.dashboard_parse == {"v2_success": 5, "parse_failures": 2}
    display.close()
