"""Profil → "Alarm-Mails": the user's own alarm subscription (which groups and kinds, immediately or a daily
digest at a chosen time, with or without "wieder online"); mails go to the profile's e-mail address in the
dashboard language the subscription was saved in. Called from app/ui/pages/profile.py."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain.alarms.models import AlarmKind
from app.domain.alarms.texts import kind_text
from app.ui import gql
from app.ui.i18n import current_language, t
from app.ui.layout import run_action

FIELDS = "enabled mode digestTime kinds groupIds notifyCleared language lastError"
QUERY = f"{{ myAlarmSubscription {{ {FIELDS} }} groups(includeUnassigned: false) {{ id name }} }}"
SAVE = (
    "mutation($i: AlarmSubscriptionInput!) { setMyAlarmSubscription(input: $i) { __typename"
    f" ... on AlarmSubscription {{ {FIELDS} }} ... on Error {{ message code }} }} }}"
)


async def alarm_subscription_card() -> None:
    data = await gql.gql(QUERY)
    sub: dict[str, Any] = dict(data["myAlarmSubscription"])
    groups = {int(g["id"]): g["name"] for g in data["groups"] if g["id"] is not None}
    lang = current_language()
    with ui.card().classes("gap-2").props('data-testid="alarm-subscription"'):
        ui.label(t("alarmsub.title")).classes("text-lg font-medium")
        ui.label(t("alarmsub.hint")).classes("is-muted text-sm")
        ui.switch(t("alarmsub.enabled")).bind_value(sub, "enabled").props('data-testid="alarmsub-enabled"')
        ui.toggle({"IMMEDIATE": t("alarmsub.immediate"), "DIGEST": t("alarmsub.digest")}).bind_value(sub, "mode").props(
            'no-caps data-testid="alarmsub-mode"'
        )
        ui.input(t("alarmsub.time")).bind_value(sub, "digestTime").bind_visibility_from(
            sub, "mode", value="DIGEST"
        ).props('type=time data-testid="alarmsub-time"').classes("w-56")
        ui.select({k.value: kind_text(k.value, lang) for k in AlarmKind}, multiple=True,
                  label=t("alarmset.kinds")).bind_value(sub, "kinds").classes("w-full").props(
            'use-chips data-testid="alarmsub-kinds"'
        )  # fmt: skip
        ui.select(groups, multiple=True, label=t("alarmset.groups")).bind_value(sub, "groupIds").classes(
            "w-full"
        ).props('use-chips data-testid="alarmsub-groups"')
        ui.switch(t("alarmsub.cleared")).bind_value(sub, "notifyCleared").props('data-testid="alarmsub-cleared"')
        if sub.get("lastError"):
            ui.label(t("alarmset.last_error", error=sub["lastError"])).classes("text-sm text-negative")

        async def save() -> None:
            variables = {"i": {k: sub[k] for k in ("enabled", "mode", "digestTime", "kinds", "groupIds")}
                         | {"notifyCleared": sub["notifyCleared"], "language": current_language()}}  # fmt: skip

            async def call() -> dict[str, Any]:
                return gql.ok((await gql.gql(SAVE, variables))["setMyAlarmSubscription"])

            await run_action(call, success=t("alarmsub.saved"))

        ui.button(t("common.save"), on_click=save).props('data-testid="alarmsub-save"')
