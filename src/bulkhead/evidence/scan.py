"""bulkhead's own scan JSON (docs/output-formats.md) for the manifests being promoted.

Only a report with the same major `schema_version` as this bulkhead writes is accepted. Inputs
the scan could not read are kept in `failed_inputs` (the scanner reports them as findings too);
the gate decides what they mean.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from bulkhead.evidence.model import EvidenceError, EvidenceItem, Frozen, ItemStatus, problem, shown
from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES, parse_json, read_evidence
from bulkhead.model import JSON_SCHEMA_VERSION, Severity


class ScanFinding(Frozen):
    control: str
    severity: str
    title: str = ""
    file: str = ""
    line: int = 0
    resource: str | None = None
    fingerprint: str = ""
    suppressed: bool = False


class ScanSummary(Frozen):
    schema_version: str
    tool_version: str | None = None
    inputs: int = 0
    failed_inputs: tuple[str, ...] = ()
    findings: tuple[ScanFinding, ...] = ()

    def counts(self) -> dict[str, int]:
        """Active (unsuppressed) findings per severity label, most severe first."""
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for finding in self.findings:
            if not finding.suppressed:
                counts[finding.severity] += 1
        return counts

    def worst(self) -> str | None:
        active = [Severity.parse(f.severity) for f in self.findings if not f.suppressed]
        return max(active).label if active else None


class ScanEvidence(EvidenceItem):
    scan: ScanSummary | None = None


def _bad(source: str, what: str) -> EvidenceError:
    return EvidenceError(ItemStatus.UNPARSABLE, f"{source}: {what}")


def _finding(entry: Any, source: str, index: int) -> ScanFinding:
    where = f"findings[{index}]"
    if not isinstance(entry, dict):
        raise _bad(source, f"{where}: not an object")
    control = entry.get("control")
    if not isinstance(control, str) or not control:
        raise _bad(source, f"{where}.control: missing")
    try:
        severity = Severity.parse(str(entry.get("severity", ""))).label
    except ValueError:
        raise _bad(source, f"{where}.severity: {shown(entry.get('severity'))} is unknown") from None
    location = entry.get("location")
    location = location if isinstance(location, dict) else {}
    resource = entry.get("resource")
    resource_text = None
    if isinstance(resource, Mapping):
        namespace = resource.get("namespace")
        scope = f"{namespace}/" if namespace else ""
        resource_text = f"{resource.get('kind')} {scope}{resource.get('name')}"
    line = location.get("line")
    return ScanFinding(
        control=control,
        severity=severity,
        title=str(entry.get("title") or ""),
        file=str(location.get("file") or ""),
        line=line if isinstance(line, int) and not isinstance(line, bool) else 0,
        resource=resource_text,
        fingerprint=str(entry.get("fingerprint") or ""),
        suppressed=entry.get("suppressed") is True,
    )


def parse_scan_report(doc: Any, source: str) -> ScanSummary:
    if not isinstance(doc, dict):
        raise _bad(source, "not a bulkhead JSON report")
    version = doc.get("schema_version")
    tool = doc.get("tool")
    if not isinstance(version, str) or not isinstance(tool, dict) or tool.get("name") != "bulkhead":
        raise _bad(source, "not a bulkhead JSON report (no schema_version / tool.name)")
    if version.split(".")[0] != JSON_SCHEMA_VERSION.split(".")[0]:
        raise _bad(
            source,
            f"report schema_version {shown(version)} is not supported "
            f"({JSON_SCHEMA_VERSION.split('.')[0]}.x is)",
        )
    findings = doc.get("findings")
    inputs = doc.get("inputs")
    if not isinstance(findings, list) or not isinstance(inputs, list):
        raise _bad(source, "report has no findings or inputs list")
    failed = tuple(
        str(i.get("path")) for i in inputs if isinstance(i, dict) and i.get("status") == "failed"
    )
    version_text = tool.get("version")
    return ScanSummary(
        schema_version=version,
        tool_version=version_text if isinstance(version_text, str) else None,
        inputs=len(inputs),
        failed_inputs=failed,
        findings=tuple(_finding(entry, source, i) for i, entry in enumerate(findings)),
    )


def collect_scan(path: str | os.PathLike[str], max_bytes: int = MAX_EVIDENCE_BYTES) -> ScanEvidence:
    source = os.fspath(path)
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return ScanEvidence(source=source, problems=(problem(error.status, error.message),))
    try:
        summary = parse_scan_report(parse_json(raw.data, source), source)
    except EvidenceError as error:
        return ScanEvidence(
            source=source, sha256=raw.sha256, problems=(problem(error.status, error.message),)
        )
    return ScanEvidence(source=source, sha256=raw.sha256, scan=summary)
