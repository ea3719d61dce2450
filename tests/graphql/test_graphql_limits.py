"""What strangers and greedy callers get from /graphql: no schema, bounded bodies, capped and fair live
subscriptions, a coded error when the database is down, one log line for an expected failure."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import statistics
import time
from pathlib import Path

import pytest

from app.config import load_settings
from app.domain.bus import CLIENT_UPDATED, DomainEvent
from app.domain.enums import Role
from tests.conftest import create_mariadb_database
from tests.graphql.apps import api_for
from tests.graphql.fleet import add_client
from tests.support.api import Api
from tests.support.live_server import GraphQLWs, served
from tests.support.servers import mariadb_server

INTROSPECTION = "{ __schema { queryType { name } types { name fields { name } } } }"
TYPE_PROBE = '{ __type(name: "User") { name fields { name } } }'
CLIENT_UPDATED_SUB = "subscription { clientUpdated { uuid hostname } }"
ME = "{ me { id username } }"


async def test_anonymous_introspection_returns_nothing(api: Api) -> None:
    for query in (INTROSPECTION, TYPE_PROBE):
        body = await api.gql(query)
        assert body.get("data") is None and body["errors"], body
        assert "introspection" in body["errors"][0]["message"].lower()
        assert "username" not in str(body) and "queryType" not in str(body.get("data"))
    token = await api.token_for(Role.USER)
    schema = (await api.data(INTROSPECTION, token=token))["__schema"]
    assert schema["queryType"]["name"] == "Query" and any(t["name"] == "User" for t in schema["types"])
    assert (await api.data(TYPE_PROBE, token=token))["__type"]["name"] == "User"


async def test_suggestions_are_only_for_logged_in_callers(api: Api) -> None:
    for query in ("{ mee { id } }", 'mutation { logi(username: "a", password: "b") { token } }'):
        anonymous = await api.gql(query)
        message = anonymous["errors"][0]["message"]
        assert "Did you mean" not in message and "Cannot query field" in message, message
    token = await api.token_for(Role.USER)
    logged_in = await api.gql("{ mee { id } }", token=token)
    assert "Did you mean 'me'?" in logged_in["errors"][0]["message"]


async def _raw_post(address: str, head: bytes, first_chunk: bytes) -> tuple[bytes, float]:
    host, port = address.split(":")
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head + first_chunk)
        await writer.drain()
        async with asyncio.timeout(10):
            status_line = await reader.readline()
        return status_line, time.monotonic() - started
    finally:
        writer.close()


async def test_a_50_mb_anonymous_body_is_refused_at_once(api: Api) -> None:
    size = 50 * 1024 * 1024
    async with served(api.container) as address:
        head = (
            f"POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n"
        ).encode()
        # Only the first 64 KiB are ever sent: the answer must come without the rest of the body.
        status, elapsed = await _raw_post(address, head, b'{"query": "' + b"x" * 65536)
        assert status.startswith(b"HTTP/1.1 413"), status
        assert elapsed < 5, elapsed
        # A chunked body without a declared length is cut off at the limit as well.
        chunked_head = (
            f"POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        chunk = b"x" * (256 * 1024)
        body = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(8))
        status, _ = await _raw_post(address, chunked_head, body)
        assert status.startswith(b"HTTP/1.1 413"), status
    # An ordinary query is untouched.
    assert (await api.gql("{ me { id } }"))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _me_timings(api: Api, token: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        await api.data(ME, token=token)
        timings.append(time.perf_counter() - started)
    return timings


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_a_thousand_subscriptions_from_one_user_leave_another_users_query_fast(api: Api) -> None:
    hog = await api.token_for(Role.ADMIN, "hog")
    other = await api.token_for(Role.USER, "other")
    uuids = [await add_client(api.container, hostname=f"screen-{i}") for i in range(20)]
    cap = api.container.settings.max_subscriptions_per_user
    baseline = await _me_timings(api, other, 20)

    async with served(api.container) as address, contextlib.AsyncExitStack() as stack:
        connections = [await stack.enter_async_context(GraphQLWs.connect(address, hog)) for _ in range(50)]
        for n, ws in enumerate(connections):
            for i in range(20):
                await ws.subscribe(f"s{n}-{i}", CLIENT_UPDATED_SUB)
        # Over the cap, each further subscription is refused with a code; the first `cap` run.
        await _eventually_subscribers(api, cap)
        refused = await asyncio.gather(*(_refusals(ws) for ws in connections))
        assert sum(refused) == 1000 - cap, refused
        assert api.container.bus.subscriber_count == cap

        # Displays keep reporting while the hog's subscriptions each re-read every update.
        async def publish() -> None:
            while True:
                for uuid in uuids:
                    await api.container.bus.publish(DomainEvent(CLIENT_UPDATED, {"uuid": uuid}))
                await asyncio.sleep(0.05)

        publisher = asyncio.create_task(publish())
        try:
            await asyncio.sleep(0.5)
            loaded = await _me_timings(api, other, 20)
        finally:
            publisher.cancel()
        # The hog still gets its updates.
        assert (await connections[0].data("s0-0", timeout=10))["clientUpdated"]["uuid"] in uuids

    base, under_load = statistics.median(baseline), statistics.median(loaded)
    assert under_load < 0.2, (base, under_load)
    assert under_load < max(5 * base, base + 0.05), (base, under_load)


async def _refusals(ws: GraphQLWs) -> int:
    """How many of this connection's subscriptions were refused for the quota (reads until 1 s of quiet)."""
    count = 0
    while True:
        try:
            async with asyncio.timeout(1):
                message = json.loads(await ws.ws.recv())
        except TimeoutError:
            return count
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "RATE_LIMITED", message
        count += 1


