"""Throwaway MariaDB, Redis and Mosquitto servers on free loopback ports, for the test session.

Each server lives in its own temporary directory and is killed at teardown. Missing binaries are an
error, never a skip: `make test` installs them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def require_binary(*names: str) -> str:
    for name in names:
        for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
            if candidate and os.access(candidate, os.X_OK):
                return candidate
    raise RuntimeError(f"{names[0]} is not installed: run `make test` (it installs the test services)")


@dataclass
class RunningServer:
    port: int
    workdir: Path
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def mariadb_server() -> Iterator[RunningServer]:
    mariadbd = require_binary("mariadbd", "mysqld")
    install_db = require_binary("mariadb-install-db", "mysql_install_db")
    workdir = Path(tempfile.mkdtemp(prefix="infoscreen-mariadb-"))
    datadir = workdir / "data"
    subprocess.run(
        [install_db, "--no-defaults", f"--datadir={datadir}", "--user=root", "--auth-root-authentication-method=normal",
         "--skip-test-db"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    port = free_port()
    proc = subprocess.Popen(
        [mariadbd, "--no-defaults", f"--datadir={datadir}", f"--socket={workdir / 'mysqld.sock'}",
         f"--pid-file={workdir / 'mysqld.pid'}", f"--port={port}", "--bind-address=127.0.0.1", "--user=root",
         "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=128M",
         "--innodb-flush-log-at-trx-commit=2", "--max-connections=500", "--character-set-server=utf8mb4",
         "--collation-server=utf8mb4_unicode_ci", f"--log-error={workdir / 'error.log'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = RunningServer(port, workdir, proc)
    try:
        wait_for_port(port, 60, proc)
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def redis_server() -> Iterator[RunningServer]:
    binary = require_binary("redis-server")
    workdir = Path(tempfile.mkdtemp(prefix="infoscreen-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--protected-mode", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = RunningServer(port, workdir, proc)
    try:
        wait_for_port(port, 20, proc)
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def mosquitto_server(
    extra_config: str = "", *, anonymous: bool = True, port: int | None = None
) -> Iterator[RunningServer]:
    """`port`: reuse a known port (e.g. to restart a broker where clients expect it)."""
    binary = require_binary("mosquitto")
    workdir = Path(tempfile.mkdtemp(prefix="infoscreen-mosquitto-"))
    port = port or free_port()
    config = workdir / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\n"
        f"allow_anonymous {'true' if anonymous else 'false'}\n"
        "persistence false\n"
        "max_packet_size 16777216\n"
        "log_dest stderr\n"
        "log_type error\n"
        "log_type warning\n" + extra_config
    )
    proc = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = RunningServer(port, workdir, proc)
    try:
        wait_for_port(port, 20, proc)
        yield server
    finally:
        server.stop()


DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"


@dataclass
class DynsecBroker(RunningServer):
    admin_user: str
    admin_password: str


@contextlib.contextmanager
def mosquitto_dynsec_server(
    admin_user: str = "infoscreen-server", admin_password: str = "server-admin-password-0123456789"
) -> Iterator[DynsecBroker]:
    """Mosquitto with the dynamic-security plugin, anonymous off, one admin account (as docker/mosquitto does)."""
    binary = require_binary("mosquitto")
    ctrl = require_binary("mosquitto_ctrl")
    if not os.path.exists(DYNSEC_PLUGIN):
        raise RuntimeError(f"{DYNSEC_PLUGIN} is missing: install Debian's mosquitto package")
    workdir = Path(tempfile.mkdtemp(prefix="infoscreen-dynsec-"))
    state = workdir / "dynamic-security.json"
    subprocess.run([ctrl, "dynsec", "init", str(state), admin_user, admin_password], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    port = free_port()
    config = workdir / "mosquitto.conf"
    config.write_text(
        "per_listener_settings false\n"
        # Started as root, Mosquitto would switch to the `mosquitto` user, which cannot read (or save) the
        # dynamic-security file in this private directory.
        f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        "persistence false\n"
        "max_packet_size 16777216\n"
        f"plugin {DYNSEC_PLUGIN}\n"
        f"plugin_opt_config_file {state}\n"
        "log_dest stderr\n"
        "log_type error\n"
        "log_type warning\n"
    )
    proc = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = DynsecBroker(port, workdir, proc, admin_user, admin_password)
    try:
        wait_for_port(port, 20, proc)
        yield server
    finally:
        server.stop()
