"""Einstellungen → Alarme (admin+): the SMTP server alarm mails use (environment defaults, stored overrides)
and the notification channels (e-mail / webhook): create, edit, delete, their filters, "Test senden", and
their dead letters (visible with the last error, retryable). Called from app/ui/pages/settings.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import ui

from app.domain.alarms.models import AlarmKind
from app.domain.alarms.texts import kind_text
from app.ui import gql
from app.ui.format import fmt_datetime
from app.ui.i18n import current_language, t
from app.ui.layout import run_action

SMTP_FIELDS = "host port security username fromAddress passwordSet overridden"
CHANNEL_FIELDS = "id name kind enabled target secret language kinds groupIds lastError lastSentAt deadLetters"
GROUPS = "{ groups(includeUnassigned: false) { id name } }"
KINDS = tuple(kind.value for kind in AlarmKind)
SECURITY = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "—"}
_ERR = "... on Error { message code }"


async def _mutate(query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    return gql.ok((await gql.gql(query, variables))[name])


class SmtpCard:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    async def fetch(self) -> None:
        self.values = (await gql.gql(f"{{ smtpSettings {{ {SMTP_FIELDS} }} }}"))["smtpSettings"]

    async def load(self) -> None:
        await self.fetch()
        self.render.refresh()

    async def save(self, fields: dict[str, Any], password: str, *, reset: bool = False) -> None:
        data: dict[str, Any] = {"clearPassword": reset}
        if not reset:
            data.update({k: (v if v not in ("", None) else None) for k, v in fields.items()})
            data["port"] = int(fields["port"]) if fields.get("port") else None
            data["password"] = password or None
        query = f"mutation($i: SmtpSettingsInput!) {{ setSmtpSettings(input: $i) {{ __typename ... on SmtpSettings {{ {SMTP_FIELDS} }} {_ERR} }} }}"  # noqa: E501
        result = await run_action(lambda: _mutate(query, {"i": data}, "setSmtpSettings"), success=t("common.saved"))
        if isinstance(result, dict):
            self.values = result
            self.render.refresh()

    @ui.refreshable_method
    def render(self) -> None:
        v = self.values
        with ui.card().classes("w-full gap-2").props('data-testid="smtp-card"'):
            ui.label(t("alarmset.smtp")).classes("text-lg font-medium")
            ui.label(t("alarmset.smtp_hint")).classes("is-muted text-sm")
            fields: dict[str, Any] = {"host": v.get("host", ""), "port": v.get("port", 587),
                                      "security": v.get("security", "starttls"), "username": v.get("username", ""),
                                      "fromAddress": v.get("fromAddress", "")}  # fmt: skip
            with ui.row().classes("w-full gap-2 items-end"):
                ui.input(t("alarmset.host")).bind_value(fields, "host").props('data-testid="smtp-host"')
                ui.number(t("alarmset.port"), min=1, max=65535, format="%d").bind_value(fields, "port").props(
                    'data-testid="smtp-port"'
                ).classes("w-28")
                ui.select(SECURITY, label=t("alarmset.security")).bind_value(fields, "security").props(
                    'data-testid="smtp-security"'
                ).classes("w-36")
            with ui.row().classes("w-full gap-2 items-end"):
                ui.input(t("alarmset.username")).bind_value(fields, "username").props('data-testid="smtp-username"')
                hint = t("alarmset.password_set") if v.get("passwordSet") else ""
                password = ui.input(t("alarmset.password"), password=True, placeholder=hint).props(
                    'data-testid="smtp-password" autocomplete=new-password'
                )
                ui.input(t("alarmset.from")).bind_value(fields, "fromAddress").props('data-testid="smtp-from"')
            overridden = ", ".join(v.get("overridden") or []) or "—"
            ui.label(t("alarmset.overridden", fields=overridden)).classes("is-muted text-xs").props(
                'data-testid="smtp-overridden"'
            )
            with ui.row().classes("gap-2"):
                ui.button(t("common.save"), on_click=lambda: self.save(fields, password.value or "")).props(
                    'data-testid="smtp-save"'
                )
                ui.button(t("alarmset.use_env"), on_click=lambda: self.save(fields, "", reset=True)).props(
                    'flat data-testid="smtp-reset"'
                )


class ChannelsCard:
    def __init__(self) -> None:
        self.channels: list[dict[str, Any]] = []
        self.groups: dict[int, str] = {}

    async def fetch(self) -> None:
        data = await gql.gql(f"{{ notificationChannels {{ {CHANNEL_FIELDS} }} }}")
        self.channels = data["notificationChannels"]
        if not self.groups:
            self.groups = {int(g["id"]): g["name"] for g in (await gql.gql(GROUPS))["groups"] if g["id"] is not None}

    async def load(self) -> None:
        await self.fetch()
        self.render.refresh()

    async def test(self, channel: dict[str, Any]) -> None:
        query = f"mutation($id: Int!) {{ testNotificationChannel(id: $id) {{ __typename ... on NotificationTestResult {{ success failure: message }} {_ERR} }} }}"  # noqa: E501
        result = await run_action(lambda: _mutate(query, {"id": channel["id"]}, "testNotificationChannel"))
        if isinstance(result, dict):
            if result["success"]:
                ui.notify(t("alarmset.test_ok"), type="positive", position="top")
            else:
                ui.notify(t("alarmset.test_failed", error=result.get("failure") or ""), type="negative",
                          position="top", multi_line=True, close_button=True)  # fmt: skip
            await run_action(self.load)

    async def retry(self, channel: dict[str, Any]) -> None:
        query = f"mutation($id: Int!) {{ retryNotificationChannel(id: $id) {{ __typename ... on NotificationRetry {{ requeued }} {_ERR} }} }}"  # noqa: E501
        result = await run_action(lambda: _mutate(query, {"id": channel["id"]}, "retryNotificationChannel"))
        if isinstance(result, dict):
            ui.notify(t("alarmset.requeued", count=result["requeued"]), type="positive", position="top")
            await run_action(self.load)

    async def delete(self, channel: dict[str, Any]) -> None:
        query = f"mutation($id: Int!) {{ deleteNotificationChannel(id: $id) {{ __typename {_ERR} }} }}"
        if await run_action(lambda: _mutate(query, {"id": channel["id"]}, "deleteNotificationChannel"),
                            success=t("alarmset.deleted")):  # fmt: skip
            await run_action(self.load)

    def filters_text(self, channel: dict[str, Any]) -> str:
        lang = current_language()
        kinds = ", ".join(kind_text(k, lang) for k in channel["kinds"]) or t("alarms.kind_all")
        groups = ", ".join(self.groups.get(g, str(g)) for g in channel["groupIds"]) or t("alarms.group_all")
        return f"{kinds} · {groups}"

    def row(self, c: dict[str, Any]) -> None:
        card = ui.card().classes("w-full gap-1 py-2").props(f'data-testid="channel-row" data-channel-id="{c["id"]}"')
        with card, ui.row().classes("w-full items-start gap-3 no-wrap max-md:flex-wrap"):
            ui.icon("mail" if c["kind"] == "EMAIL" else "webhook").classes("text-2xl")
            with ui.column().classes("gap-0 grow"):
                state = "" if c["enabled"] else f" ({t('alarmset.disabled')})"
                ui.label(c["name"] + state).classes("font-medium").props('data-testid="channel-name"')
                ui.label(c["target"]).classes("text-sm break-all")
                ui.label(self.filters_text(c)).classes("text-sm is-muted")
                if c.get("lastSentAt"):
                    ui.label(t("alarmset.last_sent", time=fmt_datetime(c["lastSentAt"]))).classes("text-sm")
                if c.get("lastError"):
                    ui.label(t("alarmset.last_error", error=c["lastError"])).classes("text-sm text-negative").props(
                        'data-testid="channel-error"'
                    )
                if c.get("deadLetters"):
                    with ui.row().classes("items-center gap-2"):
                        ui.label(t("alarmset.dead", count=c["deadLetters"])).classes("text-sm text-negative").props(
                            'data-testid="channel-dead"'
                        )
                        ui.button(t("alarmset.retry"), icon="replay", on_click=lambda ch=c: self.retry(ch)).props(
                            'flat dense data-testid="channel-retry"'
                        )
            ui.button(t("alarmset.test"), icon="send", on_click=lambda ch=c: self.test(ch)).props(
                'outline dense data-testid="channel-test"'
            )
            ui.button(icon="edit", on_click=lambda ch=c: self.dialog(ch)).props(
                f'flat round dense aria-label="{t("common.edit")}" data-testid="channel-edit"'
            )
            ui.button(icon="delete", on_click=lambda ch=c: self.delete(ch)).props(
                f'flat round dense color=negative aria-label="{t("common.delete")}" data-testid="channel-delete"'
            )

    def dialog(self, channel: dict[str, Any] | None = None) -> None:
        c = channel or {"name": "", "kind": "EMAIL", "target": "", "enabled": True, "language": current_language(),
                        "kinds": [], "groupIds": [], "secret": None}  # fmt: skip
        form: dict[str, Any] = {k: c[k] for k in ("name", "kind", "target", "enabled", "language")}
        form |= {"kinds": list(c["kinds"]), "groupIds": list(c["groupIds"]), "secret": c.get("secret") or ""}
        lang = current_language()
        title = t("alarmset.edit_channel" if channel else "alarmset.new_channel")
        with ui.dialog().props(f'aria-label="{title}"') as dialog, ui.card().classes("w-[36rem] max-w-full gap-2"):
            ui.label(title).classes("text-lg font-medium")
            ui.input(t("alarmset.name")).bind_value(form, "name").classes("w-full").props(
                'data-testid="channel-form-name"'
            )
            ui.toggle({"EMAIL": t("alarmset.email"), "WEBHOOK": "Webhook"}).bind_value(form, "kind").props(
                'data-testid="channel-form-kind"'
            )
            ui.input(t("alarmset.target")).bind_value(form, "target").classes("w-full").props(
                f'data-testid="channel-form-target" hint="{t("alarmset.target_hint")}"'
            )
            ui.input(t("alarmset.secret")).bind_value(form, "secret").classes("w-full").bind_visibility_from(
                form, "kind", value="WEBHOOK"
            )
            ui.select({k: kind_text(k, lang) for k in KINDS}, multiple=True, label=t("alarmset.kinds")).bind_value(
                form, "kinds"
            ).classes("w-full").props("use-chips")
            ui.select(self.groups, multiple=True, label=t("alarmset.groups")).bind_value(form, "groupIds").classes(
                "w-full"
            ).props("use-chips")
            with ui.row().classes("items-center gap-4"):
                ui.toggle({"de": "Deutsch", "en": "English"}).bind_value(form, "language")
                ui.switch(t("alarmset.enabled")).bind_value(form, "enabled")

            async def save() -> None:
                data = {**form, "secret": form["secret"] or None}
                if channel:
                    query = (
                        "mutation($id: Int!, $i: NotificationChannelInput!)"
                        " { updateNotificationChannel(id: $id, input: $i)"
                    )
                    name, variables = "updateNotificationChannel", {"id": channel["id"], "i": data}
                else:
                    query = "mutation($i: NotificationChannelInput!) { createNotificationChannel(input: $i)"
                    name, variables = "createNotificationChannel", {"i": data}
                query += f" {{ __typename ... on NotificationChannel {{ id }} {_ERR} }} }}"
                if await run_action(lambda: _mutate(query, variables, name), success=t("common.saved")):
                    dialog.close()
                    await run_action(self.load)

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("common.save"), on_click=save).props('data-testid="channel-form-save"')
        dialog.open()

    @ui.refreshable_method
    def render(self) -> None:
        with ui.card().classes("w-full gap-2").props('data-testid="channels-card"'):
            with ui.row().classes("w-full items-center"):
                ui.label(t("alarmset.channels")).classes("text-lg font-medium")
                ui.space()
                ui.button(t("alarmset.new_channel"), icon="add", on_click=lambda: self.dialog()).props(
                    'data-testid="channel-new"'
                )
            if not self.channels:
                ui.label(t("alarmset.no_channels")).classes("is-muted")
            for channel in self.channels:
                self.row(channel)


async def alarm_settings_panel() -> None:
    """The SMTP settings and the notification channels, one below the other."""
    smtp, channels = SmtpCard(), ChannelsCard()
    # Read first, then draw once: a form drawn empty and refilled by a late answer wiped what the admin had
    # already typed into it.
    await asyncio.gather(smtp.fetch(), channels.fetch())
    smtp.render()
    channels.render()
