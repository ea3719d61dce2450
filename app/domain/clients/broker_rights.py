"""Keeping a display's broker account in step with the database after a group change or a deletion.

Below `service`, `groups` and `broker_access` (which all need it); failures are logged and reported,
never raised: the database is the truth and the account can be repaired by a later change.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.domain.clients.models import Client
from app.domain.enums import BrokerAccess
from app.domain.errors import DomainError
from app.domain.ports import BrokerAccounts

log = logging.getLogger(__name__)


def broker_accounts_of(deps: Any) -> BrokerAccounts | None:
    """The per-display account manager, when this server has one (MQTT_DYNSEC_ENABLED)."""
    return getattr(deps, "broker_accounts", None)


async def sync_group_rights(deps: Any, uuids: list[str], group_id: int | None) -> list[str]:
    """After a group change: move each approved display's event/power rights. Returns the uuids that failed."""
    accounts = broker_accounts_of(deps)
    if accounts is None or not uuids:
        return []
    async with deps.db.read_session() as session:
        approved = list(
            (
                await session.scalars(
                    select(Client.uuid).where(Client.uuid.in_(uuids), Client.broker_access == BrokerAccess.APPROVED)
                )
            ).all()
        )
    failed: list[str] = []
    for uuid in approved:
        try:
            await accounts.update_display_group(uuid, group_id)
        except DomainError as exc:
            log.warning("event=broker_group_rights_failed uuid=%s group_id=%s error=%s", uuid, group_id, exc.message)
            failed.append(uuid)
    return failed


async def remove_broker_account(deps: Any, uuid: str, username: str | None) -> None:
    """The display was deleted: its account and role go too (a failure is logged; the row is gone anyway)."""
    accounts = broker_accounts_of(deps)
    if accounts is None:
        return
    try:
        await accounts.delete_display(uuid, username)
    except DomainError as exc:
        log.warning("event=broker_account_not_removed uuid=%s username=%s error=%s", uuid, username, exc.message)
