"""X-Forwarded-For is believed only from TRUSTED_PROXIES: uvicorn configured exactly as `infoscreen` runs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from app.config import Settings, load_settings
from app.container import Container
from app.domain.audit.models import AuditLogEntry
from app.domain.enums import Role
from app.domain.models import Base
from app.domain.users.login_policy import FREE_FAILURES
from app.domain.users.models import ApiToken
from app.messages.users import INVALID_CREDENTIALS_MESSAGE
from app.runtime import http_server_config
from tests.support.api import Api
from tests.support.live_server import eventually
from tests.support.servers import free_port

LOGIN = (
    "mutation ($u: String!, $p: String!) { login(username: $u, password: $p) {"
    " __typename ... on LoginPayload { token } ... on Error { message code } } }"
)


@asynccontextmanager
async def real_server(tmp_path: Path, **env: str) -> AsyncIterator[Api]:
    from app.http import create_http_app
    from app.runtime import load_adapters

    load_adapters()
    settings: Settings = load_settings(
        DATA_DIR=str(tmp_path), SECRET_KEY="s", HTTP_HOST="127.0.0.1", HTTP_PORT=str(free_port()), **env
    )
    container = Container.create(settings)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    app = create_http_app(container)
    app.state.ready = True
    server = uvicorn.Server(http_server_config(app, settings, lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, timeout=10)
        base = f"http://127.0.0.1:{settings.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield Api(container, client)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        await container.close()


async def login_as(api: Api, username: str, password: str, forwarded: str) -> dict[str, Any]:
    response = await api.client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"u": username, "p": password}},
        headers={"X-Forwarded-For": forwarded},
    )
    return response.json()  # type: ignore[no-any-return]


async def audit_ips(api: Api, action: str) -> list[str | None]:
    async with api.container.db.session() as session:
        rows = await session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == action))
        return [row.ip for row in rows]


@pytest.mark.timeout(120)
async def test_rotating_x_forwarded_for_from_an_untrusted_peer_gains_nothing(tmp_path: Path) -> None:
    # This peer (loopback) is not a trusted proxy here, as a display or a laptop on the school network is not.
    async with real_server(tmp_path, TRUSTED_PROXIES="10.99.0.0/16") as api:
        await api.make_user(Role.ADMIN, "opfer", "richtig-123")
        for i in range(FREE_FAILURES):
            body = await login_as(api, "opfer", "falsch", f"203.0.113.{i + 1}")
            assert body["data"]["login"]["message"] == INVALID_CREDENTIALS_MESSAGE, body
        # Another made-up address is still the same caller: throttled, even with the right password.
        body = await login_as(api, "opfer", "richtig-123", "198.51.100.77")
        refused = body["data"]["login"]
        assert "token" not in refused and refused["message"] == INVALID_CREDENTIALS_MESSAGE, body
        assert await audit_ips(api, "user.lockout") == ["127.0.0.1"]


@pytest.mark.timeout(120)
async def test_a_trusted_proxys_header_is_honoured_right_most_untrusted_hop(tmp_path: Path) -> None:
    async with real_server(tmp_path) as api:  # default: a proxy on this host (loopback) is trusted
        await api.make_user(Role.ADMIN, "echt", "richtig-123")
        # The client wrote a fake first hop; our proxy appended the address it really saw.
        for _ in range(FREE_FAILURES):
            await login_as(api, "echt", "falsch", "1.2.3.4, 203.0.113.9")
        assert await audit_ips(api, "user.lockout") == ["203.0.113.9"]
        # Another real client behind the same proxy is a different source: not throttled.
        body = await login_as(api, "echt", "richtig-123", "1.2.3.4, 198.51.100.20")
        assert body["data"]["login"]["token"], body
        async with api.container.db.session() as session:
            token = await session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
            assert token is not None and token.created_ip == "198.51.100.20"
        # And an API token created through the proxy records the real client too.
        created = (
            await api.client.post(
                "/graphql",
                json={"query": 'mutation { createApiToken(name: "sync") { __typename } }'},
                headers={
                    "Authorization": f"Bearer {body['data']['login']['token']}",
                    "X-Forwarded-For": "198.51.100.21",
                },
            )
        ).json()
        assert created["data"]["createApiToken"]["__typename"] == "CreatedApiToken", created
        assert await audit_ips(api, "api_token.create") == ["198.51.100.21"]
