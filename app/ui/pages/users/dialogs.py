"""The users page's dialogs: create, edit, reset password, delete and details of one user."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.actions import closed
from app.ui.format import fmt_datetime
from app.ui.i18n import t
from app.ui.layout import MIN_PASSWORD_LENGTH, notify_error
from app.ui.layout import run_action as run
from app.ui.pages.users.state import USER_RESULT as _USER_RESULT
from app.ui.pages.users.state import UsersView, role_of

ROLE_ORDER = (Role.USER, Role.EDITOR, Role.ADMIN, Role.SUPERADMIN)


def _role_options(me: Role) -> dict[str, str]:
    return {r.value.upper(): t(f"role.{r.value}") for r in ROLE_ORDER if me.at_least(r)}


def _dialog_buttons(dialog: ui.dialog, label: str, on_save: Any, *, danger: bool = False) -> None:
    with ui.row().classes("w-full justify-end"):
        ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
        ui.button(label, on_click=on_save, color="negative" if danger else "primary").props(
            'data-testid="user-dialog-save"'
        )


async def user_mutation(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


def create_dialog(view: UsersView) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(t("users.new")).classes("text-lg font-medium")
        username = ui.input(t("login.username")).classes("w-full").props('data-testid="user-username"')
        password = ui.input(
            t("login.password"),
            password=True,
            validation={t("password.too_short"): lambda v: len(v or "") >= MIN_PASSWORD_LENGTH},
        ).classes("w-full")
        password.props('data-testid="user-password"')
        role = ui.select(_role_options(view.me.role), value="USER", label=t("users.role")).classes("w-full")
        role.props('data-testid="user-role"')
        active = ui.switch(t("users.is_active"), value=True)

        async def save() -> None:
            if len(password.value or "") < MIN_PASSWORD_LENGTH:
                notify_error(t("password.too_short"))
                return
            result = await run(
                lambda: user_mutation(
                    f"mutation($i: CreateUserInput!) {{ createUser(input: $i) {_USER_RESULT} }}",
                    {
                        "i": {
                            "username": (username.value or "").strip(),
                            "password": password.value,
                            "role": role.value,
                            "isActive": active.value,
                        }
                    },
                    "createUser",
                ),
                success=t("common.saved"),
            )
            if result:
                with closed(dialog):
                    await view.reload()

        _dialog_buttons(dialog, t("common.create"), save)
    dialog.on("hide", dialog.delete)
    dialog.open()


def edit_dialog(view: UsersView, user: dict[str, Any]) -> None:
    own = user["id"] == view.me.user_id
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(f"{t('common.edit')}: {user['username']}").classes("text-lg font-medium")
        username = ui.input(t("login.username"), value=user["username"]).classes("w-full")
        role = ui.select(_role_options(view.me.role), value=user["role"], label=t("users.role")).classes("w-full")
        active = ui.switch(t("users.is_active"), value=user["isActive"])
        if own:  # self-protection: no own role change, no self-deactivation
            role.disable()
            active.disable()

        async def save() -> None:
            changes: dict[str, Any] = {}
            if (username.value or "").strip() != user["username"]:
                changes["username"] = (username.value or "").strip()
            if not own and role.value != user["role"]:
                changes["role"] = role.value
            if not own and active.value != user["isActive"]:
                changes["isActive"] = active.value
            if not changes:
                dialog.close()
                return
            result = await run(
                lambda: user_mutation(
                    f"mutation($id: Int!, $i: UpdateUserInput!) {{ updateUser(id: $id, input: $i) {_USER_RESULT} }}",
                    {"id": user["id"], "i": changes},
                    "updateUser",
                ),
                success=t("common.saved"),
            )
            if result:
                with closed(dialog):
                    await view.reload()

        _dialog_buttons(dialog, t("common.save"), save)
    dialog.on("hide", dialog.delete)
    dialog.open()


def reset_dialog(view: UsersView, user: dict[str, Any]) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(f"{t('users.reset_password')}: {user['username']}").classes("text-lg font-medium")
        new = ui.input(t("password.new"), password=True).classes("w-full").props('data-testid="user-new-password"')
        confirm = ui.input(t("password.confirm"), password=True).classes("w-full")

        async def save() -> None:
            if len(new.value or "") < MIN_PASSWORD_LENGTH:
                notify_error(t("password.too_short"))
                return
            if new.value != confirm.value:
                notify_error(t("password.mismatch"))
                return
            result = await run(
                lambda: user_mutation(
                    f"mutation($id: Int!, $p: String!) {{ resetUserPassword(id: $id, newPassword: $p) "
                    f"{_USER_RESULT} }}",
                    {"id": user["id"], "p": new.value},
                    "resetUserPassword",
                ),
                success=t("password.changed"),
            )
            if result:
                dialog.close()

        _dialog_buttons(dialog, t("common.save"), save)
    dialog.on("hide", dialog.delete)
    dialog.open()


def delete_dialog(view: UsersView, user: dict[str, Any]) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(t("users.delete_confirm", name=user["username"]))

        async def save() -> None:
            result = await run(
                lambda: user_mutation(
                    "mutation($id: Int!) { deleteUser(id: $id) { __typename ... on DeletedUser { id } "
                    "... on Error { message code } } }",
                    {"id": user["id"]},
                    "deleteUser",
                ),
                success=t("common.deleted"),
            )
            if result:
                with closed(dialog):
                    await view.reload()

        _dialog_buttons(dialog, t("common.delete"), save, danger=True)
    dialog.on("hide", dialog.delete)
    dialog.open()


def details_dialog(view: UsersView, user: dict[str, Any]) -> None:
    deactivated_by = view.find(user["deactivatedBy"]) if user.get("deactivatedBy") else None
    facts = (
        (t("users.role"), t(f"role.{role_of(user['role']).value}")),
        (t("users.is_active"), t("common.yes") if user["isActive"] else t("common.no")),
        (t("users.last_login"), fmt_datetime(user.get("lastLoginAt"))),
        (t("users.password_changed_at"), fmt_datetime(user.get("lastPasswordChangeAt"))),
        (t("users.failed_logins"), str(user.get("failedLoginAttempts", 0))),
        (t("users.last_failed_login"), fmt_datetime(user.get("lastFailedLoginAt"))),
        (t("users.deactivated_at"), fmt_datetime(user.get("deactivatedAt"))),
        (
            t("users.deactivated_by"),
            deactivated_by["username"] if deactivated_by else str(user.get("deactivatedBy") or "–"),
        ),
    )
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(user["username"]).classes("text-lg font-medium")
        for label, value in facts:
            with ui.row().classes("w-full no-wrap"):
                ui.label(label).classes("is-muted w-44 shrink-0")
                ui.label(value)
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.close"), on_click=dialog.close).props("flat")
    dialog.on("hide", dialog.delete)
    dialog.open()
