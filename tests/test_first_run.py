"""First run: `scripts/run.sh` installs only what running needs and says what to open and who to log in as;
the server prints the generated superadmin password on the start that creates the account, and only then."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from app.config import load_settings
from app.container import Container
from app.runtime import migrate_and_bootstrap

ROOT = Path(__file__).resolve().parents[1]


def test_run_script_installs_without_the_dev_extra_and_prints_url_and_user() -> None:
    run = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    installs = [line.strip() for line in run.splitlines() if line.strip().startswith("ensure_venv")]
    assert installs == ["ensure_venv"], installs  # no extra: not the test/lint dependencies
    assert run.index("print_first_run_banner") < run.index("exec ")
    banner = subprocess.run(
        ["bash", "-c", f"source {ROOT / 'scripts' / '_venv.sh'}; print_first_run_banner"],
        env={"HTTP_PORT": "8123", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "http://localhost:8123/" in banner
    assert "'superadmin'" in banner


async def test_the_generated_password_is_printed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(ENV="development", DATA_DIR=str(tmp_path), DEFAULT_SUPERADMIN_PASSWORD="")
    container = Container.create(settings)
    try:
        await migrate_and_bootstrap(container)
        first = capsys.readouterr().out
        match = re.search(r"Superadmin 'superadmin' created with password: (\S+)", first)
        assert match and len(match.group(1)) >= 12, first
        await migrate_and_bootstrap(container)
        assert "password" not in capsys.readouterr().out
    finally:
        await container.db.engine.dispose()
