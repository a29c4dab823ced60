"""JUnit XML, as GitLab (artifacts:reports:junit) and Jenkins (junit step) read it.

One testsuite per control run. Each active finding is a failing testcase, each suppressed
finding a skipped one, and a control without findings one passing testcase, so a clean
control shows up green instead of missing. Text is escaped by ElementTree; characters XML 1.0
cannot carry at all (control characters, lone surrogates) are replaced first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from bulkhead.controls import Control
from bulkhead.formatters import control_ids
from bulkhead.model import Finding, Report

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def render(report: Report, controls: Mapping[str, Control]) -> str:
    by_control: dict[str, list[Finding]] = {control_id: [] for control_id in control_ids(report)}
    for finding in report.findings:
        by_control[finding.control].append(finding)
    root = ET.Element("testsuites", name="bulkhead")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for control_id, findings in by_control.items():
        title = controls[control_id].meta.title
        suite = ET.SubElement(root, "testsuite", name=clean(f"{control_id} {title}"))
        counts = {"tests": max(len(findings), 1), "failures": 0, "skipped": 0}
        if not findings:
            ET.SubElement(
                suite,
                "testcase",
                classname=f"bulkhead.{control_id}",
                name=clean(f"{control_id} {title}"),
            )
        for finding in findings:
            _testcase(suite, finding)
            counts["skipped" if finding.suppressed else "failures"] += 1
        _set_counts(suite, counts)
        for key, value in counts.items():
            totals[key] += value
    _set_counts(root, totals)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _set_counts(element: ET.Element, counts: Mapping[str, int]) -> None:
    element.set("tests", str(counts["tests"]))
    element.set("failures", str(counts["failures"]))
    element.set("errors", "0")
    element.set("skipped", str(counts["skipped"]))


def _testcase(suite: ET.Element, finding: Finding) -> None:
    file = finding.location.file
    subject = str(finding.resource) if finding.resource is not None else file or "(no file)"
    name = f"{subject}: {finding.path}" if finding.path else subject
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"bulkhead.{finding.control}",
        name=clean(name),
        file=clean(file),
    )
    suppression = finding.suppression
    if suppression is not None:
        ET.SubElement(
            case,
            "skipped",
            message=clean(f"suppressed ({suppression.source}): {suppression.reason}"),
        )
        return
    failure = ET.SubElement(
        case, "failure", type=finding.severity.label, message=clean(finding.message)
    )
    details = [
        f"{file}:{finding.location.line}",
        f"control: {finding.control} {finding.title}",
        f"severity: {finding.severity.label}",
    ]
    if finding.resource is not None:
        details.append(f"resource: {finding.resource}")
    if finding.path:
        details.append(f"path: {finding.path}")
    if finding.fingerprint:
        details.append(f"fingerprint: {finding.fingerprint}")
    details += ["", finding.message]
    failure.text = clean("\n".join(details))
