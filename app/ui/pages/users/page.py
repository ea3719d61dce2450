"""Benutzer: the user grid with stats and the create / edit / reset / (de)activate / delete / details dialogs.

The server enforces every role rule; the page only offers what the rules allow (an admin sees no superadmins
and cannot hand out the superadmin role, nobody edits their own role or deactivates or deletes themselves).
This module holds the route and composes the stats, the table and the dialogs (`dialogs`); the data is in
`state`.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui.i18n import t
from app.ui.layout import PageContext, page_heading, protected_page
from app.ui.layout import run_action as run
from app.ui.pages.users.dialogs import (
    create_dialog,
    delete_dialog,
    details_dialog,
    edit_dialog,
    reset_dialog,
    user_mutation,
)
from app.ui.pages.users.state import USER_RESULT as _USER_RESULT
from app.ui.pages.users.state import UsersView

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
         :title="a.label" :aria-label="a.label" :data-testid="'user-' + a.name + '-' + props.row.username"
         @click.stop="() => $parent.$emit('user_action', {action: a.name, id: props.row.id})" />
</q-td>
"""


@protected_page("/users", nav="nav.users", min_role=Role.ADMIN)
async def users_page(ctx: PageContext) -> None:
    view = UsersView(ctx.principal)
    await view.load()
    with ui.row().classes("w-full items-center"):
        page_heading(t("users.title"))
        ui.space()
        ui.button(t("users.new"), icon="person_add", on_click=lambda: create_dialog(view)).props(
            'data-testid="user-new"'
        )
    stats = _stats(view)
    table = _table(view)

    def redraw() -> None:
        stats.refresh()
        table.rows = view.rows()
        table.update()

    view.redraw = redraw


def _stats(view: UsersView) -> Any:
    @ui.refreshable
    def stats() -> None:
        users = view.users
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

    stats()
    return stats


def _table(view: UsersView) -> ui.table:
    columns = [
        {"name": "id", "label": "ID", "field": "id", "sortable": True, "align": "left"},
        {
            "name": "username",
            "label": t("login.username"),
            "field": "username_label",
            "sortable": True,
            "align": "left",
        },
        {"name": "email", "label": t("profile.email"), "field": "emailLabel", "sortable": True, "align": "left"},
        {"name": "role", "label": t("users.role"), "field": "roleRank", "sortable": True, "align": "left"},
        {"name": "active", "label": t("users.is_active"), "field": "isActive", "align": "left"},
        {"name": "lastLogin", "label": t("users.last_login"), "field": "lastLogin", "align": "left"},
        {"name": "actions", "label": "", "field": "id"},
    ]
    table = ui.table(columns=columns, rows=view.rows(), row_key="id", pagination=20).classes("w-full")
    table.props('flat bordered data-testid="users-table"')
    table.add_slot("body-cell-role", _ROLE_SLOT)
    table.add_slot("body-cell-active", _ACTIVE_SLOT)
    table.add_slot("body-cell-actions", _ACTIONS_SLOT)
    table.on("user_action", lambda e: _on_action(view, e.args if isinstance(e.args, dict) else {}))
    return table


async def _unlock(view: UsersView, user: dict[str, Any]) -> None:
    result = await run(
        lambda: user_mutation(
            f"mutation($id: Int!) {{ unlockUser(id: $id) {_USER_RESULT} }}", {"id": user["id"]}, "unlockUser"
        ),
        success=t("common.saved"),
    )
    if result:
        await view.reload()


async def _on_action(view: UsersView, args: dict[str, Any]) -> None:
    user = view.find(int(args.get("id", 0)))
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
        await _unlock(view, user)
    elif action in handlers:
        handlers[action](view, user)
