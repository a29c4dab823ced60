"""The release evidence bundle: everything collected for one candidate, content-addressed.

`assemble` reads and verifies every named file and never raises for bad evidence: each item is
recorded with its source, the sha256 of its bytes, its status and its problems. The gate (built
on top) decides; `kind_status` and `problems` give it what it needs to fail closed and say why.

The bundle's address is `sha256:` + the SHA-256 of its canonical JSON without `bundle_digest`:
keys sorted, no insignificant whitespace, ASCII with `\\u` escapes, no NaN. `to_json` writes the
sealed bundle; `from_json` refuses one whose stored digest does not match its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import AwareDatetime, Field, ValidationError

from bulkhead.evidence.commit import CommitEvidence, Runner, collect_commit
from bulkhead.evidence.model import (
    Candidate,
    Digest,
    EvidenceError,
    EvidenceItem,
    EvidenceKind,
    Frozen,
    ItemStatus,
    Problem,
    one_line,
)
from bulkhead.evidence.provenance import ProvenanceEvidence, collect_provenance
from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES, decode_text, loads_strict
from bulkhead.evidence.reviews import ReviewEvidence, collect_reviews
from bulkhead.evidence.risks import AcceptedRisk, RiskEvidence, collect_risks, covers
from bulkhead.evidence.sbom import SbomEvidence, collect_sbom
from bulkhead.evidence.scan import ScanEvidence, collect_scan
from bulkhead.evidence.signatures import SignatureEvidence, TrustedKey, collect_signature
from bulkhead.evidence.vulns import Vulnerability, VulnReportEvidence, collect_vulnerability_report

SCHEMA_VERSION = "1.0"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024

FilePath = str | os.PathLike[str]


class BundleError(Exception):
    """A bundle file that is not valid JSON, not a bundle, or whose digest does not match."""


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """What evidence is verified against. Empty key lists verify nothing (fail closed)."""

    signature_keys: tuple[TrustedKey, ...] = ()
    provenance_keys: tuple[TrustedKey, ...] = ()
    allowed_builders: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SignatureInput:
    """An image-signature file, and for a detached `.sig` the payload it signs."""

    signature: FilePath
    payload: FilePath | None = None


@dataclass(frozen=True, slots=True)
class EvidenceInputs:
    """The files to collect. Kinds left empty are simply absent from the bundle."""

    scans: Sequence[FilePath] = ()
    vulnerability_reports: Sequence[FilePath] = ()
    sboms: Sequence[FilePath] = ()
    signatures: Sequence[SignatureInput | FilePath] = ()
    provenance: Sequence[FilePath] = ()
    reviews: FilePath | None = None
    pr_author: str | None = None
    risks: Sequence[FilePath] = ()
    max_bytes: int = MAX_EVIDENCE_BYTES


class PolicyRecord(Frozen):
    """The trust material the items were verified against (public fingerprints only)."""

    signature_keys: tuple[str, ...] = ()
    provenance_keys: tuple[str, ...] = ()
    allowed_builders: tuple[str, ...] = ()

    @classmethod
    def of(cls, policy: TrustPolicy) -> PolicyRecord:
        return cls(
            signature_keys=tuple(k.fingerprint for k in policy.signature_keys),
            provenance_keys=tuple(k.fingerprint for k in policy.provenance_keys),
            allowed_builders=tuple(sorted(policy.allowed_builders)),
        )


class Bundle(Frozen):
    schema_version: str = Field(default=SCHEMA_VERSION, pattern=r"^1\.[0-9]+$")
    candidate: Candidate
    collected_at: AwareDatetime
    policy: PolicyRecord = PolicyRecord()
    commit: CommitEvidence | None = None
    scans: tuple[ScanEvidence, ...] = ()
    vulnerability_reports: tuple[VulnReportEvidence, ...] = ()
    sboms: tuple[SbomEvidence, ...] = ()
    signatures: tuple[SignatureEvidence, ...] = ()
    provenance: tuple[ProvenanceEvidence, ...] = ()
    reviews: ReviewEvidence | None = None
    risks: tuple[RiskEvidence, ...] = ()
    bundle_digest: Digest | None = None

    # -- content addressing -----------------------------------------------------------------

    def canonical_bytes(self) -> bytes:
        """The canonical JSON the digest is computed over (without `bundle_digest`)."""
        data = self.model_dump(mode="json", exclude={"bundle_digest"})
        return json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
        ).encode("ascii")

    def content_digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.canonical_bytes()).hexdigest()

    def sealed(self) -> Bundle:
        """This bundle with `bundle_digest` set to its content digest."""
        return self.model_copy(update={"bundle_digest": self.content_digest()})

    def to_json(self) -> str:
        """The sealed bundle as indented JSON (ASCII), ending in a newline."""
        data = self.sealed().model_dump(mode="json")
        return json.dumps(data, indent=2, ensure_ascii=True, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "bundle") -> Bundle:
        """Parse and check a sealed bundle; raises BundleError (one line, naming `source`)."""
        try:
            if isinstance(text, bytes):
                if len(text) > MAX_BUNDLE_BYTES:
                    raise BundleError(f"{source}: bundle is over the size limit")
                text = decode_text(text, source)
            loads_strict(text, source)  # duplicate keys, NaN: refused before pydantic sees it
        except EvidenceError as error:
            raise BundleError(error.message) from None
        try:
            bundle = cls.model_validate_json(text)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "document"
            raise BundleError(
                one_line(f"{source}: not a valid evidence bundle: {where}: {first['msg']}")
            ) from None
        if bundle.bundle_digest is None:
            raise BundleError(f"{source}: bundle is not sealed (no bundle_digest)")
        actual = bundle.content_digest()
        if actual != bundle.bundle_digest:
            raise BundleError(
                f"{source}: bundle digest mismatch: stored {bundle.bundle_digest}, "
                f"content is {actual} (the bundle was modified)"
            )
        return bundle

    # -- reading it -----------------------------------------------------------------------------

    def items(self) -> Iterator[tuple[EvidenceKind, EvidenceItem]]:
        """Every item, in a fixed order of kinds."""
        if self.commit is not None:
            yield EvidenceKind.COMMIT, self.commit
        for scan in self.scans:
            yield EvidenceKind.SCAN, scan
        for report in self.vulnerability_reports:
            yield EvidenceKind.VULNERABILITIES, report
        for sbom in self.sboms:
            yield EvidenceKind.SBOM, sbom
        for signature in self.signatures:
            yield EvidenceKind.SIGNATURE, signature
        for provenance in self.provenance:
            yield EvidenceKind.PROVENANCE, provenance
        if self.reviews is not None:
            yield EvidenceKind.REVIEWS, self.reviews
        for risk in self.risks:
            yield EvidenceKind.RISKS, risk

    def items_of(self, kind: EvidenceKind) -> tuple[EvidenceItem, ...]:
        return tuple(item for k, item in self.items() if k is kind)

    def kind_status(self, kind: EvidenceKind) -> ItemStatus:
        """MISSING when no item of `kind` was collected, else the first failing item's status
        (one bad signature file among good ones still fails), else OK."""
        items = self.items_of(kind)
        if not items:
            return ItemStatus.MISSING
        for item in items:
            if not item.ok:
                return item.status
        return ItemStatus.OK

    def missing(self, required: Iterable[EvidenceKind]) -> tuple[EvidenceKind, ...]:
        return tuple(kind for kind in required if not self.items_of(kind))

    def problems(self) -> list[tuple[EvidenceKind, Problem]]:
        return [(kind, p) for kind, item in self.items() for p in item.problems]

    def accepted_risks(self) -> tuple[AcceptedRisk, ...]:
        """Risks from every risk file that could be read (expired ones included)."""
        return tuple(risk for item in self.risks for risk in item.risks)

    def covers(
        self, vuln_id: str, now: dt.datetime | dt.date, aliases: Iterable[str] = ()
    ) -> AcceptedRisk | None:
        """The unexpired accepted risk for `vuln_id` on this candidate's image, if any."""
        return covers(self.accepted_risks(), vuln_id, self.candidate.digest, now, aliases)

    def vulnerabilities(self) -> tuple[Vulnerability, ...]:
        """Findings of every report that could be parsed (whatever its digest check said)."""
        return tuple(
            vuln
            for item in self.vulnerability_reports
            if item.report is not None
            for vuln in item.report.vulnerabilities
        )


