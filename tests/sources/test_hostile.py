"""Hostile input is normal input: each case is a finding with file and line, and the scan goes on.

Time and memory per hostile file are targets (2 s, 200 MB): benchmarks/hostile.py measures them.
The bounds here only guard against a hang or a runaway, with room for a loaded CI machine.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from benchmarks.hostile import big_file, hostile_inputs

from bulkhead.config import Config
from bulkhead.scan import scan

HANG_GUARD_SECONDS = 30.0
GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine, namespace: acme-prod}\n"


HOSTILE = hostile_inputs()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_a_finding_and_the_scan_goes_on(name: str, tmp_path: Path) -> None:
    content, expected_line = HOSTILE[name]
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.yaml").write_text(GOOD)
    started = time.perf_counter()
    report = scan([str(tmp_path)], Config())
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    failed = [f for f in report.findings if f.control == "IN001"]
    assert [Path(f.location.file).name for f in failed] == [name]
    if expected_line:
        assert failed[0].location.line == expected_line
    statuses = {Path(i.path).name: i.status.value for i in report.inputs}
    assert statuses == {name: "failed", "good.yaml": "scanned"}


def test_fifo_named_yaml_does_not_block(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "good.yaml").write_text(GOOD)
    report = scan([str(tmp_path)], Config())
    assert [i.path for i in report.inputs] == [str(tmp_path / "good.yaml")]


def test_fifo_given_explicitly_is_an_input_error(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    report = scan([str(tmp_path / "pipe.yaml")], Config())
    assert [f.control for f in report.findings] == ["IN001", "IN005"]


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big_file(tmp_path / "big.yaml")
    (tmp_path / "good.yaml").write_text(GOOD)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = scan([str(tmp_path)], Config())
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 20  # the file is refused by its size, never read into memory
    failed = [f for f in report.findings if f.control == "IN001"]
    assert len(failed) == 1
    assert "MiB limit" in failed[0].message


def test_largest_allowed_file_parses_within_bounds(tmp_path: Path) -> None:
    """Just under the 4 MiB limit: a realistic worst case of many small objects."""
    doc = GOOD.replace("fine", "cm-{i}") + "data:\n  odoo.conf: '[options]'\n"
    parts = []
    size = 0
    i = 0
    while size < 4 * 1024 * 1024 - 1024:
        part = "---\n" + doc.replace("{i}", str(i))
        parts.append(part)
        size += len(part)
        i += 1
    (tmp_path / "large.yaml").write_text("".join(parts))
    started = time.perf_counter()
    report = scan([str(tmp_path)], Config(), controls=[])
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert report.inputs[0].objects == i
    assert report.inputs[0].status.value == "scanned"