async def _eventually_subscribers(api: Api, count: int) -> None:
    for _ in range(500):
        if api.container.bus.subscriber_count >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{api.container.bus.subscriber_count} subscribers, expected {count}")


@pytest.mark.timeout(180)
async def test_database_down_is_a_graphql_error_with_a_code(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with mariadb_server() as server:
        url = create_mariadb_database(server, "downtest")
        settings = load_settings(DATA_DIR=str(tmp_path / "d"), SECRET_KEY="s", DB_CONN=url, DB_POOL_SIZE="2")
        async with api_for(settings) as api:
            token = await api.token_for(Role.USER)
            assert (await api.data(ME, token=token))["me"]
            server.stop()
            caplog.clear()
            for query, variables, headers in (
                (ME, {}, {"Authorization": f"Bearer {token}"}),
                ('mutation { login(username: "x", password: "y") { ... on LoginPayload { token } } }', {}, {}),
            ):
                response = await api.client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                assert response.status_code == 200, response.text
                error = response.json()["errors"][0]
                assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}, error
                assert "mysql" not in response.text.lower() and "127.0.0.1" not in response.text
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_wrong_password_is_one_log_line_not_an_error(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    await api.make_user(Role.USER, "ruhig", "richtig-123")
    caplog.set_level(logging.INFO)
    body = await api.gql('mutation { login(username: "ruhig", password: "falsch") { ... on Error { code } } }')
    assert body["data"]["login"]["code"] == "UNAUTHENTICATED", body
    records = [r for r in caplog.records if r.name.startswith(("app", "strawberry"))]
    assert records, caplog.text
    assert all(r.levelno < logging.ERROR and r.exc_info is None for r in records), caplog.text
    assert all("\n" not in r.getMessage() for r in records), caplog.text


async def test_error_members_carry_a_code(api: Api) -> None:
    token = await api.token_for(Role.USER)
    query = """mutation { changePassword(currentPassword: "falsch", newPassword: "neu-geheim") {
      __typename ... on Error { message code } } }"""
    result = (await api.data(query, token=token))["changePassword"]
    assert result["__typename"] == "ValidationError" and result["code"] == "VALIDATION"
    admin = await api.token_for(Role.ADMIN)
    missing = await api.data("mutation { unlockUser(id: 999999) { ... on Error { code } } }", token=admin)
    assert missing["unlockUser"] == {"code": "NOT_FOUND"}


async def test_health_names_no_internal_hosts_except_to_admins(tmp_path: Path) -> None:
    settings = load_settings(DATA_DIR=str(tmp_path / "h"), SECRET_KEY="s", MQTT_BROKER_HOST="mqtt.schule.intern")
    async with api_for(settings) as api:

        async def mqtt_check() -> tuple[bool, str]:
            return True, "connected to mqtt.schule.intern:1883 (MQTT 5), peer 10.0.3.7:1883"

        api.container.health_checks["mqtt"] = mqtt_check
        probe = await api.client.get("/health")
        assert probe.status_code == 200
        assert "mqtt.schule.intern" not in probe.text and "10.0.3.7" not in probe.text
        assert probe.json()["components"]["mqtt"] == {"ok": True, "detail": "connected to * (MQTT 5), peer *"}
        user = await api.data("{ health }", token=await api.token_for(Role.USER))
        assert "mqtt.schule.intern" not in str(user) and user["health"]["mqtt"]["ok"] is True
        admin = await api.data("{ health }", token=await api.token_for(Role.ADMIN))
        assert "mqtt.schule.intern" in admin["health"]["mqtt"]["detail"]
