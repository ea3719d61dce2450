"""Benutzer: the user grid with stats and the create / edit / reset / (de)activate / delete / details dialogs.

The server enforces every role rule; the page only offers what the rules allow (an admin sees no superadmins
and cannot hand out the superadmin role, nobody edits their own role or deactivates or deletes themselves).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_datetime
from app.ui.i18n import t
from app.ui.layout import MIN_PASSWORD_LENGTH, ROLE_COLORS, PageContext, notify_error, page_heading, protected_page
from app.ui.layout import run_action as run

USER_FIELDS = (
    "id username role isActive lastLoginAt lastPasswordChangeAt failedLoginAttempts lastFailedLoginAt lockedUntil "
    "deactivatedAt deactivatedBy createdAt"
)
ROLE_ORDER = (Role.USER, Role.EDITOR, Role.ADMIN, Role.SUPERADMIN)
_USER_RESULT = f"{{ __typename ... on User {{ {USER_FIELDS} }} ... on Error {{ message code reason }} }}"

_ROLE_SLOT = r"""
<q-td :props="props">
  <q-badge :color="props.row.roleColor" :label="props.row.roleLabel" />
</q-td>
"""
_ACTIVE_SLOT = r"""
<q-td :props="props">
  <q-icon :name="props.row.isActive ? 'check_circle' : 'cancel'" :color="props.row.isActive ? 'positive' : 'grey'" />
  <q-icon v-if="props.row.locked" name="lock" color="warning" class="q-ml-xs" />
</q-td>
"""
_ACTIONS_SLOT = r"""
<q-td :props="props" auto-width>
  <q-btn v-for="a in props.row.actions" :key="a.name" flat dense round size="sm" :icon="a.icon" :color="a.color"
         :title="a.label" :data-testid="'user-' + a.name + '-' + props.row.username"
         @click.stop="() => $parent.$emit('user_action', {action: a.name, id: props.row.id})" />
