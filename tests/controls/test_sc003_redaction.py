"""A committed token is reported by type and fingerprint; no output format carries the token."""

from __future__ import annotations

from pathlib import Path

from bulkhead.controls import by_id
from bulkhead.formatters import FORMATS, render
from tests.helpers import scan_files

TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def test_token_never_printed(tmp_path: Path) -> None:
    manifest = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  note: {TOKEN}\n"
    report = scan_files(tmp_path, {"cm.yaml": manifest}, ["SC003"])
    [finding] = report.findings
    assert finding.message.startswith("GitHub Token <redacted sha256:")
    for fmt in FORMATS:
        assert TOKEN not in render(report, fmt, by_id())
