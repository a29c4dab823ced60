"""Trivy and Grype JSON vulnerability reports, normalized to one shape.

A finding is (id, package, installed version, fixed version or None, severity, fix available).
Malformed entries make the whole report unparsable: silently dropping one would hide a finding.
Findings the scanner itself suppressed (Grype `ignoredMatches`, Trivy
`ExperimentalModifiedFindings`) are kept and marked, because waivers belong to the gate.

The image a report describes: Trivy `Metadata.RepoDigests` and an `ArtifactName` pinned by
digest; Grype `source.target.manifestDigest`, `repoDigests` and a digest-pinned `userInput`.
The image ID (the config blob's digest) is not the image digest and is never used.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from bulkhead.evidence.model import (
    DIGEST_RE,
    Digest,
    EvidenceError,
    EvidenceItem,
    Frozen,
    ItemStatus,
    Verification,
    problem,
    shown,
)
from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES, parse_json, read_evidence

_PINNED = re.compile(r"@(sha256:[0-9a-f]{64})$")


class VulnSeverity(enum.StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    NEGLIGIBLE = "NEGLIGIBLE"
    UNKNOWN = "UNKNOWN"

    @property
    def rank(self) -> int:
        """CRITICAL 5 ... NEGLIGIBLE 1; UNKNOWN 0 (a policy decides how to treat it)."""
        return _RANKS[self]

    @classmethod
    def parse(cls, value: object) -> VulnSeverity:
        if isinstance(value, str):
            try:
                return cls(value.strip().upper())
            except ValueError:
                return cls.UNKNOWN
        return cls.UNKNOWN


_RANKS = {
    VulnSeverity.CRITICAL: 5,
    VulnSeverity.HIGH: 4,
    VulnSeverity.MEDIUM: 3,
    VulnSeverity.LOW: 2,
    VulnSeverity.NEGLIGIBLE: 1,
    VulnSeverity.UNKNOWN: 0,
}


class Vulnerability(Frozen):
    id: str
    aliases: tuple[str, ...] = ()
    package: str
    installed_version: str
    fixed_version: str | None = None
    severity: VulnSeverity
    fix_available: bool
    purl: str | None = None
    suppressed_by_scanner: bool = False


class VulnReport(Frozen):
    scanner: Literal["trivy", "grype"]
    scanner_version: str | None = None
    target: str | None = None
    claimed_digests: tuple[Digest, ...] = ()
    vulnerabilities: tuple[Vulnerability, ...] = ()

    def counts(self) -> dict[str, int]:
        """Findings per severity, scanner-suppressed ones included."""
        counts = {s.value: 0 for s in VulnSeverity}
        for vuln in self.vulnerabilities:
            counts[vuln.severity.value] += 1
        return counts


class VulnReportEvidence(EvidenceItem):
    report: VulnReport | None = None


def _bad(source: str, where: str, what: str) -> EvidenceError:
    return EvidenceError(ItemStatus.UNPARSABLE, f"{source}: {where}: {what}")


def _list(value: Any, source: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(source, where, "not a list")
    return value


def _obj(value: Any, source: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _bad(source, where, "not an object")
    return value


def _str(value: Any, source: str, where: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not value and not allow_empty):
        raise _bad(source, where, "missing or not a string")
    return value


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _pinned(reference: Any) -> str | None:
    if not isinstance(reference, str):
        return None
    match = _PINNED.search(reference.strip())
    return match.group(1) if match else None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _dedupe(vulns: Iterable[Vulnerability]) -> tuple[Vulnerability, ...]:
    """One finding per (id, package, installed version); an unsuppressed copy wins."""
    kept: dict[tuple[str, str, str], Vulnerability] = {}
    for vuln in vulns:
        key = (vuln.id, vuln.package, vuln.installed_version)
        if key not in kept or (kept[key].suppressed_by_scanner and not vuln.suppressed_by_scanner):
            kept[key] = vuln
    return tuple(
        sorted(
            kept.values(), key=lambda v: (-v.severity.rank, v.id, v.package, v.installed_version)
        )
    )


# -- Trivy ----------------------------------------------------------------------------------------


def _trivy_vuln(entry: Any, source: str, where: str, suppressed: bool) -> Vulnerability:
    vuln = _obj(entry, source, where)
    fixed = _opt_str(vuln.get("FixedVersion"))
    identifier = _obj(vuln.get("PkgIdentifier") or {}, source, f"{where}.PkgIdentifier")
    vendor_ids = vuln.get("VendorIDs")
    return Vulnerability(
        id=_str(vuln.get("VulnerabilityID"), source, f"{where}.VulnerabilityID"),
        aliases=_unique(
            v for v in _list(vendor_ids, source, f"{where}.VendorIDs") if isinstance(v, str)
        ),
        package=_str(vuln.get("PkgName"), source, f"{where}.PkgName"),
        installed_version=_str(
            vuln.get("InstalledVersion"), source, f"{where}.InstalledVersion", allow_empty=True
        ),
        fixed_version=fixed,
        severity=VulnSeverity.parse(vuln.get("Severity")),
        fix_available=fixed is not None,
        purl=_opt_str(identifier.get("PURL")),
        suppressed_by_scanner=suppressed,
    )


def _trivy_vulns(doc: Mapping[str, Any], source: str) -> Iterator[Vulnerability]:
    for r, result in enumerate(_list(doc.get("Results"), source, "Results")):
        result = _obj(result, source, f"Results[{r}]")
        where = f"Results[{r}]"
        for v, entry in enumerate(
            _list(result.get("Vulnerabilities"), source, f"{where}.Vulnerabilities")
        ):
            yield _trivy_vuln(entry, source, f"{where}.Vulnerabilities[{v}]", suppressed=False)
        modified = _list(
            result.get("ExperimentalModifiedFindings"),
            source,
            f"{where}.ExperimentalModifiedFindings",
        )
        for m, entry in enumerate(modified):
            finding = _obj(entry, source, f"{where}.ExperimentalModifiedFindings[{m}]")
            if finding.get("Type") == "vulnerability":
                yield _trivy_vuln(
                    finding.get("Finding"),
                    source,
                    f"{where}.ExperimentalModifiedFindings[{m}].Finding",
                    suppressed=True,
                )


def parse_trivy(doc: Any, source: str) -> VulnReport:
    """`trivy image --format json` (SchemaVersion 2); raises EvidenceError if malformed."""
    report = _obj(doc, source, "document")
    if report.get("SchemaVersion") != 2:
        raise _bad(
            source, "SchemaVersion", f"{shown(report.get('SchemaVersion'))} is not supported (2 is)"
        )
    metadata = _obj(report.get("Metadata") or {}, source, "Metadata")
    repo_digests = _list(metadata.get("RepoDigests"), source, "Metadata.RepoDigests")
    trivy = report.get("Trivy")
    version = _opt_str(trivy.get("Version")) if isinstance(trivy, dict) else None
    return VulnReport(
        scanner="trivy",
        scanner_version=version,
        target=_opt_str(report.get("ArtifactName")),
        claimed_digests=_unique(
            [*(_pinned(d) for d in repo_digests), _pinned(report.get("ArtifactName"))]
        ),
        vulnerabilities=_dedupe(_trivy_vulns(report, source)),
    )


# -- Grype ----------------------------------------------------------------------------------------


def _grype_vuln(entry: Any, source: str, where: str, suppressed: bool) -> Vulnerability:
    match = _obj(entry, source, where)
    vuln = _obj(match.get("vulnerability"), source, f"{where}.vulnerability")
    artifact = _obj(match.get("artifact"), source, f"{where}.artifact")
    fix = _obj(vuln.get("fix") or {}, source, f"{where}.vulnerability.fix")
    versions = [
        v
        for v in _list(fix.get("versions"), source, f"{where}.vulnerability.fix.versions")
        if isinstance(v, str) and v
    ]
    related = _list(match.get("relatedVulnerabilities"), source, f"{where}.relatedVulnerabilities")
    identifier = _str(vuln.get("id"), source, f"{where}.vulnerability.id")
    return Vulnerability(
        id=identifier,
        aliases=_unique(
            r.get("id") for r in related if isinstance(r, dict) and r.get("id") != identifier
        ),
        package=_str(artifact.get("name"), source, f"{where}.artifact.name"),
        installed_version=_str(
            artifact.get("version"), source, f"{where}.artifact.version", allow_empty=True
        ),
        fixed_version=", ".join(versions) if versions else None,
        severity=VulnSeverity.parse(vuln.get("severity")),
        fix_available=fix.get("state") == "fixed" and bool(versions),
        purl=_opt_str(artifact.get("purl")),
        suppressed_by_scanner=suppressed,
    )


def parse_grype(doc: Any, source: str) -> VulnReport:
    """`grype -o json`; raises EvidenceError if malformed."""
    report = _obj(doc, source, "document")
    matches = report.get("matches")
    if not isinstance(matches, list):
        raise _bad(source, "matches", "missing or not a list")
    vulns = [_grype_vuln(m, source, f"matches[{i}]", False) for i, m in enumerate(matches)]
    ignored = _list(report.get("ignoredMatches"), source, "ignoredMatches")
    vulns += [_grype_vuln(m, source, f"ignoredMatches[{i}]", True) for i, m in enumerate(ignored)]
    descriptor = report.get("descriptor")
    version = _opt_str(descriptor.get("version")) if isinstance(descriptor, dict) else None
    source_doc = report.get("source")
    target = source_doc.get("target") if isinstance(source_doc, dict) else None
    claimed: list[str | None] = []
    shown_target: str | None = None
    if isinstance(target, dict):
        shown_target = _opt_str(target.get("userInput"))
        manifest = target.get("manifestDigest")
        if isinstance(manifest, str) and DIGEST_RE.match(manifest):
            claimed.append(manifest)
        claimed.extend(
            _pinned(d)
            for d in _list(target.get("repoDigests"), source, "source.target.repoDigests")
        )
        claimed.append(_pinned(target.get("userInput")))
    elif isinstance(target, str):
        shown_target = target
        claimed.append(_pinned(target))
    return VulnReport(
        scanner="grype",
        scanner_version=version,
        target=shown_target,
        claimed_digests=_unique(claimed),
        vulnerabilities=_dedupe(vulns),
    )


def parse_vulnerability_report(doc: Any, source: str) -> VulnReport:
    """Trivy or Grype JSON, told apart by their top-level keys."""
    if isinstance(doc, dict) and "SchemaVersion" in doc:
        return parse_trivy(doc, source)
    if isinstance(doc, dict) and "matches" in doc:
        return parse_grype(doc, source)
    raise EvidenceError(
        ItemStatus.UNPARSABLE,
        f"{source}: neither Trivy JSON (SchemaVersion) nor Grype JSON (matches)",
    )


def check_report_digest(report: VulnReport, digest: str, source: str) -> Verification[VulnReport]:
    """Does the report say it describes `digest`? Silence is UNVERIFIABLE, another is MISMATCH."""
    if digest in report.claimed_digests:
        return Verification.passed(f"{source}: {report.scanner} report describes {digest}", report)
    if not report.claimed_digests:
        return Verification.failed(
            ItemStatus.UNVERIFIABLE,
            f"{source}: {report.scanner} report does not name the image digest it describes "
            "(scan the image by digest)",
            report,
        )
    return Verification.failed(
        ItemStatus.MISMATCH,
        f"{source}: {report.scanner} report describes {', '.join(report.claimed_digests[:3])}, "
        f"not the candidate digest {digest}",
        report,
    )


def collect_vulnerability_report(
    path: str | os.PathLike[str], digest: str, max_bytes: int = MAX_EVIDENCE_BYTES
) -> VulnReportEvidence:
    source = os.fspath(path)
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return VulnReportEvidence(source=source, problems=(problem(error.status, error.message),))
    try:
        report = parse_vulnerability_report(parse_json(raw.data, source), source)
    except EvidenceError as error:
        return VulnReportEvidence(
            source=source, sha256=raw.sha256, problems=(problem(error.status, error.message),)
        )
    check = check_report_digest(report, digest, source)
    return VulnReportEvidence(
        source=source,
        sha256=raw.sha256,
        problems=() if check.ok else (problem(check.status, check.reason),),
        report=report,
    )
