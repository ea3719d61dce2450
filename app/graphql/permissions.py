"""The login check for the few resolvers that call no use case (version, health).

Authorisation of everything else is the domain's (`app.domain.usecase.require_role` in each use case or
query function); this only translates "who is calling" the same way for the system fields.
"""

from __future__ import annotations

from app.domain.enums import Role
from app.domain.usecase import require_role
from app.domain.users.tokens import Principal
from app.graphql.caller import caller
from app.graphql.context import Info


def require(info: Info, role: Role = Role.USER) -> Principal:
    """The caller, if logged in with at least `role`; raises `auth.required` / `auth.forbidden` otherwise."""
    return require_role(caller(info), role)
