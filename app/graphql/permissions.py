"""Role checks for resolvers. Anonymous callers may only `login` (and `health` over plain HTTP)."""

from __future__ import annotations

from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ForbiddenError
from app.domain.users.tokens import Principal
from app.graphql.context import Info


def require(info: Info, role: Role = Role.USER) -> Principal:
    """The caller, if logged in with at least `role`; raises a domain error otherwise."""
    principal = info.context.principal
    if principal is None:
        if info.context.unavailable is not None:
            raise info.context.unavailable
        raise AuthenticationError("Nicht angemeldet.")
    if not principal.has(role):
        raise ForbiddenError("Keine Berechtigung für diese Aktion.")
    return principal
