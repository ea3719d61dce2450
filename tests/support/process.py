"""Start `infoscreen <role>` as a real subprocess and wait until its /health answers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port


@dataclass
class InfoscreenProcess:
    proc: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    env: dict[str, str]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise
        return self.proc.returncode


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"infoscreen exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            response = httpx.get(f"{base_url}/health", timeout=2)
            last = response.text
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise TimeoutError(f"not healthy after {timeout}s (last: {last}):\n{log_path.read_text()[-4000:]}")


PORT_TAKEN = "address already in use"


def _start(role: str, tmp_path: Path, env_overrides: dict[str, str]) -> InfoscreenProcess:
    http_port = free_port()
    # NICEGUI_*: an in-process app of this pytest run sets its storage path; a child must keep its own,
    # or a language remembered by one test's browser leaks into the next server.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "MQTT_", "REDIS_", "ENV", "NICEGUI_"))}
    env.update(
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=str(http_port),
        DATA_DIR=str(tmp_path / f"data-{role}-{http_port}"),
        MQTT_BROKER_PORT=str(free_port()),
        DEFAULT_SUPERADMIN_PASSWORD="superadmin-pass",
        SECRET_KEY="test-secret",
        LOG_LEVEL="INFO",
    )
    env.update(env_overrides)
    log_path = tmp_path / f"infoscreen-{role}-{http_port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", role], env=env, stdout=log, stderr=subprocess.STDOUT)
    return InfoscreenProcess(proc, f"http://127.0.0.1:{env['HTTP_PORT']}", log_path, env)


@contextlib.contextmanager
def infoscreen(role: str, tmp_path: Path, **env_overrides: str) -> Iterator[InfoscreenProcess]:
    """One real process; a free port taken by another worker between choosing and binding means new ports."""
    for attempt in range(3):
        handle = _start(role, tmp_path, env_overrides)
        try:
            wait_healthy(handle.base_url, handle.proc, handle.log_path)
            break
        except BaseException as exc:
            if handle.proc.poll() is None:
                handle.proc.kill()
            handle.proc.wait(10)
            retry = isinstance(exc, RuntimeError) and PORT_TAKEN in handle.log() and "HTTP_PORT" not in env_overrides
            if attempt == 2 or not retry:
                raise
    try:
        yield handle
    finally:
        if handle.proc.poll() is None:
            handle.proc.kill()
            handle.proc.wait(10)