def assemble(
    candidate: Candidate,
    inputs: EvidenceInputs,
    policy: TrustPolicy,
    now: dt.datetime,
    git: Runner | None = None,
) -> Bundle:
    """Collect, verify and seal the evidence for `candidate`; bad evidence is recorded.

    `now` (timezone-aware) is recorded as `collected_at` and decides which exceptions have
    expired. Without `git`, the bundle has no commit item (and a gate requiring one denies).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    for name in ("scans", "vulnerability_reports", "sboms", "signatures", "provenance", "risks"):
        if isinstance(getattr(inputs, name), str | os.PathLike):
            raise TypeError(f"EvidenceInputs.{name} must be a list of paths, not one path")
    digest = candidate.digest
    limit = inputs.max_bytes
    signatures = [
        s if isinstance(s, SignatureInput) else SignatureInput(s) for s in inputs.signatures
    ]
    bundle = Bundle(
        candidate=candidate,
        collected_at=now,
        policy=PolicyRecord.of(policy),
        commit=collect_commit(git, candidate.commit) if git is not None else None,
        scans=tuple(collect_scan(path, limit) for path in inputs.scans),
        vulnerability_reports=tuple(
            collect_vulnerability_report(path, digest, limit)
            for path in inputs.vulnerability_reports
        ),
        sboms=tuple(collect_sbom(path, digest, limit) for path in inputs.sboms),
        signatures=tuple(
            collect_signature(s.signature, policy.signature_keys, digest, s.payload, limit)
            for s in signatures
        ),
        provenance=tuple(
            collect_provenance(path, policy.provenance_keys, digest, policy.allowed_builders, limit)
            for path in inputs.provenance
        ),
        reviews=(
            collect_reviews(inputs.reviews, inputs.pr_author, limit)
            if inputs.reviews is not None
            else None
        ),
        risks=tuple(collect_risks(path, now, limit) for path in inputs.risks),
    )
    return bundle.sealed()
