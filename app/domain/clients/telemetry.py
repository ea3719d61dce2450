"""What displays report about themselves (discovery, heartbeat, health, service_failed, screenshots),
applied to the `clients` table in batches.

The MQTT adapter validates the wire payloads and hands over `ClientStateChange`s (column values already
typed) and `ClientLogEntry`s in arrival order. `apply_telemetry_batch` (a system use case, `principal`
None) writes one batch in its unit of work (`write_telemetry_batch`) and announces what changed:

- one SELECT of the batch's clients, then per client the changes merged in order (a later value of the
  same column wins, so a client's own messages keep their order);
- one multi-row upsert per distinct column set, rows sorted by uuid (a fixed lock order, so two ingest
  processes never deadlock on each other);
- the logs as one multi-row insert, after raising the displays' ERROR/WARN marks (uuid order as well).

Unknown clients: discovery registers a display, and so do heartbeat and health (a display that was
discovered before the database was reset keeps heartbeating without discovering again, and must show
up). Logs, service_failed and screenshots of an unknown uuid are dropped with a warning, so noise on
a topic cannot create rows on its own. New displays are bounded by a `RegistrationPolicy` (a rate per
minute and a total): beyond it their messages are refused (`TelemetryOutcome.refused_new`), so a flood of
random uuids is counted and logged by the caller instead of stored.

Discovery identity (docs/accounts-and-auth.md): `infoscreen/discovery` is one topic every display and the
provisioning login may publish to, so its payload does not prove who sent it. Once a display has its own
broker account (`broker_access` approved), discovery no longer changes its identity fields (hostname, ip,
mac, model, versions, hardware info): only `last_discovery_at` moves. A display can change them again
only after its account is revoked (back to provisioning).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.broadcasts.receipts import record_broadcast_receipts
from app.domain.bus import CLIENT_LOG_ADDED, CLIENT_UPDATED, DomainEvent
from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.enums import BrokerAccess
from app.domain.monitoring.log_ingest import ClientLogEntry, StoredLog, insert_logs
from app.domain.playback.intervals import PREVIOUS_REPORT_COLUMNS, PreviousReport, record_reports
from app.domain.ports import UseCaseDeps
from app.domain.usecase import unit_of_work
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)


class TelemetryReason(StrEnum):
    """Why a client row changed; carried in CLIENT_UPDATED events as `reason`."""

    DISCOVERY = "discovery"
    HEARTBEAT = "heartbeat"
    HEALTH = "health"
    SERVICE_FAILED = "service_failed"
    SCREENSHOT = "screenshot"


# Reasons that may create the client row; the others need a known client.
REGISTERING_REASONS = frozenset({TelemetryReason.DISCOVERY, TelemetryReason.HEARTBEAT, TelemetryReason.HEALTH})

# The columns telemetry may write (anything else in `values` is a programming error).
TELEMETRY_COLUMNS = frozenset(
    {
        "hostname",
        "ip",
        "mac_address",
        "model",
        "os_version",
        "software_version",
        "hardware_info",
        "last_discovery_at",
        "last_alive",
        "current_event_id",
        "current_process",
        "process_status",
        "process_pid",
        "last_screenshot_analyzed",
        "screen_health_status",
        "last_screenshot_hash",
        "last_health_at",
        "service_failed_at",
        "service_failed_unit",
        "mqtt_reconnect_count",
        "mqtt_last_disconnect_at",
    }
)


@dataclass(slots=True)
class ClientStateChange:
    """New values for some of a client's telemetry columns (absent column = unchanged)."""

    uuid: str
    reason: TelemetryReason
    values: dict[str, Any]

    def __post_init__(self) -> None:
        unknown = set(self.values) - TELEMETRY_COLUMNS
        if unknown:
            raise ValueError(f"not a telemetry column: {sorted(unknown)}")


TelemetryItem = ClientStateChange | ClientLogEntry

# Columns a discovery may no longer change once the display has its own broker account.
IDENTITY_COLUMNS = frozenset(
    {"hostname", "ip", "mac_address", "model", "os_version", "software_version", "hardware_info"}
)


