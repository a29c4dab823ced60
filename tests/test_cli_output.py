"""--output FILE: atomic for regular files, written through for devices and pipes."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from bulkhead.cli.common import emit


def test_regular_file_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    emit("new\n", target)
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left


def test_a_pipe_stays_a_pipe(tmp_path: Path) -> None:
    """`--output /dev/null` once renamed a file over the device; a FIFO shows the same path."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    emit("through the pipe\n", fifo)
    reader.join(timeout=10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
