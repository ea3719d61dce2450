"""Wiedergabe in a real browser: a room's day with a scripted display history shows planned vs reported minutes
(chart, tables), the CSV download carries the same numbers, and the page renders in English."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import insert

from app.domain.clients.models import Client
from app.domain.clients.telemetry import ClientStateChange, TelemetryReason, write_telemetry_batch
from app.domain.db import Database
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import SUPERADMIN, admin_token, graphql, login, shot

DAY = datetime(2026, 3, 10, tzinfo=UTC)
UUID = "5ab1e000-0000-4000-8000-000000000019"
CREATE_EVENT = (
    "mutation($i: EventInput!) { createEvent(input: $i) { __typename ... on Event { id } ... on Error { message } } }"
)


def at(hour: int, minute: int) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


async def _script(url: str, group: int, morning: int, pause: int) -> None:
    """The display shows Morgen 08:00-08:49, Pause from 08:50 (10 min too early) to 09:29, then is silent."""
    db = Database(url, pool_size=2)
    try:
        async with db.session() as session:
            await session.execute(insert(Client), [{"uuid": UUID, "description": "Beamer", "group_id": group}])
        minute = at(8, 0)
        while minute < at(9, 30):
            shown = morning if minute < at(8, 50) else pause
            change = ClientStateChange(
                UUID, TelemetryReason.HEARTBEAT, {"last_alive": minute, "current_event_id": shown}
            )
            async with db.session() as session:
                await write_telemetry_batch(session, [change], now=minute)
            minute += timedelta(minutes=1)
    finally:
        await db.dispose()


def seed(server: InfoscreenProcess) -> tuple[int, int]:
    token = admin_token(server)
    group = graphql(
        server, 'mutation { createGroup(name: "Aula") { __typename ... on ClientGroup { id } } }', token=token
    )["createGroup"]["id"]
    ids = []
    for title, start in (("Morgen", at(8, 0)), ("Pause", at(9, 0))):
        variables = {"i": {"groupId": group, "title": title, "eventType": "MESSAGE", "messageText": title,
                           "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}}  # fmt: skip
        ids.append(int(graphql(server, CREATE_EVENT, variables, token)["createEvent"]["id"]))
    url = f"sqlite+aiosqlite:///{Path(server.env['DATA_DIR']).resolve() / 'infoscreen.db'}"
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _script(url, int(group), ids[0], ids[1])).result(timeout=120)
    return ids[0], ids[1]


def test_playback_page_shows_planned_vs_reported_and_downloads_the_csv(
    page: Page, server: InfoscreenProcess, tmp_path: Path
) -> None:
    morning, pause = seed(server)
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-playback").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Wiedergabe")
    page.get_by_test_id("pb-date").fill("2026-03-10")
    page.get_by_test_id("pb-show").click()
    events = page.get_by_test_id("pb-events")
    expect(events.locator("tr", has_text="Morgen")).to_contain_text("60")
    expect(events.locator("tr", has_text="Morgen")).to_contain_text("50")
    expect(events.locator("tr", has_text="Pause")).to_contain_text("39")
    row = page.get_by_test_id("pb-displays").locator("tr", has_text="Beamer")
    # 89 reported, 79 as planned, 10 too early, the rest of the 1440-minute day without a report.
    for cell in ("89", "79", "10", "1351"):
        expect(row).to_contain_text(cell)
    expect(page.get_by_test_id("pb-chart").locator("canvas")).to_have_count(1)
    shot(page, "playback")

    with page.expect_download() as download_info:
        page.get_by_test_id("pb-export").click()
    target = tmp_path / "wiedergabe.csv"
    download_info.value.save_as(target)
    lines = target.read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0].startswith("room;start_utc;end_utc;kind;event_id;title;display")
    assert any(f";event;{morning};Morgen;Beamer;{UUID};60;50;" in line for line in lines), lines
    assert any(f";event;{pause};Pause;Beamer;{UUID};60;39;" in line for line in lines), lines
    assert any(f";display;;;Beamer;{UUID};;89;79;10;1351" in line for line in lines), lines

    # English: the same report in the other language.
    page.get_by_test_id("user-menu").click()
    page.get_by_text("Sprache: Deutsch → English").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Playback")
    page.get_by_test_id("pb-date").fill("2026-03-10")
    page.get_by_test_id("pb-show").click()
    expect(page.get_by_test_id("pb-displays")).to_contain_text("Mismatch (min)")
    expect(page.get_by_test_id("pb-displays").locator("tr", has_text="Beamer")).to_contain_text("1351")
    shot(page, "playback-en")
