"""Run a Python workload in a fresh process and measure its wall time and its own peak memory.

Peak memory is the child's VmHWM read at its exit. `ru_maxrss` from wait4 is not used: on Linux
a child started with vfork (as subprocess does) inherits the parent's high-water mark across
exec, so a benchmark parent holding generated data would be counted in every child.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

_PEAK_PRELUDE = """\
import atexit as _atexit, os as _os
def _report_peak():
    with open("/proc/self/status") as _status:
        _peak = next(l.split()[1] for l in _status if l.startswith("VmHWM:"))
    with open(_os.environ["BENCH_PEAK_FILE"], "w") as _out:
        _out.write(_peak)
_atexit.register(_report_peak)
"""


class MeasureError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    peak_rss_mb: float
    exit_code: int


def python() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def bulkhead_code(args: Sequence[str]) -> str:
    """Python source that runs `bulkhead ARGS` as the console script does."""
    return f"import sys\nsys.argv = {['bulkhead', *args]!r}\nfrom bulkhead.cli import run\nrun()\n"


def measure(code: str, accept: Sequence[int] = (0,)) -> Sample:
    """Run `code` in a fresh interpreter; its exit code must be in `accept`."""
    with tempfile.TemporaryDirectory() as work:
        peak_file = Path(work) / "peak"
        errors_file = Path(work) / "stderr"
        env = {**os.environ, "BENCH_PEAK_FILE": str(peak_file)}
        with errors_file.open("wb") as errors:
            started = time.perf_counter()
            completed = subprocess.run(
                [python(), "-c", _PEAK_PRELUDE + code],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=env,
                check=False,
            )
            elapsed = time.perf_counter() - started
        if completed.returncode not in accept:
            detail = errors_file.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
            raise MeasureError(f"exit {completed.returncode}:\n{detail}")
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
    return Sample(elapsed, peak_kb / 1024, completed.returncode)
