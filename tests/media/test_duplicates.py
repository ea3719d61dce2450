"""Duplicates are refused by a unique constraint: parallel uploads of one file store exactly one copy."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from app.config import Settings, load_settings
from app.container import Container
from app.domain.enums import Role
from app.domain.media.models import EventMedia
from app.migrations import upgrade
from app.runtime import load_adapters
from tests.conftest import create_mariadb_database
from tests.media.support import files_under, make_pdf, multipart_body
from tests.support.api import Api
from tests.support.live_server import served

PARALLEL = 10


@pytest.fixture(params=["mariadb", "sqlite"])
async def migrated_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """The app on a migrated database in its default configuration: MariaDB (production) or the embedded
    default's SQLite file."""
    env = {}
    if request.param == "mariadb":
        env["DB_CONN"] = create_mariadb_database(request.getfixturevalue("mariadb"), "dup")
    settings: Settings = load_settings(DATA_DIR=str(tmp_path / "data"), SECRET_KEY="test-secret", **env)
    settings.data_dir.mkdir(parents=True)
    await asyncio.to_thread(upgrade, settings.database_url)
    load_adapters()
    container = Container.create(settings)
    yield Api(container, httpx.AsyncClient())
    await container.close()


async def test_ten_parallel_identical_uploads_store_one_copy(migrated_api: Api) -> None:
    api = migrated_api
    token = await api.token_for(Role.EDITOR)
    content = make_pdf(3)
    async with served(api.container) as address, httpx.AsyncClient(timeout=60) as client:

        async def one(n: int) -> dict[str, str]:
            body, content_type = multipart_body(f"aushang-{n}.pdf".encode(), content, {})
            response = await client.post(
                f"http://{address}/graphql",
                content=body,
                headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text
            payload = response.json()
            assert not payload.get("errors"), payload
            result: dict[str, str] = payload["data"]["uploadMedia"]
            return result

        results = await asyncio.gather(*(one(n) for n in range(PARALLEL)))

    kinds = Counter(r["__typename"] for r in results)
    assert kinds == {"EventMedia": 1, "ConflictError": PARALLEL - 1}, results
    winner = next(r for r in results if r["__typename"] == "EventMedia")
    for loser in (r for r in results if r["__typename"] == "ConflictError"):
        # The same message as a sequential duplicate: it names the stored copy.
        assert loser["message"].startswith("Diese Datei ist bereits in der Mediathek")
        assert f"ID {winner['id']}" in loser["message"], loser
    async with api.container.db.read_session() as session:
        stored = (await session.scalars(select(EventMedia))).all()
    assert [m.id for m in stored] == [int(winner["id"])]
    # No orphan: one stored file, nothing left in the upload staging area.
    root = api.container.settings.media_root
    assert root is not None
    assert [p.relative_to(root).parts[:2] for p in files_under(root)] == [("media", str(winner["id"]))]


def _old_database_with_copies(url: str) -> None:
    engine = create_engine(url.replace("+aiomysql", "+pymysql").replace("+aiosqlite", ""))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO academic_periods (id, name, start_date, end_date, period_type, is_active, is_archived, "
                "created_at, updated_at) VALUES (1, '2025/26', '2025-09-01', '2026-07-31', 'schuljahr', 0, 0, "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
        for media_id, sha, period in [(1, "a", None), (2, "a", None), (3, "a", 1), (4, "b", None), (5, "a", 1)]:
            conn.execute(
                text(
                    "INSERT INTO event_media (id, academic_period_id, media_type, file_name, sha256, access_token, "
                    "uploaded_at) VALUES (:id, :period, 'pdf', :name, :sha, :token, '2025-01-01 00:00:00')"
                ),
                {
                    "id": media_id,
                    "period": period,
                    "name": f"f{media_id}.pdf",
                    "sha": sha * 64,
                    "token": f"t{media_id}",
                },
            )
        conn.execute(
            text(
                "INSERT INTO event_media (id, media_type, file_name, url, access_token, uploaded_at) "
                "VALUES (6, 'website', 'w', 'https://example.org', 't6', '2025-01-01 00:00:00')"
            )
        )
    engine.dispose()


@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
async def test_upgrade_keeps_copies_an_old_database_already_holds(engine: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if engine == "sqlite" else "mariadb_url")
    await asyncio.to_thread(upgrade, url, "0003")
    await asyncio.to_thread(_old_database_with_copies, url)
    await asyncio.to_thread(upgrade, url, "0006")
    sync = create_engine(url.replace("+aiomysql", "+pymysql").replace("+aiosqlite", ""))
    with sync.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, duplicate_key FROM event_media ORDER BY id")).all())  # type: ignore[arg-type]
    sync.dispose()
    # Every row survives; the oldest of each (period, content) holds the key, later copies and websites none.
    assert keys == {1: "0:" + "a" * 64, 2: None, 3: "1:" + "a" * 64, 4: "0:" + "b" * 64, 5: None, 6: None}


async def test_sequential_duplicate_still_named_after_the_existing_copy(api: Api) -> None:
    from tests.media.support import upload

    token = await api.token_for(Role.EDITOR)
    first = await upload(api, token, "plan.pdf", make_pdf(1))
    again = await upload(api, token, "plan-2.pdf", make_pdf(1))
    assert again["__typename"] == "ConflictError" and f"ID {first['id']}" in again["message"]
