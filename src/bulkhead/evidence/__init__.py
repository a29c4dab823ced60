"""Release evidence: parse, normalize, verify and assemble it for one promotion candidate.

Pure library code (no CLI): the gate and the `bulkhead evidence` commands are built on top.

    from bulkhead.evidence import Candidate, EvidenceInputs, TrustPolicy, assemble
    bundle = assemble(candidate, EvidenceInputs(...), TrustPolicy(...), now, git=git_runner(repo))
    text = bundle.to_json()               # sealed, content-addressed
    same = Bundle.from_json(text)         # BundleError if modified

Every collector records failure instead of raising: see `ItemStatus` for the vocabulary.
"""

from __future__ import annotations

from bulkhead.evidence.bundle import (
    Bundle,
    BundleError,
    EvidenceInputs,
    PolicyRecord,
    SignatureInput,
    TrustPolicy,
    assemble,
)
from bulkhead.evidence.commit import (
    CommitEvidence,
    CommitInfo,
    Runner,
    SignatureStatus,
    collect_commit,
    git_runner,
    read_commit,
)
from bulkhead.evidence.model import (
    Candidate,
    EvidenceError,
    EvidenceItem,
    EvidenceKind,
    ItemStatus,
    Problem,
    Verification,
)
from bulkhead.evidence.provenance import (
    ProvenanceEvidence,
    ProvenanceInfo,
    collect_provenance,
    verify_provenance,
)
from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES, RawEvidence, read_evidence
from bulkhead.evidence.reviews import Review, ReviewEvidence, ReviewSet, ReviewState, parse_reviews
from bulkhead.evidence.risks import AcceptedRisk, RiskEvidence, RiskKind, covers, expired_risks
from bulkhead.evidence.sbom import SbomEvidence, SbomInfo, parse_sbom
from bulkhead.evidence.scan import ScanEvidence, ScanSummary, parse_scan_report
from bulkhead.evidence.signatures import (
    SignatureEvidence,
    SignatureInfo,
    TrustConfigError,
    TrustedKey,
    load_public_key,
    load_public_key_file,
    pae,
    verify_dsse,
    verify_simple_signing,
)
from bulkhead.evidence.vulns import (
    Vulnerability,
    VulnReport,
    VulnReportEvidence,
    VulnSeverity,
    parse_vulnerability_report,
)

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "AcceptedRisk",
    "Bundle",
    "BundleError",
    "Candidate",
    "CommitEvidence",
    "CommitInfo",
    "EvidenceError",
    "EvidenceInputs",
    "EvidenceItem",
    "EvidenceKind",
    "ItemStatus",
    "PolicyRecord",
    "Problem",
    "ProvenanceEvidence",
    "ProvenanceInfo",
    "RawEvidence",
    "Review",
    "ReviewEvidence",
    "ReviewSet",
    "ReviewState",
    "RiskEvidence",
    "RiskKind",
    "Runner",
    "SbomEvidence",
    "SbomInfo",
    "ScanEvidence",
    "ScanSummary",
    "SignatureEvidence",
    "SignatureInfo",
    "SignatureInput",
    "SignatureStatus",
    "TrustConfigError",
    "TrustPolicy",
    "TrustedKey",
    "Verification",
    "VulnReport",
    "VulnReportEvidence",
    "VulnSeverity",
    "Vulnerability",
    "assemble",
    "collect_commit",
    "collect_provenance",
    "covers",
    "expired_risks",
    "git_runner",
    "load_public_key",
    "load_public_key_file",
    "pae",
    "parse_reviews",
    "parse_sbom",
    "parse_scan_report",
    "parse_vulnerability_report",
    "read_commit",
    "read_evidence",
    "verify_dsse",
    "verify_provenance",
    "verify_simple_signing",
]
