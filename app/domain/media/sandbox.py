"""Running the local converter with limits it cannot exceed, and saying afterwards which one it hit.

The command runs under a small supervisor (a fresh Python interpreter, `-I`) in its own session/process
group. The supervisor forks, sets the kernel limits in the child and execs the converter:

- RLIMIT_AS   (`CONVERTER_MEMORY_MB`): address space of every process of the converter;
- RLIMIT_CPU  (`CONVERTER_CPU_SECONDS`): CPU time per process (SIGXCPU, then SIGKILL two seconds later);
- RLIMIT_FSIZE (`CONVERTER_MAX_OUTPUT_MB`): the largest file any of them may write (the PDF included).

Children inherit the limits (LibreOffice's `soffice` script starts `oosplash`, which starts `soffice.bin`).
The supervisor waits for its child and reports the CPU time of the whole tree (wait4 includes reaped
descendants) on a marker line. The wall time (`CONVERSION_TIMEOUT_SECONDS`) is enforced here: the whole
process group is killed with SIGKILL, and it is killed again after every run so nothing a converter left
behind survives it. Limits are set with setrlimit in the supervisor's child, never with `preexec_fn`,
which is unsafe in the threaded worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings

MB = 1024 * 1024
REPORT_MARKER = "@@infoscreen-sandbox "

_SUPERVISOR = f"""
import json, os, resource, sys
mem, cpu, fsize = (int(v) for v in sys.argv[1:4])
argv = sys.argv[4:]
pid = os.fork()
if pid == 0:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stdout.flush()
print("\\n{REPORT_MARKER}" + json.dumps({{"code": code, "cpu": usage.ru_utime + usage.ru_stime}}), flush=True)
os._exit(code if code >= 0 else 128 - code)
"""


@dataclass(frozen=True, slots=True)
class ConverterLimits:
    memory_bytes: int = 3072 * MB
    cpu_seconds: int = 300
    output_bytes: int = 512 * MB
    wall_seconds: float = 180

    @classmethod
    def from_settings(cls, settings: Settings) -> ConverterLimits:
        return cls(
            memory_bytes=settings.converter_memory_mb * MB,
            cpu_seconds=settings.converter_cpu_seconds,
            output_bytes=settings.converter_max_output_mb * MB,
            wall_seconds=settings.conversion_timeout_seconds,
        )


@dataclass(frozen=True, slots=True)
class SandboxResult:
    returncode: int  # the converter's exit code; negative: killed by that signal
    output: str  # stdout and stderr of the converter (without the supervisor's report)
    cpu_seconds: float
    timed_out: bool

    def cpu_exhausted(self, limits: ConverterLimits) -> bool:
        # SIGXCPU arrives once the soft limit is used up; LibreOffice's crash handler turns it into an abort.
        return self.cpu_seconds >= limits.cpu_seconds - 0.05


async def run_limited(
    argv: list[str], limits: ConverterLimits, *, env: Mapping[str, str], cwd: Path | None = None
) -> SandboxResult:
    """Run `argv` under the limits; kills its process group on the wall-time limit and after it ends."""
    command = [
        sys.executable,
        "-I",
        "-c",
        _SUPERVISOR,
        str(limits.memory_bytes),
        str(limits.cpu_seconds),
        str(limits.output_bytes),
        *argv,
    ]
    proc = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
        start_new_session=True,
        env=dict(env),
        cwd=str(cwd) if cwd else None,
    )
    timed_out = False
    try:
        stdout, _ = await asyncio.wait_for(proc.communicate(), limits.wall_seconds)
    except TimeoutError:
        timed_out = True
        stdout = b""
    finally:
        await kill_group(proc)
    return _parse(stdout.decode(errors="replace"), proc.returncode, timed_out)


def _parse(text: str, returncode: int | None, timed_out: bool) -> SandboxResult:
    output, _, report = text.rpartition("\n" + REPORT_MARKER)
    code, cpu = (returncode or 0), 0.0
    if report:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(report.strip())
            code, cpu = int(data["code"]), float(data["cpu"])
    else:
        output = text
    return SandboxResult(returncode=code, output=output, cpu_seconds=cpu, timed_out=timed_out)


async def kill_group(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the process group led by `proc` (the converter and everything it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        await proc.wait()


def largest_file(root: Path, *, exclude: Path | None = None) -> int:
    """Size of the largest file under `root` but `exclude` (to tell an output-size kill from other failures)."""
    sizes = [p.stat().st_size for p in root.rglob("*") if p.is_file() and p != exclude]
    return max(sizes, default=0)
