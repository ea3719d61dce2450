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

from app.domain.clients.broker_rights import broker_accounts_of, remove_broker_account, sync_group_rights
from app.domain.clients.lookup import get_client
from app.domain.clients.models import Client
from app.domain.clients.notify import clients_updated
from app.domain.clock import utcnow
from app.domain.enums import BrokerAccess, Role
from app.domain.errors import ConflictError, DomainError, ValidationError
from app.domain.ports import BrokerAccounts, UseCaseDeps
from app.domain.settings.service import get_broker_auto_approve
from app.domain.usecase import require_role, unit_of_work
from app.domain.users.tokens import Principal

__all__ = [
    "ApproveClient",
    "BrokerAccountsError",
    "IssuedCredentials",
    "RevokeClientAccess",
    "RotateClientCredentials",
    "approve_client",
    "broker_accounts_of",
    "finish_auto_approval",
    "on_discovered",
    "remove_broker_account",
    "revoke_client_access",
    "rotate_client_credentials",
    "sync_group_rights",
]

log = logging.getLogger(__name__)

USERNAME_PREFIX = "infoscreen-client-"
PASSWORD_BYTES = 24  # token_urlsafe(24) = 32 characters


class BrokerAccountsError(DomainError):
    """The broker did not confirm an account change (unreachable, refused, timed out)."""

    code = "broker_unavailable"


@dataclass(frozen=True)
class IssuedCredentials:
    client: Client
    username: str
    # Shown once; not stored anywhere.
    password: str


def _require_accounts(deps: Any) -> BrokerAccounts:
    accounts = broker_accounts_of(deps)
    if accounts is None:
        raise ValidationError("broker.disabled")
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
    raise ConflictError("broker.no_free_username")


@dataclass(frozen=True)
class ApproveClient:
    uuid: str
    # True: the system approved a pending display on its discovery (broker_auto_approve; principal None).
    automatic: bool = False


@dataclass(frozen=True)
class RotateClientCredentials:
    uuid: str


@dataclass(frozen=True)
class RevokeClientAccess:
    uuid: str


async def approve_client(deps: UseCaseDeps, principal: Principal | None, command: ApproveClient) -> IssuedCredentials:
    """Create the display's broker account (or re-enable a revoked one) with a fresh password."""
    if not command.automatic:
        require_role(principal, Role.ADMIN)
    accounts = _require_accounts(deps)
    password = new_password()
    async with unit_of_work(deps, principal) as uow:
        # Row lock: two ingest processes auto-approving the same discovery must not issue two passwords.
        client = await get_client(uow.session, command.uuid, for_update=True)
        if client.broker_access is BrokerAccess.APPROVED:
            raise ConflictError("broker.already_approved")
        username = client.broker_username or await _free_username(uow.session, client.uuid)
        await accounts.create_display(client.uuid, username, password, client.group_id)
        previous = client.broker_access
        client.broker_access = BrokerAccess.APPROVED
        client.broker_username = username
        client.broker_approved_at = utcnow()
        client.broker_approved_by = principal.user_id if principal else None
        await uow.session.flush()
        details = {"username": username, "previous": previous.value, "automatic": command.automatic}
        await uow.audit("client.broker_approve", "client", client.uuid, details)
        if not command.automatic:
            # The ingest takes the right back itself once the automatic approval's ack went out.
            key = client.uuid
            uow.after_commit(lambda: _forget_pending_ack(accounts, key))
        for event in clients_updated([client.uuid], reason="broker_access"):
            uow.announce(event)
    log.info("event=broker_client_approved uuid=%s username=%s automatic=%s", client.uuid, username,
             command.automatic)  # fmt: skip
    return IssuedCredentials(client, username, password)


async def rotate_client_credentials(
    deps: UseCaseDeps, principal: Principal, command: RotateClientCredentials
) -> IssuedCredentials:
    require_role(principal, Role.ADMIN)
    accounts = _require_accounts(deps)
    password = new_password()
    async with unit_of_work(deps, principal) as uow:
        client = await get_client(uow.session, command.uuid)
        if client.broker_access is not BrokerAccess.APPROVED or not client.broker_username:
            raise ConflictError("broker.not_approved")
        await accounts.set_display_password(client.broker_username, password)
        await uow.audit("client.broker_rotate", "client", client.uuid, {"username": client.broker_username})
    log.info("event=broker_client_rotated uuid=%s username=%s", client.uuid, client.broker_username)
    return IssuedCredentials(client, client.broker_username, password)


async def revoke_client_access(deps: UseCaseDeps, principal: Principal, command: RevokeClientAccess) -> Client:
    require_role(principal, Role.ADMIN)
    accounts = _require_accounts(deps)
    async with unit_of_work(deps, principal) as uow:
        client = await get_client(uow.session, command.uuid)
        if client.broker_access is not BrokerAccess.APPROVED or not client.broker_username:
            raise ConflictError("broker.not_approved")
        await accounts.disable_display(client.broker_username)
        client.broker_access = BrokerAccess.REVOKED
        await uow.session.flush()
        await uow.audit("client.broker_revoke", "client", client.uuid, {"username": client.broker_username})
        for event in clients_updated([client.uuid], reason="broker_access"):
            uow.announce(event)
    log.info("event=broker_client_revoked uuid=%s username=%s", client.uuid, client.broker_username)
    return client


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
            return await approve_client(deps, None, ApproveClient(uuid, automatic=True))
        except ConflictError:
            return None  # approved meanwhile by an admin or another ingest process
    return None


async def finish_auto_approval(deps: Any, uuid: str) -> None:
    accounts = broker_accounts_of(deps)
    if accounts is not None:
        await _forget_pending_ack(accounts, uuid)
