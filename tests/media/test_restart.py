"""Conversions survive a restart: `infoscreen run` re-enqueues pending and abandoned ones at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.domain.clock import utcnow
from app.domain.enums import ConversionStatus, MediaType
from app.domain.media.models import Conversion, EventMedia
from tests.media.support import fake_gotenberg, make_pdf
from tests.support.process import infoscreen


def _seed(db_file: Path, media_root: Path) -> dict[str, int]:
    """Rows as a crashed previous run left them: one pending, one stuck in processing, one done."""
    engine = create_engine(f"sqlite:///{db_file}")
    ids: dict[str, int] = {}
    with Session(engine) as session:
        for name, status, started in (
            ("pending", ConversionStatus.PENDING, None),
            ("abandoned", ConversionStatus.PROCESSING, utcnow() - timedelta(hours=1)),
            ("ready", ConversionStatus.READY, utcnow() - timedelta(days=1)),
        ):
            media = EventMedia(
                media_type=MediaType.PPTX,
                file_name=f"{name}.pptx",
                size=4,
                sha256=name.ljust(64, "0"),
                access_token=f"token-{name}-{'x' * 20}",
            )
            session.add(media)
            session.flush()
            media.file_path = f"media/{media.id}/{name}.pptx"
            path = media_root / media.file_path
            path.parent.mkdir(parents=True, exist_ok=True)
            # A real (tiny) ZIP container: conversions inspect the archive before the converter runs.
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("[Content_Types].xml", "<Types/>")
                archive.writestr("ppt/presentation.xml", "<presentation/>")
            conversion = Conversion(
                source_event_media_id=media.id,
                target_format="pdf",
                file_hash=media.sha256,
                status=status,
                started_at=started,
                attempts=1 if started else 0,
            )
            session.add(conversion)
            session.flush()
            ids[name] = conversion.id
        session.commit()
    engine.dispose()
    return ids


def _statuses(db_file: Path) -> dict[int, tuple[ConversionStatus, int | None]]:
    engine = create_engine(f"sqlite:///{db_file}")
    with Session(engine) as session:
        rows = session.execute(select(Conversion.id, Conversion.status, Conversion.page_count)).all()
    engine.dispose()
    return {row.id: (row.status, row.page_count) for row in rows}


def test_pending_and_abandoned_conversions_are_picked_up_when_run_starts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, check=True, capture_output=True, timeout=120)
    ids = _seed(data_dir / "infoscreen.db", data_dir / "media")

    with (
        fake_gotenberg(make_pdf(5)) as gotenberg,
        infoscreen("run", tmp_path, DATA_DIR=str(data_dir), GOTENBERG_URL=gotenberg.url) as proc,
    ):
        deadline = time.monotonic() + 60
        statuses = _statuses(data_dir / "infoscreen.db")
        while time.monotonic() < deadline:
            statuses = _statuses(data_dir / "infoscreen.db")
            if statuses[ids["pending"]][0] == statuses[ids["abandoned"]][0] == ConversionStatus.READY:
                break
            time.sleep(0.3)
        assert statuses[ids["pending"]] == (ConversionStatus.READY, 5), proc.log()[-3000:]
        assert statuses[ids["abandoned"]] == (ConversionStatus.READY, 5), proc.log()[-3000:]
        assert statuses[ids["ready"]] == (ConversionStatus.READY, None)  # done before: not redone
        assert len(gotenberg.requests) == 2
        assert "event=conversions_requeued count=2" in proc.log()
        assert proc.terminate() == 0
    pdfs = sorted(p.name for p in (data_dir / "media" / "converted").rglob("*.pdf"))
    assert pdfs == sorted(["pending".ljust(64, "0") + ".pdf", "abandoned".ljust(64, "0") + ".pdf"])
