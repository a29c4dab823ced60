"""What every command shares: exit codes, one-line errors, output files, terminal facts."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UserError(Exception):
    """An error the user can fix; printed as one line, exit code 2."""


def fail(message: str) -> NoReturn:
    sys.stderr.write(f"bulkhead: error: {message}\n")
    raise typer.Exit(EXIT_ERROR)


@contextmanager
def guard(debug: bool, expected: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """No traceback reaches a user unless --debug asks for one. `expected` are the error
    types of the command's own modules whose message is meant for the user; the scan's are
    always known."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("bulkhead: interrupted\n")
        raise typer.Exit(130) from None
    except Exception as error:
        if debug:
            traceback.print_exc()
        if isinstance(error, (UserError, *_scan_errors(), *expected)):
            fail(str(error))
        if isinstance(error, OSError):
            where = f" {error.filename}" if error.filename else ""
            fail(f"{error.strerror or error}{where}")
        fail(f"internal error: {error!r} (run with --debug for a traceback, and report it)")


def _scan_errors() -> tuple[type[Exception], ...]:
    """Imported when an error is being reported, not when every command starts: the config
    module alone loads pydantic."""
    from bulkhead.config import ConfigError
    from bulkhead.engine import EngineError, SelectionError
    from bulkhead.suppress import BaselineError

    return (ConfigError, BaselineError, SelectionError, EngineError)


def color(stream: object) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if output.exists() and not output.is_file():
        # A device or a pipe (/dev/null, /dev/stdout, a FIFO): renaming over it would replace
        # the device with a regular file, so write through it.
        with output.open("w", encoding="utf-8") as handle:
            handle.write(text)
        return
    # Write beside the target, then rename: a reader never sees half a report.
    descriptor, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
