"""The dashboard's in-process GraphQL client: the same schema, permissions and validation as integrators.

Every call runs `schema.execute` with the logged-in user's principal (resolved from the bearer token kept in
the NiceGUI user storage). Failures become `GqlError` with the server's user-safe message, so a page can show
it in a toast instead of a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from graphql import ExecutionResult
from nicegui import app, background_tasks, context, storage
from nicegui.slot import Slot

from app.container import Container
from app.domain.users.tokens import Principal
from app.graphql.context import GraphQLContext
from app.graphql.error_codes import is_unavailable
from app.graphql.schema import schema
from app.ui import i18n

log = logging.getLogger(__name__)

_state: dict[str, Container] = {}

# The code of a missing, expired or revoked login: `extensions.code` of a top-level error, `code` of an `Error`.
UNAUTHENTICATED = "UNAUTHENTICATED"


class GqlError(Exception):
    """An expected failure with a message that is safe to show to the user."""

    def __init__(self, message: str, *, kind: str = "Error", code: str = "", blockers: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.code = code
        self.blockers = blockers or []


class NotAuthenticatedError(GqlError):
    """The session token is missing, expired or revoked: the user must log in again."""


def bind_container(container: Container) -> None:
    _state["container"] = container


def container() -> Container:
    try:
        return _state["container"]
    except KeyError:
        raise RuntimeError("the dashboard is not mounted (app.ui.mount installs it)") from None


def _stored_token() -> str | None:
    try:
        token = app.storage.user.get("token")
    except RuntimeError:
        return None
    return token if isinstance(token, str) and token else None


def browser_ip() -> str | None:
    """The address of the browser behind the current page, event or HTTP route.

    It is the page request's peer after uvicorn's proxy-header handling, so the same TRUSTED_PROXIES rule
    applies as for GraphQL over HTTP: login throttling and the audit log see the browser, not `None`.
    """
    stack = Slot.get_stack()
    if stack:
        try:
            return stack[-1].parent.client.ip or None
        except RuntimeError:  # a client without its request (NiceGUI's auto-index): fall through
            pass
    request = storage.request_contextvar.get()
    if request is not None and request.client is not None:
        return request.client.host or None
    return None


async def _context(token: str | None, client_ip: str | None = None) -> GraphQLContext:
    ctx = GraphQLContext(container(), client_ip=client_ip or browser_ip(), language=i18n.current_language())
    if token:
        try:
            await ctx.authenticate(f"Bearer {token}")
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # As over HTTP: the call answers SERVICE_UNAVAILABLE with a message the page can show.
            log.warning("event=ui_db_unavailable during=authenticate error=%s", type(exc).__name__)
            ctx.unavailable = exc
    return ctx


async def principal(token: str | None = None) -> Principal | None:
    """Who the stored (or given) token belongs to, or None when it no longer works."""
    token = token or _stored_token()
    if not token:
        return None
    return (await _context(token)).principal


def _raise_for(result: ExecutionResult) -> None:
    if not result.errors:
        return
    first = result.errors[0]
    message = first.message or i18n.t("common.error")
    code = str((first.extensions or {}).get("code") or "")
    if code == UNAUTHENTICATED:
        raise NotAuthenticatedError(message, kind="NotAuthenticated", code=code)
    if len(result.errors) > 1:
        log.info("event=ui_gql_errors count=%d first=%s", len(result.errors), message)
    raise GqlError(message, code=code)


async def gql(query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> dict[str, Any]:
    """Run a query or mutation as the logged-in user and return `data`; raises GqlError on errors."""
    ctx = await _context(token or _stored_token())
    result = await schema.execute(query, variable_values=variables or {}, context_value=ctx)
    _raise_for(result)
    return result.data or {}


def ok(payload: Any) -> dict[str, Any]:
    """A mutation's union result: the success member, or GqlError for a typed error member."""
    if not isinstance(payload, dict):
        raise GqlError("Unerwartete Antwort des Servers")
    typename = str(payload.get("__typename", ""))
    if "message" in payload and ("code" in payload or typename.endswith("Error")):
        code = str(payload.get("code") or "")
        error = NotAuthenticatedError if code == UNAUTHENTICATED else GqlError
        raise error(str(payload["message"]), kind=typename, code=code, blockers=list(payload.get("blockers") or []))
    return payload


LiveHandler = Callable[[], Awaitable[None] | None]


async def subscribe(
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    client_ip: str | None = None,
    on_live: LiveHandler | None = None,
    token: str | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Each update of a subscription as `data`; ends when the server ends the stream.

    `on_live` runs once the subscription is registered with the bus, before the first update is handed out:
    whatever it re-reads then is exact, because every later change arrives as an update.
    """
    ctx = await _context(token or _stored_token(), client_ip)
    stream = await schema.subscribe(query, variable_values=variables or {}, context_value=ctx)
    if isinstance(stream, ExecutionResult):
        _raise_for(stream)
        return
    # The resolver registers with the bus only when the stream is first awaited: await it in the background and
    # wait for the registration (or for the stream to answer or end first).
    first = asyncio.ensure_future(anext(stream, None))
    try:
        live = asyncio.ensure_future(ctx.live.wait())
        await asyncio.wait({first, live}, return_when=asyncio.FIRST_COMPLETED)
        live.cancel()
        if on_live is not None and ctx.live.is_set():
            outcome = on_live()
            if asyncio.iscoroutine(outcome):
                await outcome
        result = await first
        while result is not None:
            if result.errors:
                log.info("event=ui_subscription_error message=%s", result.errors[0].message)
            elif result.data:
                yield result.data
            result = await anext(stream, None)
    finally:
        first.cancel()
        with contextlib.suppress(Exception):
            await stream.aclose()


UpdateHandler = Callable[[dict[str, Any]], Awaitable[None] | None]


def follow(
    query: str,
    variables: dict[str, Any] | None,
    handler: UpdateHandler,
    *,
    on_live: LiveHandler | None = None,
    retry_seconds: float = 5,
) -> None:
    """Keep a subscription running for the current browser tab and call `handler` with each update.

    The task ends with the tab; if the stream breaks (server restart, bus hiccup) it resubscribes. `on_live`
    runs each time the subscription is registered (also after a resubscription): the moment to re-read what
    the page shows, so nothing changed between the page's first read (or the break) and the registration is
    missed.
    """
    client = context.client
    ip = browser_ip()

    async def run() -> None:
        while True:
            try:
                async for data in subscribe(query, variables, client_ip=ip, on_live=on_live):
                    if client.is_deleted:
                        return
                    outcome = handler(data)
                    if asyncio.iscoroutine(outcome):
                        await outcome
            except asyncio.CancelledError:
                raise
            except NotAuthenticatedError:
                return
            except GqlError as exc:  # refused (e.g. the subscription quota): one line, then try again later
                log.info("event=ui_subscription_refused message=%s", exc.message)
            except Exception:
                log.exception("event=ui_subscription_failed")
            if client.is_deleted:
                return
            await asyncio.sleep(retry_seconds)

    task = background_tasks.create(run(), name="ui-subscription", context=client)
    client.on_delete(task.cancel)
