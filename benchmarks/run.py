"""Measure `bulkhead scan` against its floor, for growing numbers of tenants.

    .venv/bin/python benchmarks/run.py [--tenants 100 300 1000] [--runs 5] [--write] [--check]

For each size, generate a GitOps repository (benchmarks/generate.py) into
benchmarks/.work/<tenants>/, then, in the same run and alternating:

- floor: a fresh Python process that walks the tree and loads every *.yaml/*.yml file with
  PyYAML's C loader (`yaml.load_all(text, Loader=yaml.CSafeLoader)`), the least any YAML-based
  scanner must do;
- scan: `bulkhead scan <dir> --config <dir>/bulkhead.toml --format json --output /dev/null
  --no-progress` (exit code 1 is expected, the repository has flaws; 2 aborts the benchmark).

Each measurement is its own fresh interpreter (benchmarks/measure.py): wall time from spawn to
exit, and the child's own peak RSS (VmHWM at exit). Times are medians over --runs, peak RSS is
the maximum over --runs. `bulkhead --version` is timed too (median of 10).

With --checkov BIN, Checkov (the most used Python IaC scanner) scans the smallest repository
once, for scale: `checkov -d DIR --framework kubernetes dockerfile -o json --quiet --compact
--skip-download`, on a copy at a visible path (Checkov silently skips hidden directories such as
benchmarks/.work). Its peak RSS comes from os.wait4, an upper bound.

The table goes to stdout; --write also appends it, with the machine's description, to
benchmarks/RESULTS.md; --check exits 1 when a target is missed (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.measure import MeasureError, bulkhead_code, measure  # noqa: E402

WORK = ROOT / "benchmarks" / ".work"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
VENV_BIN = ROOT / ".venv" / "bin"

# The targets of the issue (benchmarks/README.md).
MAX_RATIO = 2.0
MAX_RSS_MB_AT_100 = 150.0
MAX_VERSION_MS = 150.0
# "Linear": ms per tenant at the largest size at most this much above the smallest size's.
MAX_LINEARITY_DRIFT = 1.25

FLOOR_SNIPPET = """
import os, yaml
count = 0
for directory, _, names in os.walk(ROOT_DIRECTORY):
    for name in names:
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                text = handle.read()
            for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
                count += 1
