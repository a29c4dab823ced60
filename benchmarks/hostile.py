"""Hostile inputs: each must be a finding within 2 s and 200 MB, and the scan must go on.

    python benchmarks/hostile.py [--runs 5] [--write]

Every file is scanned on its own by a fresh `bulkhead scan` process (benchmarks/measure.py); the
table gives the median wall time and that process's own peak RSS, interpreter included.
The same corpus drives tests/sources/test_hostile.py, which checks the findings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import Sample, bulkhead_code, measure  # noqa: E402

TIME_TARGET_S = 2.0
RSS_TARGET_MB = 200.0


def _alias_bomb(levels: int = 12) -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        previous, current = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{current}: &{current} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def hostile_inputs() -> dict[str, tuple[bytes, int]]:
    """File name -> (content, line the finding must name; 0 when any line will do)."""
    return {
        "bomb.yaml": (_alias_bomb(), 0),
        "deep-flow.yaml": (b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", 1),
        # block nesting costs indentation: 600 levels already take 360 kB
        "deep-block.yaml": ("".join("  " * i + "k:\n" for i in range(600)).encode() + b"v\n", 0),
        "deep-sequence.yaml": (b"- " * 10_000 + b"x\n", 1),
        "invalid-utf8.yaml": (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \xff\xfe\n", 4),
        "binary.yaml": (b"apiVersion: v1\n" + bytes(range(256)) * 4, 2),
        "python-tag.yaml": (
            b"apiVersion: v1\nkind: Pod\nmetadata: !!python/object/new:os.system [id]\n",
            3,
        ),
        "garbage.yaml": (b"::: ::: - [ } { ] @ ` %\n\t\t- - -\n", 1),
        "tab-indent.yaml": (b"a:\n\tb: 1\n", 2),
    }


def big_file(path: Path, megabytes: int = 50) -> None:
    with path.open("wb") as handle:
        handle.write(b"a: " + b"x" * (megabytes * 1024 * 1024) + b"\n")


def _measure(path: Path) -> Sample:
    return measure(
        bulkhead_code(["scan", str(path), "--format", "json", "--output", os.devnull]),
        accept=(0, 1, 2),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="append to benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = [
        "| input | size | median time (s) | peak RSS (MB) | exit |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    failures = []
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        files: list[Path] = []
        for name, (content, _) in hostile_inputs().items():
            (directory / name).write_bytes(content)
            files.append(directory / name)
        big_file(directory / "fifty-megabytes.yaml")
        files.append(directory / "fifty-megabytes.yaml")
        for path in files:
            runs = [_measure(path) for _ in range(args.runs)]
            seconds = statistics.median(r.seconds for r in runs)
            rss = max(r.peak_rss_mb for r in runs)
            code = runs[0].exit_code
            size = path.stat().st_size
            rows.append(f"| {path.name} | {size:,} B | {seconds:.3f} | {rss:.0f} | {code} |")
            if seconds > TIME_TARGET_S or rss > RSS_TARGET_MB or code != 1:
                failures.append(path.name)
    table = "\n".join(rows)
    print(table)
    verdict = "all within target" if not failures else f"OVER TARGET: {', '.join(failures)}"
    print(
        f"\ntargets: <= {TIME_TARGET_S} s and <= {RSS_TARGET_MB:.0f} MB per file, exit 1; {verdict}"
    )
    if args.write:
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        with (ROOT / "benchmarks" / "RESULTS.md").open("a", encoding="utf-8") as results:
            results.write(
                f"\n## Hostile inputs, {dt.date.today().isoformat()} ({machine})\n\n"
                f"Each file scanned alone by a fresh process, median of {args.runs} runs; "
                f"peak RSS includes the interpreter.\n\n{table}\n\n{verdict}\n"
            )
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
