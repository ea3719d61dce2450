"""The header's alarm badge on every page (admin+): a bell linking to the Alarme page with the number of
ACTIVE (not yet acknowledged) alarms, kept current through the `alarmUpdated` subscription.

Its own module so the frame (app.ui.layout) only calls `alarm_badge(principal)`; it never imports the frame.
"""

from __future__ import annotations

import logging
from typing import Any

from nicegui import ui

from app.domain.enums import Role
from app.domain.users.tokens import Principal
from app.ui import gql
from app.ui.i18n import t

log = logging.getLogger(__name__)

COUNTS = "{ alarmCounts { active acknowledged } }"


class AlarmBadge:
    def __init__(self) -> None:
        self.button = ui.button(icon="notifications").props(
            'flat round color=white href=/alarms data-testid="alarm-badge"'
        )
        with self.button:
            self.count = ui.badge("", color="red-9").props('floating data-testid="alarm-badge-count"')
        self.count.set_visibility(False)
        self.show(0, 0)

    def show(self, active: int, acknowledged: int) -> None:
        label = t("alarms.badge", active=active, acknowledged=acknowledged)
        self.button.props(f'aria-label="{label}" title="{label}"')
        self.count.set_text(str(active))
        self.count.set_visibility(active > 0)

    async def load(self) -> None:
        try:
            counts = (await gql.gql(COUNTS))["alarmCounts"]
        except gql.GqlError as exc:  # a page must never fail over its badge
            log.info("event=ui_alarm_badge_failed message=%s", exc.message)
            return
        if not self.button.is_deleted:
            self.show(int(counts["active"]), int(counts["acknowledged"]))

    async def on_update(self, _data: dict[str, Any]) -> None:
        await self.load()


def alarm_badge(principal: Principal) -> None:
    """The badge in the header, for those who may see alarms (admin+); nothing for the others."""
    if not principal.has(Role.ADMIN):
        return
    badge = AlarmBadge()

    def start() -> None:
        ui.timer(0.01, badge.load, once=True)
        gql.follow("subscription { alarmUpdated { id } }", None, badge.on_update, on_live=badge.load)

    ui.timer(0.01, start, once=True)
