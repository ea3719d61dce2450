"""Hostile or broken requests against /graphql: limits, error codes, masking, websocket authentication."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import uvicorn
import websockets
from sqlalchemy import select, text

from app.config import load_settings
from app.domain.enums import Role
from app.domain.users.models import User
from tests.graphql.apps import api_for
from tests.support.api import Api
from tests.support.servers import free_port

LOGIN = 'login(username: "ziel", password: "falsch") { ... on LoginPayload { token } }'


async def test_cyclic_introspection_queries_are_refused(api: Api) -> None:
    token = await api.token_for(Role.USER)
    cyclic = "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }"
    body = await api.gql(cyclic, token=token)
    assert body.get("errors") and not body.get("data")
    assert "introspection depth" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # The ordinary introspection GraphiQL sends still works, for a logged-in caller.
    assert await api.data("{ __schema { types { name fields { name type { name ofType { name } } } } } }", token=token)


async def test_aliased_login_brute_force_is_refused_before_any_attempt(api: Api) -> None:
    await api.make_user(Role.USER, "ziel", "richtig-123")
    query = "mutation { " + " ".join(f"a{i}: {LOGIN}" for i in range(40)) + " }"
    body = await api.gql(query)
    assert body.get("errors") and not body.get("data")
    async with api.container.db.session() as session:
        user = await session.scalar(select(User).where(User.username == "ziel"))
        assert user is not None and user.failed_login_attempts == 0


async def test_garbage_requests_get_clear_errors(api: Api) -> None:
    batched = await api.client.post("/graphql", json=[{"query": "{ version }"}, {"query": "{ version }"}])
    assert batched.status_code == 400
    not_json = await api.client.post("/graphql", content=b"{nope", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    wrong_type = await api.gql(
        "mutation ($u: String!) { login(username: $u, password: 1) { ... on LoginPayload { token } } }", {"u": 5}
    )
    assert wrong_type["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    huge = await api.gql(
        'mutation ($p: String!) { login(username: "x", password: $p) { ... on Error { code } } }',
        {"p": "x" * 200_000},
    )
    assert huge["data"]["login"]["code"] == "UNAUTHENTICATED", huge


async def test_domain_errors_carry_codes_and_fields(api: Api) -> None:
    user = await api.token_for(Role.USER)
    forbidden = await api.gql("{ users { id } }", token=user)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await api.token_for(Role.ADMIN)
    missing = await api.gql("{ user(id: 999999) { id } }", token=admin)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert missing["errors"][0]["message"] == "Benutzer nicht gefunden."


async def test_internal_errors_are_masked_in_production(tmp_path: Path) -> None:
    settings = load_settings(
        ENV="production", DATA_DIR=str(tmp_path / "prod"), SECRET_KEY="prod-secret", DEFAULT_SUPERADMIN_PASSWORD="x" * 8
    )
    async with api_for(settings) as api:
        token = await api.token_for(Role.ADMIN)
        async with api.container.db.session() as session:
            await session.execute(text("DROP TABLE system_settings"))
        response = await api.client.post(
            "/graphql", json={"query": "{ systemSettings { key } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        body = response.json()
        assert body["errors"][0]["message"] == "Interner Fehler."
        assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
        assert "system_settings" not in response.text and "sqlite" not in response.text.lower()
        # Expected failures keep their safe message in production too.
        refused = await api.gql("{ me { id } }")
        assert refused["errors"][0]["message"] == "Nicht angemeldet."


@asynccontextmanager
async def served(api: Api) -> AsyncIterator[str]:
    """The same app on a real socket (uvicorn in this event loop), for websocket clients."""
    from app.http import create_http_app

    app = create_http_app(api.container)
    app.state.ready = True
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # up to 10 s
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def ws_init(url: str, payload: dict[str, str] | None) -> tuple[str, int | None]:
    """Send connection_init; returns the first message type (or 'closed') and the close code."""
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        try:
            async with asyncio.timeout(5):
                message = json.loads(await ws.recv())
                return message["type"], None
        except websockets.ConnectionClosed as closed:
            return "closed", closed.rcvd.code if closed.rcvd else None


@pytest.mark.timeout(60)
async def test_websocket_connection_needs_a_valid_token(api: Api) -> None:
    token = await api.token_for(Role.USER)
    async with served(api) as url:
        assert await ws_init(url, None) == ("closed", 4403)
        assert await ws_init(url, {"Authorization": "Bearer iss_forged"}) == ("closed", 4403)
        assert await ws_init(url, {"Authorization": f"Bearer {token}"}) == ("connection_ack", None)
        await api.data("mutation { logout { __typename } }", token=token)
        assert await ws_init(url, {"Authorization": f"Bearer {token}"}) == ("closed", 4403)
