"""How a resolver calls a use case: who is calling (with their address) and the typed-error translation.

The resolver translates its arguments into the use case's command, calls it with `caller(info)` and hands
the outcome through `outcome(...)`: an expected failure (`DomainError`) becomes the typed error member of
the mutation's union; not being logged in stays a top-level error (`extensions.code = UNAUTHENTICATED`),
like for every query. Authorisation is the use case's (`require_role`), never the resolver's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from typing import TypeVar

from app.domain.errors import AuthenticationError, DomainError
from app.domain.users.tokens import Principal
from app.graphql.context import Info
from app.graphql.errors import Error, to_graphql_error

T = TypeVar("T")


def caller(info: Info) -> Principal | None:
    """The logged-in principal carrying the request's client address (None when anonymous)."""
    principal = info.context.principal
    if principal is None:
        return None
    return dataclasses.replace(principal, ip=info.context.client_ip)


def logged_in(info: Info) -> Principal:
    """`caller(info)` for use cases where None would mean the system itself: anonymous is refused here."""
    principal = caller(info)
    if principal is None:
        raise AuthenticationError("auth.required")
    return principal


async def outcome(call: Awaitable[T]) -> T | Error:
    """Await the use case; a DomainError becomes its typed GraphQL error (not-logged-in is re-raised)."""
    try:
        return await call
    except AuthenticationError:
        raise
    except DomainError as exc:
        return to_graphql_error(exc)
