"""Serves the schema at /graphql: POST queries, GraphiQL on GET, graphql-transport-ws subscriptions."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import cached_property
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import HTTPConnection, Request
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from app.container import Container
from app.files.auth import TOKEN_COOKIE
from app.graphql.body_limit import GraphQLBodyLimit
from app.graphql.context import GraphQLContext
from app.graphql.error_codes import is_unavailable
from app.graphql.graphiql import ASSETS_DIR, ASSETS_URL, local_graphiql_html
from app.graphql.schema import schema
from app.http import register_routes
from app.messages import language_of

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_CONNECTION = 20


class _Router(GraphQLRouter[GraphQLContext, None]):
    def encode_json(self, data: object) -> str:
        # orjson is ~5x faster than json for fleet-sized responses; it refuses integers beyond 64 bits
        # (possible inside a display's JSON hardware_info), which the standard encoder still writes.
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization")
        if await context.authenticate(header if isinstance(header, str) else None) is None:
            raise ConnectionRejectionError({"reason": "authentication required"})
        return None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._ide_html)

    @cached_property
    def _ide_html(self) -> str:
        return local_graphiql_html()


def _client_ip(conn: HTTPConnection) -> str | None:
    # The peer after uvicorn's proxy-header handling: only TRUSTED_PROXIES may name another address.
    return conn.client.host if conn.client else None


def _authorization(conn: HTTPConnection) -> str | None:
    """The bearer header, or for JSON POSTs the dashboard's cookie (so GraphiQL works after logging in).

    JSON bodies cannot be sent cross-site without a CORS preflight (which this server never grants), and the
    cookie is SameSite=Lax, so accepting it here opens no cross-site request forgery.
    """
    header = conn.headers.get("authorization")
    if header:
        return header
    content_type = (conn.headers.get("content-type") or "").lower()
    cookie = (conn.cookies.get(TOKEN_COOKIE) or "").strip()
    if cookie and conn.scope.get("method") == "POST" and content_type.startswith("application/json"):
        return f"Bearer {cookie}"
    return None


@register_routes
def install_graphql(app: FastAPI, container: Container) -> None:
    async def get_context(conn: HTTPConnection) -> GraphQLContext:
        language = language_of(conn.headers.get("accept-language"))
        context = GraphQLContext(container, client_ip=_client_ip(conn), language=language)
        if conn.scope["type"] == "http":
            try:
                await context.authenticate(_authorization(conn))
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("event=graphql_db_unavailable during=authenticate error=%s", type(exc).__name__)
                context.unavailable = exc
        return context

    app.add_middleware(GraphQLBodyLimit, max_bytes=container.settings.graphql_max_body_kb * 1024)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="graphiql-assets")

    router: Any = _Router(
        schema,
        context_getter=get_context,
        graphql_ide="graphiql",
        # GraphQL multipart request spec (uploadMedia, importHolidays); the body size is capped in
        # app.files.upload_limit before it is parsed.
        multipart_uploads_enabled=True,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
    )
    app.include_router(router, prefix="/graphql")
