"""Per-display broker credentials: approve a discovered display, rotate its password, revoke it.

The password is generated here, handed to the broker and returned once to the caller; it is never
stored (the database keeps only the username, the state and who approved when). The broker is changed
first and the database afterwards, so the database never claims an account the broker does not have.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.domain.audit.service import record_audit
from app.domain.clients.models import Client
from app.domain.clients.notify import announce_clients_updated
from app.domain.clients.service import CLIENT_NOT_FOUND, get_client, normalise_uuid
from app.domain.clock import utcnow
from app.domain.enums import BrokerAccess
from app.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from app.domain.ports import BrokerAccounts, UseCaseDeps
from app.domain.settings.service import get_broker_auto_approve
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

USERNAME_PREFIX = "infoscreen-client-"
PASSWORD_BYTES = 24  # token_urlsafe(24) = 32 characters
DYNSEC_DISABLED = "Die Broker-Zugangsverwaltung ist nicht aktiviert (MQTT_DYNSEC_ENABLED)."


class BrokerAccountsError(DomainError):
    """The broker did not confirm an account change (unreachable, refused, timed out)."""

    code = "broker_unavailable"


@dataclass(frozen=True)
class IssuedCredentials:
    client: Client
    username: str
    # Shown once; not stored anywhere.
    password: str


def broker_accounts_of(deps: Any) -> BrokerAccounts | None:
    return getattr(deps, "broker_accounts", None)


def _require_accounts(deps: Any) -> BrokerAccounts:
    accounts = broker_accounts_of(deps)
    if accounts is None:
        raise ValidationError(DYNSEC_DISABLED)
    return accounts


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


async def _free_username(session: Any, uuid: str) -> str:
    """`infoscreen-client-<first 8 of uuid>`; a longer prefix only if another display already has that name."""
    compact = uuid.replace("-", "")
    for length in (8, 12, 16, 32):
        candidate = USERNAME_PREFIX + compact[:length]
        owner = await session.scalar(select(Client.uuid).where(Client.broker_username == candidate))
        if owner is None or owner == uuid:
            return candidate
    raise ConflictError("Kein freier Broker-Benutzername")


async def approve_client(
    deps: UseCaseDeps, principal: Principal | None, uuid: str, *, ip: str | None = None, automatic: bool = False
) -> IssuedCredentials:
    """Create the display's broker account (or re-enable a revoked one) with a fresh password."""
    accounts = _require_accounts(deps)
    password = new_password()
    async with deps.db.session() as session:
        # Row lock: two ingest processes auto-approving the same discovery must not issue two passwords.
        client = await session.get(Client, normalise_uuid(uuid), with_for_update=True)
        if client is None:
            raise NotFoundError(CLIENT_NOT_FOUND)
        if client.broker_access is BrokerAccess.APPROVED:
            raise ConflictError("Das Display ist bereits freigeschaltet; neue Zugangsdaten über „Zugang erneuern“.")
        username = client.broker_username or await _free_username(session, client.uuid)
        await accounts.create_display(client.uuid, username, password, client.group_id)
        previous = client.broker_access
        client.broker_access = BrokerAccess.APPROVED
        client.broker_username = username
        client.broker_approved_at = utcnow()
        client.broker_approved_by = principal.user_id if principal else None
        await session.flush()
        await record_audit(
            session,
            principal,
            "client.broker_approve",
            "client",
            client.uuid,
            {"username": username, "previous": previous.value, "automatic": automatic},
            ip=ip,
        )
    if not automatic:
        # The ingest takes the right back itself once the automatic approval's ack went out.
        await _forget_pending_ack(accounts, client.uuid)
    log.info("event=broker_client_approved uuid=%s username=%s automatic=%s", client.uuid, username, automatic)
    await announce_clients_updated(deps.bus, [client.uuid], reason="broker_access")
    return IssuedCredentials(client, username, password)


async def rotate_client_credentials(
    deps: UseCaseDeps, principal: Principal, uuid: str, *, ip: str | None = None
) -> IssuedCredentials:
    accounts = _require_accounts(deps)
    password = new_password()
    async with deps.db.session() as session:
        client = await get_client(session, uuid)
        if client.broker_access is not BrokerAccess.APPROVED or not client.broker_username:
            raise ConflictError("Das Display ist nicht freigeschaltet.")
        await accounts.set_display_password(client.broker_username, password)
        await record_audit(
            session, principal, "client.broker_rotate", "client", client.uuid, {"username": client.broker_username},
            ip=ip,
        )  # fmt: skip
    log.info("event=broker_client_rotated uuid=%s username=%s", client.uuid, client.broker_username)
    return IssuedCredentials(client, client.broker_username, password)


async def revoke_client_access(deps: UseCaseDeps, principal: Principal, uuid: str, *, ip: str | None = None) -> Client:
    accounts = _require_accounts(deps)
    async with deps.db.session() as session:
        client = await get_client(session, uuid)
        if client.broker_access is not BrokerAccess.APPROVED or not client.broker_username:
            raise ConflictError("Das Display ist nicht freigeschaltet.")
        await accounts.disable_display(client.broker_username)
        client.broker_access = BrokerAccess.REVOKED
        await session.flush()
        await record_audit(
            session, principal, "client.broker_revoke", "client", client.uuid, {"username": client.broker_username},
            ip=ip,
        )  # fmt: skip
    log.info("event=broker_client_revoked uuid=%s username=%s", client.uuid, client.broker_username)
    await announce_clients_updated(deps.bus, [client.uuid], reason="broker_access")
    return client


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


async def _forget_pending_ack(accounts: BrokerAccounts, uuid: str) -> None:
    try:
        await accounts.forget_pending_ack(uuid)
    except DomainError as exc:  # harmless leftover: the provisioning account could still read this ack topic
        log.warning("event=broker_pending_ack_not_removed uuid=%s error=%s", uuid, exc.message)


async def on_discovered(deps: Any, uuid: str) -> IssuedCredentials | None:
    """A display announced itself. A pending one may read its own discovery ack from now on.

    With `broker_auto_approve` on, a pending display is approved on its next discovery (once it could
    subscribe to its ack) and the credentials are returned, to go out once in that ack; the caller then
    calls `finish_auto_approval`.
    """
    accounts = broker_accounts_of(deps)
    if accounts is None:
        return None
    async with deps.db.read_session() as session:
        state = await session.scalar(select(Client.broker_access).where(Client.uuid == uuid))
        auto = await get_broker_auto_approve(session)
    if state is None or state is BrokerAccess.APPROVED:
        return None
    could_subscribe = await accounts.allow_pending_ack(uuid)
    if state is BrokerAccess.PENDING and auto and could_subscribe:
        try:
            return await approve_client(deps, None, uuid, automatic=True)
        except ConflictError:
            return None  # approved meanwhile by an admin or another ingest process
    return None


async def finish_auto_approval(deps: Any, uuid: str) -> None:
    accounts = broker_accounts_of(deps)
    if accounts is not None:
        await _forget_pending_ack(accounts, uuid)
