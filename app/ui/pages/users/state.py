"""The users page's data: the user list as the table shows it, and what each row offers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.enums import Role
from app.domain.users.tokens import Principal
from app.ui import gql
from app.ui.format import fmt_datetime
from app.ui.i18n import t
from app.ui.layout import ROLE_COLORS

USER_FIELDS = (
    "id username email role isActive lastLoginAt lastPasswordChangeAt failedLoginAttempts lastFailedLoginAt "
    "lockedUntil deactivatedAt deactivatedBy createdAt"
)
USER_RESULT = f"{{ __typename ... on User {{ {USER_FIELDS} }} ... on Error {{ message code }} }}"


def role_of(value: str) -> Role:
    return Role(str(value).lower())


class UsersView:
    """The loaded users and the page's reload (set by the page once the table and stats exist)."""

    def __init__(self, me: Principal) -> None:
        self.me = me
        self.users: list[dict[str, Any]] = []
        self.redraw: Callable[[], None] = lambda: None

    async def load(self) -> None:
        data = await gql.gql(f"query {{ users {{ {USER_FIELDS} }} }}")
        self.users[:] = data["users"]

    async def reload(self) -> None:
        await self.load()
        self.redraw()

    def find(self, user_id: int) -> dict[str, Any] | None:
        return next((u for u in self.users if u["id"] == user_id), None)

    def row_actions(self, user: dict[str, Any]) -> list[dict[str, str]]:
        own = user["id"] == self.me.user_id
        actions = [{"name": "details", "icon": "info", "color": "grey-8", "label": t("users.details")}]
        actions.append({"name": "edit", "icon": "edit", "color": "primary", "label": t("common.edit")})
        if not own:
            actions.append({"name": "reset", "icon": "key", "color": "primary", "label": t("users.reset_password")})
            # Failed logins may have throttled some sources even without the account-wide lock.
            if user.get("lockedUntil") or user.get("failedLoginAttempts"):
                actions.append({"name": "unlock", "icon": "lock_open", "color": "warning", "label": t("users.unlock")})
            if self.me.has(Role.SUPERADMIN):
                actions.append({"name": "delete", "icon": "delete", "color": "negative", "label": t("common.delete")})
        return actions

    def rows(self) -> list[dict[str, Any]]:
        result = []
        for user in self.users:
            role = role_of(user["role"])
            result.append(
                {
                    **user,
                    "roleRank": role.rank,
                    "roleLabel": t(f"role.{role.value}"),
                    "roleColor": ROLE_COLORS[role],
                    "lastLogin": fmt_datetime(user.get("lastLoginAt")),
                    "emailLabel": user.get("email") or "–",
                    "locked": bool(user.get("lockedUntil")),
                    "username_label": user["username"]
                    + (f" {t('users.self_hint')}" if user["id"] == self.me.user_id else ""),
                    "actions": self.row_actions(user),
                }
            )
        return result