@dataclass
class RegistrationPolicy:
    """How many unknown displays telemetry may register: `per_minute` (a token bucket, per process) and at
    most `max_clients` rows in total."""

    per_minute: int
    max_clients: int
    _tokens: float = field(default=-1.0, repr=False)
    _updated: float = field(default=0.0, repr=False)

    def take(self, wanted: int) -> int:
        """Grant up to `wanted` registrations now."""
        clock = time.monotonic()
        if self._tokens < 0:
            self._tokens, self._updated = float(self.per_minute), clock
        self._tokens = min(float(self.per_minute), self._tokens + (clock - self._updated) * self.per_minute / 60)
        self._updated = clock
        granted = min(wanted, int(self._tokens))
        self._tokens -= granted
        return granted


@dataclass
class TelemetryOutcome:
    # (uuid, reason) for every applied state change, in order of first appearance.
    updated: list[tuple[str, TelemetryReason]] = field(default_factory=list)
    # Clients that sent a discovery in this batch, with their group (for the ACK and the group republish).
    discovered: dict[str, int | None] = field(default_factory=dict)
    logs: list[StoredLog] = field(default_factory=list)
    # Items refused because their client is unknown (indexes into the batch).
    unknown_client: list[int] = field(default_factory=list)
    # Items of new displays refused by the RegistrationPolicy (indexes into the batch).
    refused_new: list[int] = field(default_factory=list)
    # Displays with their own broker account whose discovery carried identity fields (not applied).
    identity_ignored: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TelemetryBatch:
    """What the ingest received in one window, in arrival order; `registration` bounds new displays."""

    items: Sequence[TelemetryItem]
    registration: RegistrationPolicy | None = None


CommittedHook = Callable[[TelemetryOutcome], None]


async def apply_telemetry_batch(
    deps: UseCaseDeps,
    principal: Principal | None,
    command: TelemetryBatch,
    *,
    on_committed: CommittedHook | None = None,
) -> TelemetryOutcome:
    """Write one batch in its own unit of work and announce what changed once it is committed: one
    CLIENT_UPDATED per (client, reason) and one CLIENT_LOG_ADDED per stored log line.

    `on_committed` runs right after the commit, before the events go out (the ingest releases the broker
    acknowledgements there, so their latency does not include the bus). A failure raises, and nothing is
    announced: the caller retries (connection lost) or bisects the batch (a value the database refused).
    """
    async with unit_of_work(deps, principal) as uow:
        outcome = await write_telemetry_batch(uow.session, command.items, registration=command.registration)
        for uuid, reason in outcome.updated:
            uow.announce(DomainEvent(CLIENT_UPDATED, {"uuid": uuid, "reason": reason.value}))
        for stored in outcome.logs:
            uow.announce(
                DomainEvent(CLIENT_LOG_ADDED, {"id": stored.id, "uuid": stored.uuid, "level": stored.level.value})
            )
        if on_committed is not None:
            hook = on_committed

            async def committed() -> None:
                hook(outcome)

            uow.after_commit(committed)
    return outcome