print(count)
"""


BenchmarkError = MeasureError


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class Row:
    tenants: int
    files: int
    objects: int
    floor: Sample
    scan: Sample

    @property
    def ratio(self) -> float:
        return self.scan.seconds / self.floor.seconds

    @property
    def ms_per_tenant(self) -> float:
        return self.scan.seconds * 1000 / self.tenants


def combine(samples: Sequence[Sample]) -> Sample:
    """Median wall time, maximum peak RSS."""
    return Sample(
        statistics.median(s.seconds for s in samples), max(s.peak_rss_mb for s in samples)
    )


def _bulkhead() -> str:
    candidate = VENV_BIN / "bulkhead"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("bulkhead")
    if found is None:
        raise BenchmarkError("bulkhead not found: install the project into .venv first")
    return found


def bench_size(tenants: int, runs: int, warmup: int, seed: int) -> Row:
    target = WORK / str(tenants)
    if target.exists():
        shutil.rmtree(target)
    counts = generate(target, tenants, seed)
    floor_code = f"ROOT_DIRECTORY = {str(target)!r}\n{FLOOR_SNIPPET}"
    scan_code = bulkhead_code(
        [
            "scan",
            str(target),
            "--config",
            str(target / "bulkhead.toml"),
            "--format",
            "json",
            "--output",
            os.devnull,
            "--no-progress",
        ]
    )
    floors: list[Sample] = []
    scans: list[Sample] = []
    for index in range(warmup + runs):
        floor = measure(floor_code)
        scan = measure(scan_code, accept=(0, 1))
        if index >= warmup:
            floors.append(Sample(floor.seconds, floor.peak_rss_mb))
            scans.append(Sample(scan.seconds, scan.peak_rss_mb))
    files = counts["files"]
    objects = counts["objects"]
    assert isinstance(files, int) and isinstance(objects, int)
    return Row(tenants, files, objects, combine(floors), combine(scans))


@dataclass(frozen=True, slots=True)
class PeerResult:
    name: str
    tenants: int
    sample: Sample
    bulkhead: Sample


def measure_checkov(binary: str, tenants: int) -> Sample:
    with tempfile.TemporaryDirectory(prefix="bulkhead-bench-") as work:
        copy = Path(work) / "repo"
        shutil.copytree(WORK / str(tenants), copy)
        argv = [binary, "-d", str(copy), "--framework", "kubernetes", "dockerfile"]
        argv += ["-o", "json", "--quiet", "--compact", "--skip-download"]
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        if process.returncode not in (0, 1):
            raise BenchmarkError(f"checkov exited with {process.returncode}")
    return Sample(elapsed, usage.ru_maxrss / 1024)


def peer_line(peer: PeerResult) -> str:
    speed = peer.sample.seconds / peer.bulkhead.seconds
    memory = peer.sample.peak_rss_mb / peer.bulkhead.peak_rss_mb
    return (
        f"Peer at {peer.tenants} tenants: {peer.name} {peer.sample.seconds:.1f} s and "
        f"{peer.sample.peak_rss_mb:.0f} MB peak RSS (one run); bulkhead "
        f"{peer.bulkhead.seconds:.2f} s and {peer.bulkhead.peak_rss_mb:.0f} MB: "
        f"{speed:.0f}x faster, {memory:.0f}x less memory."
    )


def version_ms(runs: int = 10) -> float:
    code = bulkhead_code(["--version"])
    measure(code)  # warm the page cache
    return statistics.median(measure(code).seconds for _ in range(runs)) * 1000


def table(rows: Sequence[Row], version: float, runs: int) -> str:
    lines = [
        "| tenants | files | objects | floor s | scan s | scan/floor | scan peak RSS MB "
        "| floor peak RSS MB | scan ms/tenant |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.tenants} | {row.files} | {row.objects} | {row.floor.seconds:.3f} "
            f"| {row.scan.seconds:.3f} | {row.ratio:.2f} | {row.scan.peak_rss_mb:.1f} "
            f"| {row.floor.peak_rss_mb:.1f} | {row.ms_per_tenant:.2f} |"
        )
    lines.append("")
    lines.append(
        f"`bulkhead --version`: {version:.0f} ms (median of 10). Times are medians of {runs} "
        "runs, peak RSS the maximum."
    )
    return "\n".join(lines)


def verdicts(rows: Sequence[Row], version: float) -> list[tuple[str, bool]]:
    """Each target of the issue, and whether this run meets it."""
    results: list[tuple[str, bool]] = []
    for row in rows:
        text = f"scan <= {MAX_RATIO:g}x floor at {row.tenants} tenants ({row.ratio:.2f}x)"
        results.append((text, row.ratio <= MAX_RATIO))
    at_100 = [row for row in rows if row.tenants == 100]
    if at_100:
        rss = at_100[0].scan.peak_rss_mb
        text = f"peak RSS <= {MAX_RSS_MB_AT_100:g} MB at 100 tenants ({rss:.1f} MB)"
        results.append((text, rss <= MAX_RSS_MB_AT_100))
    if len(rows) >= 2:
        small = min(rows, key=lambda r: r.tenants)
        large = max(rows, key=lambda r: r.tenants)
        drift = large.ms_per_tenant / small.ms_per_tenant
        text = (
            f"linear: ms/tenant at {large.tenants} <= {MAX_LINEARITY_DRIFT:g}x that at "
            f"{small.tenants} ({drift:.2f}x)"
        )
        results.append((text, drift <= MAX_LINEARITY_DRIFT))
    text = f"bulkhead --version < {MAX_VERSION_MS:g} ms ({version:.0f} ms)"
    results.append((text, version < MAX_VERSION_MS))
    return results


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _tool_version(binary: str) -> str:
    """`<name> <version>` as the tool prints it for --version."""
    try:
        output = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, check=False, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return f"{Path(binary).name} (version unknown)"
    version = output.strip().splitlines()[-1] if output.strip() else "unknown"
    name = Path(binary).name
    return version if version.startswith(name) else f"{name} {version}"


def _bulkhead_version() -> str:
    return _tool_version(_bulkhead())


def _git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def section(rows: Sequence[Row], version: float, runs: int, peer: PeerResult | None) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = (
        f"- machine: `{platform.machine()}`, {os.cpu_count()} CPUs, {_cpu_model()}\n"
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{_bulkhead_version()}, commit {_git_commit()}\n"
    )
    checks = "\n".join(f"- [{'x' if ok else ' '}] {text}" for text, ok in verdicts(rows, version))
    comparison = f"\n{peer_line(peer)}\n" if peer else ""
    body = f"{machine}\n{table(rows, version, runs)}\n{comparison}"
    return f"## {now}\n\n{body}\nTargets:\n\n{checks}\n"


RESULTS_HEADER = """# Benchmark results

Appended by `python benchmarks/run.py --write`; see benchmarks/README.md for what is measured
and the targets. Newest last.
"""


def write_results(text: str) -> None:
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else RESULTS_HEADER
    RESULTS.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per size (median)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs per size first")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="append to benchmarks/RESULTS.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--checkov", metavar="BIN", help="also time this checkov, for scale")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0 or any(t < 1 for t in args.tenants):
        parser.error("--runs and --tenants must be positive, --warmup not negative")
    rows: list[Row] = []
    try:
        for tenants in sorted(set(args.tenants)):
            print(f"benchmarking {tenants} tenants...", file=sys.stderr, flush=True)
            row = bench_size(tenants, args.runs, args.warmup, args.seed)
            rows.append(row)
            print(
                f"  floor {row.floor.seconds:.3f} s, scan {row.scan.seconds:.3f} s "
                f"({row.ratio:.2f}x), scan peak RSS {row.scan.peak_rss_mb:.1f} MB",
                file=sys.stderr,
                flush=True,
            )
        version = version_ms()
        peer = None
        if args.checkov:
            smallest = rows[0]
            print(f"checkov on {smallest.tenants} tenants...", file=sys.stderr, flush=True)
            sample = measure_checkov(args.checkov, smallest.tenants)
            peer = PeerResult(_tool_version(args.checkov), smallest.tenants, sample, smallest.scan)
    except BenchmarkError as error:
        if rows:
            print(table(rows, float("nan"), args.runs))
        print(f"benchmark aborted: {error}", file=sys.stderr)
        return 2
    print(table(rows, version, args.runs))
    if peer is not None:
        print(f"\n{peer_line(peer)}")
    results = verdicts(rows, version)
    print()
    for text, ok in results:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    if args.write:
        write_results(section(rows, version, args.runs, peer))
        print(f"\nappended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    if args.check and not all(ok for _, ok in results):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
