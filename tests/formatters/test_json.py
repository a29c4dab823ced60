"""The JSON report: documented keys, in order, with the documented types."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import bulkhead
from bulkhead.formatters import json as json_format
from bulkhead.model import JSON_SCHEMA_VERSION
from tests.formatters.sample import CONTROLS, NOTICES, clean_report, sample_report

DOCS = Path(__file__).resolve().parents[2] / "docs" / "output-formats.md"
FINDING_KEYS = [
    "control",
    "slug",
    "severity",
    "title",
    "message",
    "resource",
    "location",
    "path",
    "fingerprint",
    "suppressed",
    "suppression",
]


def document() -> dict[str, Any]:
    loaded = json.loads(json_format.render(sample_report(), CONTROLS))
    assert isinstance(loaded, dict)
    return loaded


def test_top_level_keys_in_order() -> None:
    doc = document()
    assert list(doc) == ["schema_version", "tool", "inputs", "findings", "notices", "summary"]
    assert doc["schema_version"] == JSON_SCHEMA_VERSION
    assert isinstance(doc["schema_version"], str)
    assert doc["tool"] == {"name": "bulkhead", "version": bulkhead.__version__}


def test_inputs() -> None:
    inputs = document()["inputs"]
    assert [list(i) for i in inputs] == [["path", "kind", "status", "objects", "detail"]] * 5
    assert inputs[3] == {
        "path": "deploy/broken.yaml",
        "kind": "manifest",
        "status": "failed",
        "objects": 0,
        "detail": "mapping values are not allowed",
    }
    assert [i["status"] for i in inputs] == ["scanned", "scanned", "rendered", "failed", "skipped"]


def test_findings_keep_report_order_and_field_types() -> None:
    findings = document()["findings"]
    report = sample_report()
    assert [f["fingerprint"] for f in findings] == [f.fingerprint for f in report.findings]
    for item in findings:
        assert list(item) == FINDING_KEYS
        assert item["severity"] in {"critical", "high", "medium", "low", "info"}
        assert isinstance(item["location"]["line"], int)
        assert isinstance(item["suppressed"], bool)
        assert item["suppressed"] is (item["suppression"] is not None)


def test_finding_with_resource() -> None:
    web = next(f for f in document()["findings"] if f["location"]["line"] == 17)
    assert web["control"] == "WL001"
    assert web["slug"] == "privileged-container"
    assert web["severity"] == "critical"
    assert web["resource"] == {"kind": "Deployment", "namespace": "acme-prod", "name": "odoo-web"}
    assert web["location"] == {"file": "deploy/web.yaml", "line": 17}
    assert web["path"] == "spec.template.spec.containers[0].securityContext.privileged"
    assert web["message"].endswith("\nsecond line")


def test_finding_without_resource_has_null_resource() -> None:
    broken = next(f for f in document()["findings"] if f["control"] == "IN001")
    assert broken["resource"] is None
    assert broken["slug"] == "unparseable-input"
    assert broken["path"] == ""


def test_suppressed_findings_carry_their_suppression() -> None:
    suppressed = [f for f in document()["findings"] if f["suppressed"]]
    assert [f["suppression"] for f in suppressed] == [
        {"source": "annotation", "reason": "debug pod | removed in Q3", "expires": "2027-03-31"},
        {"source": "baseline", "reason": "accepted in the 2026-11 baseline", "expires": None},
    ]


def test_notices() -> None:
    assert document()["notices"] == [
        {"message": NOTICES[0].message, "file": "bulkhead.toml", "line": 12},
        {"message": NOTICES[1].message, "file": None, "line": None},
    ]


def test_summary_counts_active_findings_only() -> None:
    assert document()["summary"] == {
        "total": 3,
        "suppressed": 2,
        "by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 1, "info": 0},
        "inputs": {"scanned": 2, "rendered": 1, "failed": 1, "skipped": 1},
        "controls": 4,
    }


def test_clean_report() -> None:
    doc = json.loads(json_format.render(clean_report(), CONTROLS))
    assert doc["findings"] == []
    assert doc["summary"]["total"] == 0
    assert doc["summary"]["controls"] == 2


def test_output_is_indented_ascii_with_a_final_newline() -> None:
    text = json_format.render(sample_report(), CONTROLS)
    assert text.startswith('{\n  "schema_version"')
    assert text.endswith("}\n")
    assert text.isascii()


def _shape(value: Any) -> Any:
    """Keys (in order) and value types, recursively; lists by their first element."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_documented_example_has_the_real_shape() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    example = json.loads(blocks[0])
    real = document()
    # The example shows a finding with a resource and a suppression, and a notice with a file.
    real["findings"] = [f for f in real["findings"] if f["resource"] and f["suppression"]]
    example["findings"] = [f for f in example["findings"] if f["resource"] and f["suppression"]]
    assert real["findings"]
    assert _shape(example) == _shape(real)
    assert example["schema_version"] == JSON_SCHEMA_VERSION
