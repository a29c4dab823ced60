"""The one door to subprocesses (`pg_dump`, `pg_restore`), and the client tools behind it.

`Runner` is a small Protocol so tests can replace it: a runner that raises
`FileNotFoundError` is a missing tool, one that fails the second `pg_restore` call is an
interrupted restore. The real runner never uses a shell, closes stdin, and kills the child if
the caller is interrupted (SIGINT, SIGTERM), times out or its `on_line` callback raises, so
nothing keeps writing after the drill has given up. Passwords travel in the environment
(`PGPASSWORD`), never in `argv`. With `on_line`, every line the tool writes to stderr is given
to the callback as it comes (the drill follows `pg_restore --verbose` to check each table as
soon as it is loaded).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bulkhead.drills.errors import DrillError

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
_STDERR_KEPT = 64 * 1024
_SEARCH_DIRS = (
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
)


@dataclass(frozen=True, slots=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


LineCallback = Callable[[str], None]


class Runner(Protocol):
    def __call__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        timeout: float | None,
        on_line: LineCallback | None = None,
    ) -> Completed:
        """Run `argv` (no shell) with `env` added to the process environment; with `on_line`,
        give it each stderr line (without its newline) as the tool writes it."""
        ...


def subprocess_runner(
    argv: Sequence[str],
    env: Mapping[str, str],
    timeout: float | None,
    on_line: LineCallback | None = None,
) -> Completed:
    """The real runner. OSError (FileNotFoundError: no such tool) propagates to the caller."""
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    try:
        if on_line is None:
            stdout, stderr = process.communicate(timeout=timeout)
        else:
            stdout, stderr = _follow(process, timeout, on_line)
    except BaseException:
        # Interrupted (KeyboardInterrupt, the SIGTERM handler's exception), timed out or the
        # callback failed: the child must not outlive the drill, or it would keep writing into
        # the scratch database.
        process.kill()
        process.wait()
        raise
    return Completed(
        process.returncode,
        stdout.decode("utf-8", "replace"),
        stderr[-_STDERR_KEPT:].decode("utf-8", "replace"),
    )


def _follow(
    process: subprocess.Popen[bytes], timeout: float | None, on_line: LineCallback
) -> tuple[bytes, bytes]:
    """Read stderr line by line (stdout drained by a thread, so neither pipe fills up); the
    last `_STDERR_KEPT` bytes of stderr are kept. A timer kills the tool at the timeout."""
    assert process.stdout is not None and process.stderr is not None
    output: list[bytes] = []
    drain = threading.Thread(
        target=lambda: output.append(process.stdout.read() if process.stdout else b""),
        name="bulkhead-stdout",
        daemon=True,
    )
    drain.start()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, expire) if timeout is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    kept = bytearray()
    try:
        # Lines are bounded: a tool writing megabytes without a newline is read in pieces.
        while line := process.stderr.readline(_STDERR_KEPT):
            kept += line
            del kept[:-_STDERR_KEPT]
            on_line(line.decode("utf-8", "replace").rstrip("\r\n"))
        process.wait()
    finally:
        if timer is not None:
            timer.cancel()
        if process.poll() is None:
            process.kill()  # the callback failed or we were interrupted: nothing outlives us
        drain.join()
        process.stdout.close()
        process.stderr.close()
    if expired.is_set():
        raise subprocess.TimeoutExpired(process.args, timeout or 0)
    return (output[0] if output else b""), bytes(kept)


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    path: str
    major: int
    version: str


def last_error_line(stderr: str) -> str:
    """The most telling line of a client tool's stderr: the last `error:` line, else the last
    non-empty one."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line or "FATAL:" in line]
    chosen = (errors or lines or ["no message"])[-1]
    for prefix in ("pg_dump: error: ", "pg_restore: error: "):
        if chosen.startswith(prefix):
            chosen = chosen[len(prefix) :]
    return " ".join(chosen.split())


def _newest_first(directory: str) -> tuple[int, ...]:
    return tuple(-int(number) for number in re.findall(r"\d+", directory))


def _candidates(name: str, pg_bin: Path | None) -> list[str]:
    """Where to look for `name`, in order: `--pg-bin`; else PATH, then the per-version
    directories, newest first. When PATH holds Debian's `pg_wrapper` (a Perl script that
    chooses among those same per-version binaries and then runs one), the binaries come first:
    the wrapper costs tens of milliseconds a call, and a drill calls four times."""
    if pg_bin is not None:
        return [str(pg_bin / name)]
    from glob import glob

    versioned = [
        candidate
        for pattern in _SEARCH_DIRS
        for directory in sorted(glob(pattern), key=_newest_first)
        if os.access(candidate := str(Path(directory) / name), os.X_OK)
    ]
    found = shutil.which(name)
    if found is None:
        return [name, *versioned]
    if Path(found).resolve().name == "pg_wrapper":
        return [*versioned, found]
    return [found, *(path for path in versioned if path != found)]


def _version(runner: Runner, path: str, name: str) -> Tool:
    try:
        completed = runner([path, "--version"], {}, 60.0)
    except FileNotFoundError:
        raise DrillError(
            f"{name} not found ({path}): install the PostgreSQL client tools or pass --pg-bin DIR"
        ) from None
    except OSError as error:
        raise DrillError(f"cannot run {name} ({path}): {error.strerror or error}") from None
    match = _VERSION.search(completed.stdout)
    if completed.returncode != 0 or match is None:
        raise DrillError(f"{path} --version did not print a PostgreSQL version")
    version = f"{match.group(1)}.{match.group(2) or 0}"
    return Tool(name, path, int(match.group(1)), version)


def find_tool(runner: Runner, name: str, pg_bin: Path | None, at_least: int) -> Tool:
    """`name` (pg_dump, pg_restore) of major version >= `at_least`: `--pg-bin`, else PATH,
    else the usual per-version directories (Debian, RHEL, Homebrew). DrillError otherwise."""
    tools: list[Tool] = []
    first_error: DrillError | None = None
    for path in _candidates(name, pg_bin):
        try:
            tool = _version(runner, path, name)
        except DrillError as error:
            first_error = first_error or error
            continue
        if tool.major >= at_least:
            return tool
        tools.append(tool)
    if not tools and first_error is not None:
        raise first_error
    shown = ", ".join(f"{t.path} is {t.version}" for t in tools)
    raise DrillError(
        f"{name} {at_least} or newer is needed ({shown}): install the PostgreSQL {at_least} "
        "client tools or pass --pg-bin DIR"
    )
