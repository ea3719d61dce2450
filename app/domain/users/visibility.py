"""Which accounts a caller may see and manage: admins never see superadmins; superadmins see all."""

from __future__ import annotations

from app.domain.enums import Role
from app.domain.users.tokens import Principal

_ADMIN_VISIBLE = frozenset({Role.USER, Role.EDITOR, Role.ADMIN})
_ALL = frozenset(Role)


def visible_roles(principal: Principal) -> frozenset[Role]:
    if principal.has(Role.SUPERADMIN):
        return _ALL
    if principal.has(Role.ADMIN):
        return _ADMIN_VISIBLE
    return frozenset()


def can_assign(principal: Principal, role: Role) -> bool:
    """Whether the caller may give an account `role` (admins cannot create or promote superadmins)."""
    return role in visible_roles(principal)
