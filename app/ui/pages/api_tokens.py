"""API-Tokens (admin+): the caller's tokens for scripts and integrations — list, create (shown once), revoke."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.ui import gql
from app.ui.format import fmt_datetime
from app.ui.i18n import t
from app.ui.layout import PageContext, notify_error, page_heading, protected_page, run_action

TOKEN_FIELDS = "id name role tokenPrefix username createdAt expiresAt lastUsedAt"
LIST = f"{{ tokens: apiTokens {{ {TOKEN_FIELDS} }} }}"
LIST_ALL = f"{{ tokens: allApiTokens {{ {TOKEN_FIELDS} }} }}"  # superadmin: every account's tokens
CREATE = (
    "mutation ($name: String!, $role: Role, $days: Int) { createApiToken(name: $name, role: $role,"
    " expiresInDays: $days) { __typename ... on CreatedApiToken { token } ... on Error { message code } } }"
)
REVOKE = "mutation ($id: Int!) { revokeApiToken(id: $id) { __typename ... on Error { message code } } }"


def _rows(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": tok["id"],
            "name": tok["name"] or "",
            "owner": tok["username"],
            "role": t(f"role.{str(tok['role']).lower()}") if tok["role"] else "",
            "prefix": f"{tok['tokenPrefix']}…",
            "created": fmt_datetime(tok["createdAt"]),
            "expires": fmt_datetime(tok["expiresAt"]) if tok["expiresAt"] else "–",
            "used": fmt_datetime(tok["lastUsedAt"]) if tok["lastUsedAt"] else t("tokens.never"),
        }
        for tok in tokens
    ]


def _columns(with_owner: bool) -> list[dict[str, Any]]:
    names = [
        ("name", "tokens.name"),
        *([("owner", "tokens.owner")] if with_owner else []),
        ("role", "tokens.role"),
        ("prefix", "Token"),
        ("created", "tokens.created_at"),
        ("expires", "tokens.expires_at"),
        ("used", "tokens.last_used"),
    ]
    columns = [{"name": n, "label": t(k), "field": n, "align": "left"} for n, k in names]
    return [*columns, {"name": "actions", "label": "", "field": "id", "align": "right"}]


def _show_once(token: str) -> None:
    with ui.dialog().props("persistent") as dialog, ui.card().classes("w-[36rem] max-w-full"):
        ui.label(t("tokens.created_title")).classes("text-lg font-medium")
        ui.label(t("tokens.shown_once")).classes("text-warning")
        ui.input(value=token).props('readonly outlined dense data-testid="token-secret"').classes("w-full font-mono")

        def copy() -> None:
            ui.clipboard.write(token)
            ui.notify(t("tokens.copied"), type="positive")

        with ui.row().classes("w-full justify-end"):
            ui.button(t("tokens.copy"), icon="content_copy", on_click=copy).props('flat data-testid="token-copy"')
            ui.button(t("tokens.done"), on_click=dialog.close).props('data-testid="token-done"')
    dialog.open()


def _create_dialog(ctx: PageContext, reload: Any) -> ui.dialog:
    roles = [r for r in Role if ctx.principal.role.at_least(r)]
    with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(t("tokens.new")).classes("text-lg font-medium")
        name = ui.input(t("tokens.name")).props('data-testid="token-name"').classes("w-full")
        role = ui.select({r.value: t(f"role.{r.value}") for r in roles}, value=ctx.principal.role.value).props(
            'data-testid="token-role"'
        )
        role.props(f'label="{t("tokens.role")}"').classes("w-full")
        days = ui.number(t("tokens.days"), min=1, max=3650, precision=0).props('data-testid="token-days"')
        days.classes("w-full")

        async def submit() -> None:
            if not (name.value or "").strip():
                notify_error(t("tokens.name"))
                return

            async def create() -> str:
                variables = {
                    "name": name.value.strip(),
                    "role": str(role.value).upper(),
                    "days": int(days.value) if days.value else None,
                }
                return str(gql.ok((await gql.gql(CREATE, variables))["createApiToken"])["token"])

            token = await run_action(create)
            if isinstance(token, str):
                dialog.close()
                name.value = ""
                days.value = None
                _show_once(token)
                await reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(t("tokens.create"), on_click=submit).props('data-testid="token-create"')
    return dialog


@protected_page("/api-tokens", nav="nav.api_tokens", min_role=Role.ADMIN)
async def api_tokens_page(ctx: PageContext) -> None:
    page_heading(t("nav.api_tokens"))
    ui.label(t("tokens.intro")).classes("is-muted")
    everyone = ctx.can(Role.SUPERADMIN)
    query = LIST_ALL if everyone else LIST

    async def reload() -> None:
        table.rows = _rows((await gql.gql(query))["tokens"])
        table.update()

    def confirm_revoke(row: dict[str, Any]) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label(t("tokens.revoke_confirm", name=row["name"]))

            async def go() -> None:
                dialog.close()
                revoke = gql.gql(REVOKE, {"id": int(row["id"])})
                if await run_action(lambda: _revoked(revoke), success=t("tokens.revoked")):
                    await reload()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("tokens.revoke"), on_click=go, color="negative").props('data-testid="confirm-yes"')
        dialog.open()

    create = _create_dialog(ctx, reload)
    ui.button(t("tokens.new"), icon="add", on_click=create.open).props('data-testid="token-new"')
    rows = _rows((await gql.gql(query))["tokens"])
    table = ui.table(columns=_columns(everyone), rows=rows, row_key="id").classes("w-full")
    table.props(f'flat dense data-testid="tokens-table" no-data-label="{t("tokens.empty")}"')
    table.add_slot(
        "body-cell-actions",
        '<q-td :props="props"><q-btn flat dense color="negative" icon="block" '
        f":aria-label=\"'{t('tokens.revoke')}'\" :data-testid=\"'token-revoke-' + props.row.name\" "
        "@click=\"$parent.$emit('revoke', props.row)\" /></q-td>",
    )
    table.on("revoke", lambda e: confirm_revoke(e.args))


async def _revoked(call: Any) -> dict[str, Any]:
    return gql.ok((await call)["revokeApiToken"])
