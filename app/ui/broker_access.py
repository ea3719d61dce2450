"""Per-display broker access in the dashboard: state badge, approve/rotate/revoke, the one-time credentials.

Shown only when the server manages broker accounts (`brokerAccountsManaged`, i.e. MQTT_DYNSEC_ENABLED):
without it the mutations would only answer with a validation error. The password exists exactly once, in
the approve/rotate answer; the credentials dialog is the only place it is ever shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.actions import closed
from app.ui.i18n import t
from app.ui.layout import notify_ok, run_action

PENDING = "PENDING"
APPROVED = "APPROVED"
REVOKED = "REVOKED"
# GraphQL enum value → (text key, badge colour)
ACCESS_LABELS: dict[str, tuple[str, str]] = {
    PENDING: ("broker.pending", "warning"),
    APPROVED: ("broker.approved", "positive"),
    REVOKED: ("broker.revoked", "negative"),
}
BROKER_CLIENT_FIELDS = "brokerAccess brokerUsername"
_CLIENT = f"client {{ uuid {BROKER_CLIENT_FIELDS} }}"
_APPROVE = (
    "mutation($u: String!) { approveClient(uuid: $u) { __typename "
    f"... on ClientCredentials {{ username password {_CLIENT} }} ... on Error {{ message code }} }} }}"
)
_ROTATE = (
    "mutation($u: String!) { rotateClientCredentials(uuid: $u) { __typename "
    f"... on ClientCredentials {{ username password {_CLIENT} }} ... on Error {{ message code }} }} }}"
)
_REVOKE = (
    "mutation($u: String!) { revokeClientAccess(uuid: $u) { __typename "
    f"... on Client {{ uuid {BROKER_CLIENT_FIELDS} }} ... on Error {{ message code }} }} }}"
)

ClientChanged = Callable[[dict[str, Any]], None]


async def accounts_managed() -> bool:
    """Whether this server manages broker accounts (MQTT_DYNSEC_ENABLED)."""
    data = await gql.gql("query { brokerAccountsManaged }")
    return bool(data["brokerAccountsManaged"])


def access_of(client: dict[str, Any]) -> str:
    value = str(client.get("brokerAccess") or PENDING).upper()
    return value if value in ACCESS_LABELS else PENDING


def access_label(client: dict[str, Any]) -> tuple[str, str]:
    key, color = ACCESS_LABELS[access_of(client)]
    return t(key), color


def access_badge(client: dict[str, Any]) -> ui.badge:
    text, color = access_label(client)
    return ui.badge(text, color=color).props(f'data-testid="broker-access" data-access="{access_of(client)}"')


async def _copy(value: str) -> None:
    ui.clipboard.write(value)
    notify_ok(t("broker.copied"))


def credentials_dialog(name: str, username: str, password: str) -> ui.dialog:
    """The one-time view of a display's broker login, with copy buttons and the warning that it is not kept."""
    with (
        ui.dialog().props("persistent") as dialog,
        ui.card().classes("w-[34rem] max-w-full gap-3").props('data-testid="broker-credentials"'),
    ):
        ui.label(t("broker.credentials_title", name=name)).classes("text-lg font-medium")
        for label, value, testid in (
            (t("broker.username"), username, "broker-username"),
            (t("broker.password"), password, "broker-password"),
        ):
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                ui.input(label, value=value).props(f'readonly outlined dense data-testid="{testid}"').classes(
                    "flex-1 font-mono"
                )
                ui.button(icon="content_copy", on_click=lambda v=value: _copy(v)).props(
                    f'flat round dense data-testid="{testid}-copy" aria-label="{t("broker.copy")}"'
                ).tooltip(t("broker.copy"))
        with ui.row().classes("w-full items-start no-wrap gap-2 bg-amber-1 q-pa-sm rounded-borders"):
            ui.icon("warning", color="warning")
            ui.label(t("broker.once_note")).classes("text-sm").props('data-testid="broker-once-note"')
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.close"), on_click=dialog.close).props('data-testid="broker-credentials-close"')
    dialog.on("hide", dialog.delete)
    dialog.open()
    return dialog


async def _issue(query: str, name: str, uuid: str) -> dict[str, Any]:
    data = await gql.gql(query, {"u": uuid})
    return gql.ok(data[name])


def broker_panel(client: dict[str, Any], name: str, on_changed: ClientChanged) -> None:
    """The detail dialog's broker section: state, username and the actions that fit the state (admin+ page)."""
    uuid = str(client["uuid"])
    access = access_of(client)

    async def issue(query: str, mutation: str) -> None:
        page = ui.context.client
        result = await run_action(lambda: _issue(query, mutation, uuid))
        if isinstance(result, dict):
            # Outside this panel: on_changed redraws it, which would take a dialog opened inside it along.
            with page.content:
                credentials_dialog(name, str(result["username"]), str(result["password"]))
            on_changed(result["client"])

    async def revoke() -> None:
        result = await run_action(lambda: _issue(_REVOKE, "revokeClientAccess", uuid), success=t("broker.revoked_ok"))
        if isinstance(result, dict):
            on_changed(result)

    def confirm_revoke() -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(t("broker.revoke_confirm", name=name))

            async def yes() -> None:
                with closed(dialog):
                    await revoke()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("broker.revoke"), on_click=yes, color="negative").props(
                    'data-testid="broker-revoke-confirm"'
                )
        dialog.on("hide", dialog.delete)
        dialog.open()

    with ui.row().classes("w-full items-center gap-2").props('data-testid="broker-panel"'):
        ui.label(t("broker.section")).classes("font-medium")
        access_badge(client)
        if client.get("brokerUsername"):
            ui.label(str(client["brokerUsername"])).classes("is-muted text-sm font-mono")
        ui.space()
        if access == APPROVED:
            ui.button(t("broker.rotate"), icon="key", on_click=lambda: issue(_ROTATE, "rotateClientCredentials")).props(
                'outline data-testid="broker-rotate"'
            )
            ui.button(t("broker.revoke"), icon="block", on_click=confirm_revoke).props(
                'outline color=negative data-testid="broker-revoke"'
            )
        else:
            label = t("broker.approve") if access == PENDING else t("broker.reapprove")
            ui.button(label, icon="verified_user", on_click=lambda: issue(_APPROVE, "approveClient")).props(
                'color=positive data-testid="broker-approve"'
            )
