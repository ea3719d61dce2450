"""Who a resolver acts for: the request's principal with the caller's address (for the audit trail)."""

from __future__ import annotations

import dataclasses

from app.domain.users.tokens import Principal
from app.graphql.context import Info


def caller(info: Info) -> Principal | None:
    """The logged-in principal carrying `client_ip`, or None (the use case refuses anonymous callers).

    When the token could not be checked because the database is unreachable, that error is raised here, so
    the caller gets SERVICE_UNAVAILABLE instead of "not logged in".
    """
    principal = info.context.principal
    if principal is None and info.context.unavailable is not None:
        raise info.context.unavailable
    if principal is None or principal.ip == info.context.client_ip:
        return principal
    return dataclasses.replace(principal, ip=info.context.client_ip)
