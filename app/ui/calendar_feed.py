"""Termine: the shown group's schedule as iCalendar — a download button (the dashboard login authorises
`/ical/groups/{id}.ics`, no token needed) and, for editors, a dialog that creates a subscription address for
Outlook / Google Calendar / Thunderbird (`createCalendarFeedToken`, shown once, copyable), lists the
group's addresses and revokes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.ui import gql
from app.ui.format import fmt_datetime
from app.ui.i18n import t
from app.ui.layout import notify_error, run_action

TOKEN_FIELDS = "id label tokenPrefix createdAt lastUsedAt revokedAt"


def feed_path(group_id: int) -> str:
    return f"/ical/groups/{group_id}.ics"


async def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    origin = await ui.run_javascript("window.location.origin")
    return f"{origin}{url}"


class FeedDialog:
    def __init__(self, group_id: int, group_name: str) -> None:
        self.group_id = group_id
        self.group_name = group_name
        self.tokens: list[dict[str, Any]] = []

    async def load(self) -> None:
        data = await gql.gql(f"query($g: Int!) {{ calendarFeedTokens(groupId: $g) {{ {TOKEN_FIELDS} }} }}",
                             {"g": self.group_id})  # fmt: skip
        self.tokens = [tk for tk in data["calendarFeedTokens"] if not tk["revokedAt"]]
        self.token_list.refresh()

    async def create(self) -> None:
        async def run() -> dict[str, Any]:
            data = await gql.gql(
                "mutation($g: Int!, $l: String) { createCalendarFeedToken(groupId: $g, label: $l) { __typename "
                "... on CalendarFeedTokenCreated { url } ... on Error { message code } } }",
                {"g": self.group_id, "l": (self.label.value or "").strip() or None},
            )
            return gql.ok(data["createCalendarFeedToken"])

        result = await run_action(run)
        if result is None:
            return
        self.url.set_value(await _absolute(result["url"]))
        self.url.set_visibility(True)
        self.copy.set_visibility(True)
        await self.load()

    async def revoke(self, token: dict[str, Any]) -> None:
        async def run() -> dict[str, Any]:
            data = await gql.gql(
                "mutation($id: Int!) { revokeCalendarFeedToken(id: $id) { __typename "
                "... on CalendarFeedToken { id } ... on Error { message code } } }",
                {"id": token["id"]},
            )
            return gql.ok(data["revokeCalendarFeedToken"])

        if await run_action(run) is not None:
            await self.load()

    def copy_url(self) -> None:
        ui.clipboard.write(self.url.value or "")
        ui.notify(t("ical.copied"), type="positive", position="top")

    @ui.refreshable_method
    def token_list(self) -> None:
        if not self.tokens:
            return
        ui.label(t("ical.tokens")).classes("font-medium")
        for token in self.tokens:
            with ui.row().classes("w-full items-center gap-2 no-wrap").props(f'data-testid="ics-token-{token["id"]}"'):
                used = token.get("lastUsedAt")
                when = t("ical.last_used", when=fmt_datetime(used)) if used else t("ical.never_used")
                ui.label(f"{token.get('label') or token['tokenPrefix'] + '…'} · {when}").classes("text-sm flex-1")
                ui.button(t("ical.revoke"), on_click=lambda tk=token: self.revoke(tk)).props(
                    f'flat dense size=sm color=negative data-testid="ics-revoke-{token["id"]}"'
                )

    async def open(self) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-[36rem] max-w-full").props('data-testid="ics-dialog"'):
            ui.label(t("ical.subscribe_title", group=self.group_name)).classes("text-lg font-medium")
            ui.label(t("ical.subscribe_help")).classes("is-muted text-sm")
            with ui.row().classes("w-full items-end gap-2 no-wrap"):
                self.label = ui.input(t("ical.label")).classes("flex-1").props('data-testid="ics-label"')
                ui.button(t("ical.create"), icon="link", on_click=self.create).props('data-testid="ics-create"')
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                self.url = ui.input().classes("flex-1 font-mono").props('readonly data-testid="ics-url"')
                self.copy = ui.button(t("ical.copy"), icon="content_copy", on_click=self.copy_url).props("flat")
            self.url.set_visibility(False)
            self.copy.set_visibility(False)
            self.token_list()
            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.close"), on_click=dialog.close).props("flat")
        dialog.on("hide", dialog.delete)
        dialog.open()
        await run_action(self.load)


def calendar_feed_buttons(group: Callable[[], tuple[int | None, str]], *, can_manage: bool) -> None:
    """The download button and, for editors, the subscription dialog, for the group `group()` names."""

    def download() -> None:
        group_id, _ = group()
        if group_id is None:
            notify_error(t("cal.no_group"))
            return
        ui.download(f"{feed_path(group_id)}?download=1")

    async def subscribe() -> None:
        group_id, name = group()
        if group_id is not None:
            await FeedDialog(group_id, name).open()

    ui.button(t("ical.download"), icon="download", on_click=download).props('outline data-testid="cal-ics-download"')
    if can_manage:
        ui.button(icon="rss_feed", on_click=subscribe).props(
            f'flat round data-testid="cal-ics-subscribe" aria-label="{t("ical.subscribe")}"'
        ).tooltip(t("ical.subscribe"))
