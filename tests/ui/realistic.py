"""A school's worth of data for whole-dashboard browser checks (accessibility, English), set up through the real
API and a few simulated displays speaking the MQTT contract.

Room groups, displays (healthy with a screenshot, a crashed player, one never heard of since discovery, and
one in no group), events (timed, all-day, a weekly series), media (an image and a deck whose conversion
failed), users of every role and a holiday.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from tests.media.support import PNG_1X1, make_pptx, multipart_body
from tests.support.display import FakeDisplay
from tests.support.process import InfoscreenProcess
from tests.ui.conftest import admin_token, graphql

SCHOOL_TZ = ZoneInfo("Europe/Vienna")  # the server's default SCHOOL_TIMEZONE
GROUPS = ("Aula", "Raum 101", "Bibliothek")
# kind → (heartbeat process status, group index or None for "Nicht zugeordnet")
DISPLAYS: dict[str, tuple[str | None, int | None]] = {
    "healthy": ("running", 0),
    "crashed": ("crashed", 0),
    "silent": (None, 1),
    "unassigned": ("running", None),
}


@dataclass
class School:
    token: str
    group_ids: list[int]
    displays: dict[str, FakeDisplay]
    event_ids: list[int] = field(default_factory=list)
    media_ids: list[int] = field(default_factory=list)


def _create(server: InfoscreenProcess, token: str, mutation: str, variables: dict, name: str) -> dict:
    result = graphql(server, mutation, variables, token)[name]
    assert "__typename" in result and not result.get("code"), result
    return result


def _groups(server: InfoscreenProcess, token: str) -> list[int]:
    mutation = "mutation($n: String!) { createGroup(name: $n) { __typename ... on ClientGroup { id } } }"
    return [int(_create(server, token, mutation, {"n": name}, "createGroup")["id"]) for name in GROUPS]


def _events(server: InfoscreenProcess, token: str, groups: list[int]) -> list[int]:
    today = datetime.now(SCHOOL_TZ).date()
    at = lambda hour: datetime.combine(today, dtime(hour), SCHOOL_TZ)  # noqa: E731
    midnight = datetime.combine(today, dtime(0), SCHOOL_TZ)
    inputs = [
        {"groupId": groups[0], "title": "Begrüßung", "eventType": "MESSAGE", "messageText": "Willkommen",
         "start": at(9).isoformat(), "end": at(11).isoformat()},
        {"groupId": groups[0], "title": "Projekttag", "eventType": "MESSAGE", "messageText": "Projekttag der Oberstufe",
         "start": midnight.isoformat(), "end": (midnight + timedelta(days=1)).isoformat()},
        {"groupId": groups[1], "title": "Schulwebsite", "eventType": "WEBSITE", "websiteUrl": "https://example.org",
         "start": at(12).isoformat(), "end": at(13).isoformat(), "recurrenceRule": "FREQ=WEEKLY;COUNT=4"},
    ]  # fmt: skip
    mutation = (
        "mutation($i: EventInput!) { createEvent(input: $i) "
        "{ __typename ... on Event { id } ... on Error { message } } }"
    )
    return [int(_create(server, token, mutation, {"i": item}, "createEvent")["id"]) for item in inputs]


def _upload(server: InfoscreenProcess, token: str, name: str, content: bytes) -> int:
    body, content_type = multipart_body(name.encode(), content, {})
    response = httpx.post(
        f"{server.base_url}/graphql",
        content=body,
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
        timeout=60,
    )
    result = response.json()["data"]["uploadMedia"]
    assert result["__typename"] == "EventMedia", result
    return int(result["id"])


def _media(server: InfoscreenProcess, token: str, tmp: Path) -> list[int]:
    deck = make_pptx(tmp / "elternabend.pptx", 2).read_bytes()
    ids = [_upload(server, token, "logo.png", PNG_1X1), _upload(server, token, "elternabend.pptx", deck)]
    deadline = time.monotonic() + 60  # the deck's conversion settles (FAILED without a converter)
    while time.monotonic() < deadline:
        media = graphql(server, "query { media { id conversion { status } } }", token=token)["media"]
        states = {m["id"]: (m["conversion"] or {}).get("status") for m in media}
        if states.get(ids[1]) in ("FAILED", "READY"):
            break
        time.sleep(0.5)
    return ids


def _users_and_holiday(server: InfoscreenProcess, token: str) -> None:
    mutation = "mutation($i: CreateUserInput!) { createUser(input: $i) { __typename ... on Error { message } } }"
    for name, role in (("redaktion", "EDITOR"), ("lehrerin", "USER"), ("technik", "ADMIN")):
        user = {"username": name, "password": f"{name}-pass", "role": role}
        _create(server, token, mutation, {"i": user}, "createUser")
    period = graphql(server, "query { activeAcademicPeriod { id } }", token=token)["activeAcademicPeriod"]
    tomorrow = (datetime.now(SCHOOL_TZ) + timedelta(days=1)).date().isoformat()
    _create(
        server,
        token,
        "mutation($p: Int!, $i: SchoolHolidayInput!) { createHoliday(academicPeriodId: $p, input: $i) "
        "{ __typename ... on Error { message } } }",
        {"p": period["id"], "i": {"name": "Schulautonomer Tag", "startDate": tomorrow, "endDate": tomorrow}},
        "createHoliday",
    )


def _wait_known(server: InfoscreenProcess, token: str, uuids: list[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        known = {c["uuid"] for c in graphql(server, "query { clients { uuid } }", token=token)["clients"]}
        if set(uuids) <= known:
            return
        assert time.monotonic() < deadline, "the server never registered the simulated displays"
        time.sleep(0.3)


@contextmanager
def school(server: InfoscreenProcess, tmp: Path) -> Iterator[School]:
    """Set everything up; displays keep reporting (every 5 s) until the block ends."""
    token = admin_token(server)
    port = int(server.env["MQTT_BROKER_PORT"])
    displays = {kind: FakeDisplay(port).connect() for kind in DISPLAYS}
    for kind, display in displays.items():
        display.publish("infoscreen/discovery", {"uuid": display.uuid, "hostname": f"pi-{kind}"})
    stop = threading.Event()

    def report() -> None:
        while not stop.is_set():
            for kind, (status, _) in DISPLAYS.items():
                if status is not None:
                    displays[kind].publish("infoscreen/{uuid}/heartbeat", {"process_status": status})
                    displays[kind].publish(
                        "infoscreen/{uuid}/health",
                        {"actual_state": {"process": "player", "status": status},
                         "health_metrics": {"screen_health_status": "OK"}},
                    )  # fmt: skip
            stop.wait(5)

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        groups = _groups(server, token)
        _wait_known(server, token, [d.uuid for d in displays.values()])
        for kind, (_, index) in DISPLAYS.items():
            if index is not None:
                graphql(
                    server,
                    "mutation($u: [String!]!, $g: Int!) { assignClientsToGroup(uuids: $u, groupId: $g) "
                    "{ __typename } }",
                    {"u": [displays[kind].uuid], "g": groups[index]},
                    token,
                )
        displays["healthy"].publish("infoscreen/{uuid}/screenshot", PNG_1X1)
        data = School(token=token, group_ids=groups, displays=displays)
        data.event_ids = _events(server, token, groups)
        data.media_ids = _media(server, token, tmp)
        _users_and_holiday(server, token)
        yield data
    finally:
        stop.set()
        reporter.join(10)
        for display in displays.values():
            display.close()
