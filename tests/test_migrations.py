"""Alembic builds the model schema from empty on both engines and downgrades cleanly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.domain.db import Database
from app.domain.models import Base
from app.migrations import current_heads, downgrade, upgrade


def _diff(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True, "compare_server_default": False})
    return compare_metadata(context, Base.metadata)


async def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await database.dispose()


async def _schema_diff(url: str) -> list[Any]:
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            return await conn.run_sync(_diff)
    finally:
        await database.dispose()


@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
async def test_upgrade_matches_models_and_downgrade_is_clean(engine: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if engine == "sqlite" else "mariadb_url")
    await asyncio.to_thread(upgrade, url)

    tables = await _tables(url)
    assert set(Base.metadata.tables) <= tables
    assert await _schema_diff(url) == []

    await asyncio.to_thread(downgrade, url, "base")
    assert await _tables(url) <= {"alembic_version"}

    # And back up again: a downgrade leaves nothing behind that blocks the next upgrade.
    await asyncio.to_thread(upgrade, url)
    assert set(Base.metadata.tables) <= await _tables(url)


def test_there_is_exactly_one_head() -> None:
    assert len(current_heads()) == 1


async def test_client_commands_match_the_seed_migration(mariadb_url: str) -> None:
    await asyncio.to_thread(upgrade, mariadb_url)
    database = Database(mariadb_url)
    try:
        async with database.engine.connect() as conn:

            def describe(c: Any) -> tuple[dict[str, Any], set[str], list[Any]]:
                insp = inspect(c)
                cols = {col["name"]: col for col in insp.get_columns("client_commands")}
                idx = {i["name"] for i in insp.get_indexes("client_commands")}
                uniq = insp.get_unique_constraints("client_commands")
                return cols, idx, uniq

            cols, indexes, uniques = await conn.run_sync(describe)
    finally:
        await database.dispose()
    assert str(cols["command_id"]["type"]).startswith("VARCHAR(36)") and not cols["command_id"]["nullable"]
    assert str(cols["status"]["type"]).startswith("VARCHAR(40)")
    assert str(cols["action"]["type"]).startswith("VARCHAR(32)")
    assert str(cols["error_code"]["type"]).startswith("VARCHAR(64)")
    for name in ("issued_at", "expires_at", "published_at", "acked_at", "created_at", "updated_at"):
        assert str(cols[name]["type"]).startswith("TIMESTAMP"), name
    assert not cols["issued_at"]["nullable"] and cols["acked_at"]["nullable"]
    assert {
        "ix_client_commands_action",
        "ix_client_commands_client_uuid",
        "ix_client_commands_requested_by",
        "ix_client_commands_status",
        "ix_client_commands_client_status_created",
    } <= indexes
    assert any(u["column_names"] == ["command_id"] for u in uniques) or "ix_client_commands_command_id" in indexes
