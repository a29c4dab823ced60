"""The dispatcher: every format renders, unknown formats and missing metadata fail loudly."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bulkhead.controls import by_id
from bulkhead.formatters import FORMATS, control_ids, input_counts, render
from bulkhead.model import Finding, Location, Report, Severity
from bulkhead.scan import scan
from tests.formatters.sample import CONTROLS, clean_report, sample_report
from tests.helpers import TODAY, write_tree

ROOT = Path(__file__).resolve().parents[2]


def test_formats_are_the_documented_five() -> None:
    assert FORMATS == ("table", "json", "sarif", "junit", "markdown")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_text_ending_in_a_newline(fmt: str) -> None:
    for report in (sample_report(), clean_report()):
        text = render(report, fmt, CONTROLS)
        assert text.endswith("\n")
        assert not text.endswith("\n\n")


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("table", "No findings."),
        ("json", '"schema_version"'),
        ("sarif", '"version": "2.1.0"'),
        ("junit", "<testsuites"),
        ("markdown", "## bulkhead scan"),
    ],
)
def test_dispatch_picks_the_right_formatter(fmt: str, marker: str) -> None:
    assert marker in render(clean_report(), fmt, CONTROLS)


def test_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        render(sample_report(), "yaml", CONTROLS)


def test_missing_control_metadata_is_a_value_error() -> None:
    controls = {k: v for k, v in CONTROLS.items() if k != "WL001"}
    with pytest.raises(ValueError, match="WL001"):
        render(sample_report(), "json", controls)


def test_control_ids_add_finding_controls_missing_from_the_run() -> None:
    stray = Finding("WL001", Severity.LOW, "t", "m", Location("a.yaml"))
    report = Report(inputs=(), findings=(stray,), controls=("IN002", "IN001"))
    assert control_ids(report) == ("IN002", "IN001", "WL001")


def test_input_counts() -> None:
    assert input_counts(sample_report()) == {"scanned": 2, "rendered": 1, "failed": 1, "skipped": 1}


def test_importing_the_package_loads_no_formatter() -> None:
    code = (
        "import sys, bulkhead.formatters\n"
        "heavy = [m for m in ('rich', 'xml.etree.ElementTree', 'bulkhead.formatters.table',"
        " 'bulkhead.formatters.sarif', 'bulkhead.formatters.json') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert result.stdout.strip() == ""


WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  template:
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
          securityContext:
            privileged: true
"""


def scanned_report(root: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    """A real scan of a relative path, as CI runs it from the repository root."""
    write_tree(root, {"deploy/web.yaml": WEB, "deploy/broken.yaml": "a: [\n"})
    monkeypatch.chdir(root)
    table = by_id()
    chosen = [table[c] for c in ("IN001", "IN002", "WL001")]
    return scan(["deploy"], None, controls=chosen, today=TODAY)


def test_a_real_scan_renders_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = scanned_report(tmp_path, monkeypatch)
    assert sorted((f.control, f.location.file) for f in report.findings) == [
        ("IN001", "deploy/broken.yaml"),
        ("WL001", "deploy/web.yaml"),
    ]
    document = json.loads(render(report, "json", CONTROLS))
    assert document["summary"]["inputs"] == {"scanned": 1, "rendered": 0, "failed": 1, "skipped": 0}
    log = json.loads(render(report, "sarif", CONTROLS))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"deploy/broken.yaml", "deploy/web.yaml"}
    root = ET.fromstring(render(report, "junit", CONTROLS).encode("utf-8"))
    assert root.get("failures") == "2"
    assert "| critical | WL001 Container runs privileged |" in render(report, "markdown", CONTROLS)
    lines = render(report, "table", CONTROLS).splitlines()
    assert (
        lines[-1]
        == "1 critical, 1 high, 0 medium, 0 low, 0 info; 0 suppressed; 1 input scanned, 1 failed"
    )
