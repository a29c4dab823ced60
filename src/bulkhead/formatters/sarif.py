"""SARIF 2.1.0, shaped as GitHub code scanning accepts it.

One run; one rule per control run, with the control's docs as help; one result per finding.
Suppressed findings stay in the log with a `suppressions` entry (and, as SARIF asks of a tool
that evaluates suppressions, every other result carries an empty `suppressions` array). Failed
inputs and notices become tool execution notifications, so a file that could not be scanned is
never silently missing from the log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import bulkhead
from bulkhead.controls import DOC_SECTIONS, Control, doc_sections
from bulkhead.formatters import control_ids
from bulkhead.model import Finding, InputStatus, Report, Severity, Suppression

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/bulkhead-dev/bulkhead"
FINGERPRINT_KEY = "bulkheadFindingHash/v1"
SRCROOT = "%SRCROOT%"

SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
"""GitHub maps these to its own labels: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low."""

IN_SOURCE = frozenset({"annotation", "comment"})
"""Suppression sources written next to the code; the others (config, baseline) are external."""

_URI_SAFE = "/:@!$&'()*+,;=-._~"
_DRIVE = re.compile(r"^[A-Za-z]:/")


def render(report: Report, controls: Mapping[str, Control]) -> str:
    return json.dumps(log(report, controls), indent=2) + "\n"


def level(severity: Severity) -> str:
    if severity >= Severity.HIGH:
        return "error"
    if severity is Severity.MEDIUM:
        return "warning"
    return "note"


def rule_name(slug: str) -> str:
    """`privileged-container` -> `PrivilegedContainer`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", slug))


def log(report: Report, controls: Mapping[str, Control]) -> dict[str, Any]:
    """The SARIF log as plain JSON values."""
    ids = sorted(control_ids(report))
    index = {control_id: i for i, control_id in enumerate(ids)}
    notifications = [
        _notification(
            "error", f"{record.path}: {record.detail or 'could not be scanned'}", record.path
        )
        for record in report.inputs
        if record.status is InputStatus.FAILED
    ]
    notifications.extend(
        _notification(
            "warning",
            notice.message,
            notice.location.file if notice.location else None,
            notice.location.line if notice.location else None,
        )
        for notice in report.notices
    )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bulkhead",
                        "version": bulkhead.__version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(controls[control_id]) for control_id in ids],
                    }
                },
                "invocations": [invocation],
                "results": [_result(f, index[f.control]) for f in report.findings],
            }
        ],
    }


def _rule(control: Control) -> dict[str, Any]:
    meta = control.meta
    text, markdown = _help(control)
    return {
        "id": meta.id,
        "name": rule_name(meta.slug),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": control.summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "tags": ["security", str(meta.domain)],
            "precision": "high",
        },
    }


def _help(control: Control) -> tuple[str, str]:
    """The control docstring as plain text and as Markdown, sections in the documented order."""
    sections = doc_sections(control.doc)
    names = [name for name in DOC_SECTIONS if sections.get(name)]
    names += [name for name in sections if name not in DOC_SECTIONS and sections[name]]
    text = [control.summary]
    markdown = [control.summary]
    for name in names:
        text.append(f"{name}:\n{sections[name]}")
        markdown.append(f"## {name}\n\n{sections[name]}")
    return "\n\n".join(text), "\n\n".join(markdown)


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    message = finding.message
    if finding.resource is not None:
        message = f"{message} (resource: {finding.resource})"
    result: dict[str, Any] = {
        "ruleId": finding.control,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": message},
    }
    if finding.location.file:
        result["locations"] = [_location(finding.location.file, finding.location.line)]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    result["properties"] = {"path": finding.path, "severity": finding.severity.label}
    # SARIF 3.27.23: when a tool evaluates suppressions, every result carries the array.
    result["suppressions"] = [_suppression(finding.suppression)] if finding.suppression else []
    return result


def _suppression(suppression: Suppression) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": "inSource" if suppression.source in IN_SOURCE else "external",
        "justification": suppression.reason,
        "properties": {"source": suppression.source},
    }
    if suppression.expires:
        entry["properties"]["expires"] = suppression.expires
    return entry


def _notification(
    level_: str, message: str, file: str | None, line: int | None = None
) -> dict[str, Any]:
    notification: dict[str, Any] = {"level": level_, "message": {"text": message}}
    if file:
        notification["locations"] = [_location(file, line)]
    return notification


def _location(file: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(file)}
    if line is not None:
        physical["region"] = {"startLine": max(line, 1)}
    return {"physicalLocation": physical}


def artifact_location(file: str) -> dict[str, str]:
    """A file path as a SARIF artifactLocation.

    Relative paths (the usual case: bulkhead reports paths as given on the command line) stay
    relative to `%SRCROOT%`, with forward slashes and without a leading `./`, which is what
    code scanning matches against the repository. Absolute paths become `file:` URIs.
    """
    path = file.replace("\\", "/")
    if path.startswith("//"):  # UNC: //server/share/...
        return {"uri": "file:" + _quote(path, _URI_SAFE)}
    if path.startswith("/"):
        return {"uri": "file://" + _quote(path, _URI_SAFE)}
    if _DRIVE.match(path):
        return {"uri": "file:///" + _quote(path, _URI_SAFE)}
    while path.startswith("./"):
        path = path[2:]
    # A colon stays escaped in a relative reference, or `a:b.yaml` would read as a scheme.
    return {"uri": _quote(path, _URI_SAFE.replace(":", "")), "uriBaseId": SRCROOT}


def _quote(path: str, safe: str) -> str:
    try:  # undecodable file names arrive as surrogate escapes: give back their bytes
        return quote(path, safe=safe, errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, safe=safe, errors="backslashreplace")
