"""One driver for every control: each case in tests/controls/cases/<ID>.yaml becomes a test.

A case file:

    control: WL001
    cases:
      - name: privileged init container in a CronJob
        files:                       # or `manifest: |` for a single manifest.yaml
          cron.yaml: |
            ...
        config: {approved-registries: [registry.example.com]}   # optional bulkhead.toml keys
        expect:                      # every finding of this control: path and line
          - {path: "spec.template.spec.containers[0].securityContext.privileged", line: 12}
          # a Dockerfile or input finding may give `file` (relative) instead of a path
      - name: hardened
        manifest: |
          ...
        expect: []

Tests assert locations (path and line, and file when given), not counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bulkhead.config import parse_config
from tests.helpers import scan_files

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    params = []
    for case_file in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        control = data["control"]
        for case in data["cases"]:
            params.append(pytest.param(control, case, id=f"{control}-{case['name']}"))
    return params


@pytest.mark.parametrize(("control", "case"), _load_cases())
def test_case(control: str, case: dict[str, Any], tmp_path: Path) -> None:
    files = case.get("files") or {"manifest.yaml": case["manifest"]}
    config = parse_config(case.get("config", {}), "case") if "config" in case else None
    report = scan_files(tmp_path, files, controls=[control], config=config)
    actual = set()
    for finding in report.findings:
        assert finding.control == control
        relative = Path(finding.location.file).relative_to(tmp_path).as_posix()
        actual.add((relative, finding.path, finding.location.line))
    expected = set()
    for entry in case["expect"]:
        file = entry.get("file") or next(iter(files))
        expected.add((file, entry.get("path", ""), entry["line"]))
    assert actual == expected, "\n".join(
        f"{f.location.line}: {f.path}: {f.message}" for f in report.findings
    )
