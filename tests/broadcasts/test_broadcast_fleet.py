"""A Durchsage at a school's size (40 groups, 240 displays) against the real stack and the default Mosquitto:
every target group's retained list carries the broadcast alone, power ON, receipts go PENDING → SHOWN as the
simulated displays report its id, and the all-clear restores every list and power intent."""

from __future__ import annotations

import pytest

from app.domain.enums import Role
from tests.broadcasts.sim import ShowingFleet
from tests.broadcasts.support import END, ONE, START, eventually, seed_school, wait_retained
from tests.conftest import Live

GROUPS, DISPLAYS = 40, 240


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"POWER_INTENT_PUBLISH_ENABLED": "true", "HEARTBEAT_GRACE_PERIOD_DEV": "30"}


async def test_fleet_broadcast_all_clear_and_receipts(live: Live) -> None:
    school = await seed_school(live.container, GROUPS, DISPLAYS)
    token = await live.api.token_for(Role.ADMIN, "hausmeister")

    def normal(lists: dict, power: dict) -> bool:
        return all(
            [e["id"] for e in lists.get(g, [])] == ([school.event_ids[g]] if g in school.busy else [])
            and power.get(g, {}).get("desired_state") == ("on" if g in school.busy else "off")
            for g in school.group_ids
        )

    await wait_retained(live.broker_port, normal)
    with ShowingFleet(live.broker_port, school.displays) as fleet:
        started = await live.api.data(
            START, {"input": {"message": "Bitte verlassen Sie das Gebäude.", "severity": "ALARM",
                              "title": "Evakuierung"}}, token=token,
        )  # fmt: skip
        b = started["startBroadcast"]
        assert b["__typename"] == "Broadcast", b
        assert (b["targetCount"], b["active"], b["startedBy"], b["groupIds"]) == (DISPLAYS, True, "hausmeister", None)
        eid = b["eventId"]

        def overridden(lists: dict, power: dict) -> bool:
            return all(
                [e["id"] for e in lists.get(g, [])] == [eid] and power.get(g, {}).get("active_event_ids") == [eid]
                for g in school.group_ids
            )

        lists, power = await wait_retained(live.broker_port, overridden, timeout=20)
        assert overridden(lists, power), "every group must carry the broadcast alone"
        event = lists[school.group_ids[3]][0]
        assert event["event_type"] == "message" and event["message"] == {"text": "Bitte verlassen Sie das Gebäude."}
        assert event["title"] == "[ALARM] Evakuierung" and event["group_id"] == school.group_ids[3]
        assert all(p["desired_state"] == "on" for p in power.values())

        async def all_shown() -> dict | None:
            got = (await live.api.data(ONE, {"id": b["id"]}, token=token))["broadcast"]
            return got if got["shownCount"] == DISPLAYS else None

        shown = await eventually(all_shown, 60, "every display confirming")
        assert {r["status"] for r in shown["receipts"]} == {"SHOWN"}
        assert all(r["shownAt"] for r in shown["receipts"])
        assert shown["secondsTo50"] is not None and shown["secondsTo100"] >= shown["secondsTo50"]
        assert set(fleet.head_ids().values()) == {eid}

        ended = (await live.api.data(END, {"id": b["id"]}, token=token))["endBroadcast"]
        assert ended["__typename"] == "Broadcast" and ended["active"] is False and ended["endedAt"]
        lists, power = await wait_retained(live.broker_port, normal, timeout=20)
        assert normal(lists, power), "the all-clear must restore every list and power intent"

        async def displays_back() -> bool:
            heads = fleet.head_ids()
            return all(heads.get(g) == school.event_ids.get(g) for g in school.group_ids)

        await eventually(displays_back, 20, "displays showing their schedule again")
    again = await live.api.gql(END, {"id": b["id"]}, token=token)
    assert again["data"]["endBroadcast"]["code"] == "CONFLICT"
