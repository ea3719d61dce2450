"""Overlapping Durchsagen (the more severe wins, then the newest; ending one restores the next) and displays
that were offline: OFFLINE receipts, one going OFFLINE without heartbeats, one catching up on reconnect from
the retained list."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.enums import Role
from tests.broadcasts.sim import ShowingFleet
from tests.broadcasts.support import END, ONE, START, eventually, seed_school, wait_retained
from tests.conftest import Live


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"POWER_INTENT_PUBLISH_ENABLED": "true", "HEARTBEAT_GRACE_PERIOD_DEV": "3"}


async def test_more_severe_wins_then_newest_and_ending_restores_the_next(live: Live) -> None:
    school = await seed_school(live.container, 3, 3)
    a, b, c = school.group_ids
    token = await live.api.token_for(Role.ADMIN)

    async def start(severity: str, groups: list[int] | None, text: str) -> int:
        variables = {"input": {"message": text, "severity": severity, "groupIds": groups}}
        got = (await live.api.data(START, variables, token=token))["startBroadcast"]
        assert got["__typename"] == "Broadcast", got
        return int(got["eventId"])

    async def expect(want: dict[int, int | None]) -> None:
        def done(lists: dict, power: dict) -> bool:
            return all(
                (lists.get(g) or [{"id": None}])[0]["id"] == eid
                and len(lists.get(g) or []) <= 1
                and power.get(g, {}).get("desired_state") == ("on" if eid is not None else "off")
                for g, eid in want.items()
            )

        lists, power = await wait_retained(live.broker_port, done, timeout=20)
        assert done(lists, power), ({g: [e["id"] for e in v] for g, v in lists.items()}, want)

    warning = await start("WARNING", [a, b], "Sturmwarnung")
    alarm = await start("ALARM", [b], "Evakuierung Raum B")
    info = await start("INFO", None, "Schulschluss um 11:00")
    # a: WARNING beats the newer INFO; b: ALARM; c: only INFO targets it.
    await expect({a: warning, b: alarm, c: info})

    await live.api.data(END, {"id": alarm - 2_000_000_000}, token=token)
    await expect({a: warning, b: warning, c: info})
    await live.api.data(END, {"id": warning - 2_000_000_000}, token=token)
    await expect({a: info, b: info, c: info})
    await live.api.data(END, {"id": info - 2_000_000_000}, token=token)
    # a and c have a lesson now (even index), b has nothing: back to the schedule.
    await expect({a: school.event_ids[a], b: None, c: school.event_ids[c]})


async def test_offline_displays_are_marked_and_catch_up_from_the_retained_list(live: Live) -> None:
    school = await seed_school(live.container, 2, 4)
    uuids = list(school.displays)
    silent = uuids[0]  # online at the start, then no heartbeat
    token = await live.api.token_for(Role.ADMIN)
    with ShowingFleet(live.broker_port, school.displays, offline={silent}, beat_every=0.5):
        got = (await live.api.data(START, {"input": {"message": "Probealarm"}}, token=token))["startBroadcast"]
        bid, eid = got["id"], got["eventId"]
        # Every display is a target; the fast ones may have confirmed before the mutation's answer (it waits
        # for the broker to take every list), none can be offline yet.
        assert got["targetCount"] == 4 and got["pendingCount"] + got["shownCount"] == 4 and got["offlineCount"] == 0

        async def settled() -> dict | None:
            one = (await live.api.data(ONE, {"id": bid}, token=token))["broadcast"]
            return one if (one["shownCount"], one["offlineCount"]) == (3, 1) else None

        one = await eventually(settled, 30, "three SHOWN and the silent display OFFLINE")
        status = {r["clientUuid"]: r["status"] for r in one["receipts"]}
        assert status[silent] == "OFFLINE"

    # The silent display boots during the broadcast: the retained list gives it the broadcast at once.
    display = live.display(uuid=silent)
    try:
        display.subscribe(f"infoscreen/events/{school.displays[silent]}")
        received = await asyncio.to_thread(display.expect, f"infoscreen/events/{school.displays[silent]}", 10)
        assert received.retain and [e["id"] for e in received.json()] == [eid]
        beat = {"process_status": "running", "current_event_id": eid}
        await asyncio.to_thread(display.publish, "infoscreen/{uuid}/heartbeat", beat)

        async def caught_up() -> bool:
            one = (await live.api.data(ONE, {"id": bid}, token=token))["broadcast"]
            return one["shownCount"] == 4 and one["offlineCount"] == 0

        await eventually(caught_up, 20, "the late display confirming")
    finally:
        display.close()
