"""How a resolver calls a use case: who is calling (`caller`, with their address) and the typed-error translation.

The resolver translates its arguments into the use case's command, calls it with `caller(info)` and hands
the outcome through `outcome(...)` (= `app.graphql.errors.as_result`): an expected failure (`DomainError`)
becomes the typed error member of the mutation's union; not being logged in stays a top-level error
(`extensions.code = UNAUTHENTICATED`), like for every query. Authorisation is the use case's
(`require_role`), never the resolver's.
"""

from __future__ import annotations

from app.domain.errors import AuthenticationError
from app.domain.users.tokens import Principal
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import as_result

__all__ = ["caller", "logged_in", "outcome"]

outcome = as_result


def logged_in(info: Info) -> Principal:
    """`caller(info)` for use cases where None would mean the system itself: anonymous is refused here."""
    principal = caller(info)
    if principal is None:
        raise AuthenticationError("auth.required")
    return principal
