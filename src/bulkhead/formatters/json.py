"""The JSON report: a documented, stable document (docs/output-formats.md).

`schema_version` (model.JSON_SCHEMA_VERSION) changes its major number whenever a field is
removed or changes meaning; new fields bump the minor number. Keys keep the documented order.
The text is ASCII: anything else is written as a JSON `\\u` escape, so a file name that is not
valid UTF-8 cannot break the writer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import bulkhead
from bulkhead.controls import Control
from bulkhead.formatters import input_counts
from bulkhead.model import JSON_SCHEMA_VERSION, Finding, Report


def render(report: Report, controls: Mapping[str, Control]) -> str:
    """Top-level keys one per line, and each input, finding and notice on a line of its own.

    Readable and greppable, and every object goes through the C encoder: `indent=` would use the
    pure-Python one, three times slower on a large report.
    """
    parts = []
    for key, value in document(report, controls).items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {json.dumps(item)}" for item in value)
            parts.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        else:
            parts.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def document(report: Report, controls: Mapping[str, Control]) -> dict[str, Any]:
    """The report as plain JSON values, in the documented key order."""
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "bulkhead", "version": bulkhead.__version__},
        "inputs": [
            {
                "path": record.path,
                "kind": str(record.kind),
                "status": str(record.status),
                "objects": record.objects,
                "detail": record.detail,
            }
            for record in report.inputs
        ],
        "findings": [_finding(finding, controls) for finding in report.findings],
        "notices": [
            {
                "message": notice.message,
                "file": notice.location.file if notice.location else None,
                "line": notice.location.line if notice.location else None,
            }
            for notice in report.notices
        ],
        "summary": {
            "total": len(report.active),
            "suppressed": len(report.findings) - len(report.active),
            "by_severity": report.counts(),
            "inputs": input_counts(report),
            "controls": len(report.controls),
        },
    }


def _finding(finding: Finding, controls: Mapping[str, Control]) -> dict[str, Any]:
    resource = finding.resource
    suppression = finding.suppression
    return {
        "control": finding.control,
        "slug": controls[finding.control].meta.slug,
        "severity": finding.severity.label,
        "title": finding.title,
        "message": finding.message,
        "resource": (
            {"kind": resource.kind, "namespace": resource.namespace, "name": resource.name}
            if resource is not None
            else None
        ),
        "location": {"file": finding.location.file, "line": finding.location.line},
        "path": finding.path,
        "fingerprint": finding.fingerprint,
        "suppressed": suppression is not None,
        "suppression": (
            {
                "source": suppression.source,
                "reason": suppression.reason,
                "expires": suppression.expires,
            }
            if suppression is not None
            else None
        ),
    }
