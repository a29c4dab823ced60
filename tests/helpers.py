"""Shared test helpers: write files into a temporary tree and scan them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from bulkhead.config import Config
from bulkhead.controls import Control, by_id
from bulkhead.model import Report
from bulkhead.scan import scan
from bulkhead.sources.render import Runner, subprocess_runner

TODAY = dt.date(2026, 12, 4)


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def scan_files(
    root: Path,
    files: Mapping[str, str],
    controls: Sequence[str] | None = None,
    config: Config | None = None,
    runner: Runner = subprocess_runner,
) -> Report:
    write_tree(root, files)
    chosen: list[Control] | None = None
    if controls is not None:
        table = by_id()
        chosen = [table[c] for c in controls]
    return scan([str(root)], config, controls=chosen, runner=runner, today=TODAY)


def located(report: Report, root: Path) -> set[tuple[str, str, int]]:
    """(control, path, line) of each finding; files are relative to root."""
    return {(f.control, f.path, f.location.line) for f in report.findings}