</q-td>
"""


def _role_options(me: Role) -> dict[str, str]:
    return {r.value.upper(): t(f"role.{r.value}") for r in ROLE_ORDER if me.at_least(r)}


def _dialog_buttons(dialog: ui.dialog, label: str, on_save: Any, *, danger: bool = False) -> None:
    with ui.row().classes("w-full justify-end"):
        ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
        ui.button(label, on_click=on_save, color="negative" if danger else "primary").props(
            'data-testid="user-dialog-save"'
        )


async def _user_mutation(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


@protected_page("/users", nav="nav.users", min_role=Role.ADMIN)
async def users_page(ctx: PageContext) -> None:
    me = ctx.principal
    users: list[dict[str, Any]] = []

    async def load() -> None:
        data = await gql.gql(f"query {{ users {{ {USER_FIELDS} }} }}")
        users[:] = data["users"]

    def row_actions(user: dict[str, Any]) -> list[dict[str, str]]:
        own = user["id"] == me.user_id
        actions = [{"name": "details", "icon": "info", "color": "grey-8", "label": t("users.details")}]
        actions.append({"name": "edit", "icon": "edit", "color": "primary", "label": t("common.edit")})
        if not own:
            actions.append({"name": "reset", "icon": "key", "color": "primary", "label": t("users.reset_password")})
            # Failed logins may have throttled some sources even without the account-wide lock.
            if user.get("lockedUntil") or user.get("failedLoginAttempts"):
                actions.append({"name": "unlock", "icon": "lock_open", "color": "warning", "label": t("users.unlock")})
            if me.has(Role.SUPERADMIN):
                actions.append({"name": "delete", "icon": "delete", "color": "negative", "label": t("common.delete")})
        return actions

    def rows() -> list[dict[str, Any]]:
        result = []
        for user in users:
            role = session_role(user["role"])
            result.append(
                {
                    **user,
                    "roleRank": role.rank,
                    "roleLabel": t(f"role.{role.value}"),
                    "roleColor": ROLE_COLORS[role],
                    "lastLogin": fmt_datetime(user.get("lastLoginAt")),
                    "locked": bool(user.get("lockedUntil")),
                    "username_label": user["username"]
                    + (f" {t('users.self_hint')}" if user["id"] == me.user_id else ""),
                    "actions": row_actions(user),
                }
            )
        return result

    def session_role(value: str) -> Role:
        return Role(str(value).lower())

    @ui.refreshable
    def stats() -> None:
        active = sum(1 for u in users if u["isActive"])
        with ui.row().classes("w-full gap-3"):
            for label, value, color, testid in (
                (t("users.total"), len(users), "primary", "total"),
                (t("users.active"), active, "positive", "active"),
                (t("users.inactive"), len(users) - active, "grey-7", "inactive"),
            ):
                with ui.card().classes("is-stat items-center p-3"):
                    ui.label(str(value)).classes(f"text-3xl font-bold text-{color}").props(
                        f'data-testid="users-stat-{testid}"'
                    )
                    ui.label(label).classes("is-muted text-sm")

    async def reload() -> None:
        await load()
        stats.refresh()
        table.rows = rows()
        table.update()

    def find(user_id: int) -> dict[str, Any] | None:
        return next((u for u in users if u["id"] == user_id), None)

    # --- dialogs -----------------------------------------------------------------------------------
    def create_dialog() -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("users.new")).classes("text-lg font-medium")
            username = ui.input(t("login.username")).classes("w-full").props('data-testid="user-username"')
            password = ui.input(
                t("login.password"),
                password=True,
                validation={t("password.too_short"): lambda v: len(v or "") >= MIN_PASSWORD_LENGTH},
            ).classes("w-full")
            password.props('data-testid="user-password"')
            role = ui.select(_role_options(me.role), value="USER", label=t("users.role")).classes("w-full")
            role.props('data-testid="user-role"')
            active = ui.switch(t("users.is_active"), value=True)

            async def save() -> None:
                if len(password.value or "") < MIN_PASSWORD_LENGTH:
                    notify_error(t("password.too_short"))
                    return
                result = await run(
                    lambda: _user_mutation(
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
                    dialog.close()
                    await reload()

            _dialog_buttons(dialog, t("common.create"), save)
        dialog.on("hide", dialog.delete)
        dialog.open()

    def edit_dialog(user: dict[str, Any]) -> None:
        own = user["id"] == me.user_id
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(f"{t('common.edit')}: {user['username']}").classes("text-lg font-medium")
            username = ui.input(t("login.username"), value=user["username"]).classes("w-full")
            role = ui.select(_role_options(me.role), value=user["role"], label=t("users.role")).classes("w-full")
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
                    lambda: _user_mutation(
                        f"mutation($id: Int!, $i: UpdateUserInput!) {{ updateUser(id: $id, input: $i) "
                        f"{_USER_RESULT} }}",
                        {"id": user["id"], "i": changes},
                        "updateUser",
                    ),
                    success=t("common.saved"),
                )
                if result:
                    dialog.close()
                    await reload()

            _dialog_buttons(dialog, t("common.save"), save)
        dialog.on("hide", dialog.delete)
        dialog.open()

    def reset_dialog(user: dict[str, Any]) -> None:
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
                    lambda: _user_mutation(
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

    def delete_dialog(user: dict[str, Any]) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("users.delete_confirm", name=user["username"]))

            async def save() -> None:
                result = await run(
                    lambda: _user_mutation(
                        "mutation($id: Int!) { deleteUser(id: $id) { __typename ... on DeletedUser { id } "
                        "... on Error { message code reason } } }",
                        {"id": user["id"]},
                        "deleteUser",
                    ),
                    success=t("common.deleted"),
                )
                if result:
                    dialog.close()
                    await reload()

            _dialog_buttons(dialog, t("common.delete"), save, danger=True)
        dialog.on("hide", dialog.delete)
        dialog.open()

    def details_dialog(user: dict[str, Any]) -> None:
        deactivated_by = find(user["deactivatedBy"]) if user.get("deactivatedBy") else None
        facts = (
            (t("users.role"), t(f"role.{session_role(user['role']).value}")),
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

    async def unlock(user: dict[str, Any]) -> None:
        result = await run(
            lambda: _user_mutation(
                f"mutation($id: Int!) {{ unlockUser(id: $id) {_USER_RESULT} }}", {"id": user["id"]}, "unlockUser"
            ),
            success=t("common.saved"),
        )
        if result:
            await reload()

    async def on_action(args: dict[str, Any]) -> None:
        user = find(int(args.get("id", 0)))
        if user is None:
            return
        handlers = {
            "edit": edit_dialog,
            "reset": reset_dialog,
            "delete": delete_dialog,
            "details": details_dialog,
        }
        action = str(args.get("action"))
        if action == "unlock":
            await unlock(user)
        elif action in handlers:
            handlers[action](user)

    # --- page --------------------------------------------------------------------------------------
    await load()
    with ui.row().classes("w-full items-center"):
        page_heading(t("users.title"))
        ui.space()
        ui.button(t("users.new"), icon="person_add", on_click=create_dialog).props('data-testid="user-new"')
    stats()
    columns = [
        {"name": "id", "label": "ID", "field": "id", "sortable": True, "align": "left"},
        {
            "name": "username",
            "label": t("login.username"),
            "field": "username_label",
            "sortable": True,
            "align": "left",
        },
        {"name": "role", "label": t("users.role"), "field": "roleRank", "sortable": True, "align": "left"},
        {"name": "active", "label": t("users.is_active"), "field": "isActive", "align": "left"},
        {"name": "lastLogin", "label": t("users.last_login"), "field": "lastLogin", "align": "left"},
        {"name": "actions", "label": "", "field": "id"},
    ]
    table = ui.table(columns=columns, rows=rows(), row_key="id", pagination=20).classes("w-full")
    table.props('flat bordered data-testid="users-table"')
    table.add_slot("body-cell-role", _ROLE_SLOT)
    table.add_slot("body-cell-active", _ACTIVE_SLOT)
    table.add_slot("body-cell-actions", _ACTIONS_SLOT)
    table.on("user_action", lambda e: on_action(e.args if isinstance(e.args, dict) else {}))