async def write_telemetry_batch(
    session: AsyncSession,
    items: Sequence[TelemetryItem],
    *,
    now: datetime | None = None,
    registration: RegistrationPolicy | None = None,
) -> TelemetryOutcome:
    """Write one batch in the caller's unit of work. Items are applied in the order given."""
    now = now or utcnow()
    outcome = TelemetryOutcome()
    uuids = sorted({item.uuid for item in items})
    known: dict[str, int | None] = {}
    previous: dict[str, PreviousReport] = {}  # what the playback intervals compare the new reports with
    own_account: set[str] = set()
    # Core statements on the session's connection: the ORM layer adds nothing here but per-row overhead.
    conn = await session.connection()
    table = Client.__table__
    for chunk in _chunks(uuids, 500):
        rows = await conn.execute(
            sa.select(table.c.uuid, table.c.group_id, table.c.broker_access, *PREVIOUS_REPORT_COLUMNS).where(
                table.c.uuid.in_(chunk)
            )
        )
        for uuid, group_id, access, *before in rows.all():
            previous[uuid] = PreviousReport(*before)
            known[uuid] = group_id
            if access == BrokerAccess.APPROVED:
                own_account.add(uuid)
    admitted = await _admit_new(conn, items, known, registration)

    merged: dict[str, dict[str, Any]] = {}
    seen_updates: set[tuple[str, TelemetryReason]] = set()
    logs: list[ClientLogEntry] = []
    for index, item in enumerate(items):
        if isinstance(item, ClientLogEntry):
            if item.uuid in known or item.uuid in merged:
                logs.append(item)
            else:
                outcome.unknown_client.append(index)
            continue
        if item.reason not in REGISTERING_REASONS and item.uuid not in known and item.uuid not in merged:
            outcome.unknown_client.append(index)
            continue
        if item.uuid not in known and item.uuid not in admitted:
            outcome.refused_new.append(index)
            continue
        values = item.values
        if item.reason is TelemetryReason.DISCOVERY and item.uuid in own_account:
            kept = {k: v for k, v in values.items() if k not in IDENTITY_COLUMNS}
            if len(kept) < len(values):
                outcome.identity_ignored.append(item.uuid)
            values = kept
        merged.setdefault(item.uuid, {}).update(values)
        if item.reason is TelemetryReason.DISCOVERY:
            outcome.discovered[item.uuid] = known.get(item.uuid)
        key = (item.uuid, item.reason)
        if key not in seen_updates:
            seen_updates.add(key)
            outcome.updated.append(key)

    await _upsert_clients(session, merged, now)
    await record_broadcast_receipts(session, merged, now)
    await record_reports(session, merged, now, previous)
    outcome.logs = await insert_logs(session, logs, now=now)
    return outcome


async def _admit_new(
    conn: Any, items: Sequence[TelemetryItem], known: dict[str, int | None], policy: RegistrationPolicy | None
) -> set[str]:
    """The unknown displays of this batch that may be registered (all of them without a policy)."""
    new = list(
        dict.fromkeys(
            item.uuid
            for item in items
            if isinstance(item, ClientStateChange) and item.reason in REGISTERING_REASONS and item.uuid not in known
        )
    )
    if not new or policy is None:
        return set(new)
    total = (await conn.execute(sa.select(sa.func.count()).select_from(Client.__table__))).scalar_one()
    room = max(0, policy.max_clients - int(total))
    return set(new[: policy.take(min(len(new), room))])


def _upsert_statement(dialect: str, update_columns: tuple[str, ...]) -> sa.Insert:
    """The multi-row upsert for one set of columns, built once per process: building it anew for every batch
    (the `excluded`/`inserted` alias copies every column of `clients`) cost the ingest about a tenth of its time."""
    key = (dialect, update_columns)
    stmt = _UPSERTS.get(key)
    if stmt is not None:
        return stmt
    table = Client.__table__
    if dialect == "mysql":
        my = mysql.insert(table)
        stmt = my.on_duplicate_key_update({c: my.inserted[c] for c in update_columns})
    elif dialect == "sqlite":
        lite = sqlite.insert(table)
        updates = {c: lite.excluded[c] for c in update_columns}
        stmt = lite.on_conflict_do_update(index_elements=[table.c.uuid], set_=updates)
    else:  # pragma: no cover - only MariaDB and SQLite are supported engines
        raise RuntimeError(f"unsupported database dialect {dialect}")
    _UPSERTS[key] = stmt
    return stmt


# (dialect, updated columns) -> statement; the column sets are the few shapes the topics produce.
_UPSERTS: dict[tuple[str, tuple[str, ...]], sa.Insert] = {}


async def _upsert_clients(session: AsyncSession, merged: dict[str, dict[str, Any]], now: datetime) -> None:
    """One multi-row INSERT .. ON CONFLICT/ON DUPLICATE KEY UPDATE per distinct set of columns."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for uuid in sorted(merged):
        values = merged[uuid]
        columns = tuple(sorted(values))
        by_columns.setdefault(columns, []).append({"uuid": uuid, **values})
    conn = await session.connection()
    dialect = conn.dialect.name
    for columns, rows in by_columns.items():
        params = [
            {**row, "registered_at": now, "updated_at": now, "is_active": True, "broker_access": BrokerAccess.PENDING}
            for row in rows
        ]
        await conn.execute(_upsert_statement(dialect, (*columns, "updated_at")), params)


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
