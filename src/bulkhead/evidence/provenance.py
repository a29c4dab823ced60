"""SLSA Provenance v1 in an in-toto Statement v1, in a signed DSSE envelope.

Checked in this order, and the first failure is the answer:
1. the envelope is well formed and its signature verifies with a trusted key (PAE over the
   exact payload bytes);
2. `payloadType` is `application/vnd.in-toto+json` (REJECTED otherwise);
3. the payload is a Statement v1 whose `predicateType` is `https://slsa.dev/provenance/v1`
   (REJECTED otherwise);
4. a subject's `digest.sha256` is the candidate image digest (MISMATCH otherwise);
5. `predicate.runDetails.builder.id` is in the allowed list, compared exactly (REJECTED
   otherwise; an empty list allows no builder).

The file may be one envelope, a Sigstore bundle holding one, or JSON lines of envelopes
(`.intoto.jsonl`); with several, the first that passes every check wins.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import Field, JsonValue

from bulkhead.evidence.model import (
    EvidenceError,
    EvidenceItem,
    Frozen,
    ItemStatus,
    Verification,
    problem,
    shown,
)
from bulkhead.evidence.reading import (
    MAX_EVIDENCE_BYTES,
    RawEvidence,
    parse_json_documents,
    read_evidence,
)
from bulkhead.evidence.signatures import (
    IN_TOTO_PAYLOAD_TYPE,
    TrustedKey,
    check_dsse,
    envelope_of,
    parse_statement,
    require_subject,
)

SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"


class Subject(Frozen):
    name: str | None = None
    sha256: str | None = None


class ProvenanceInfo(Frozen):
    """What verified provenance says. `external_parameters` are the builder's untrusted inputs,
    kept so that a policy can check them (e.g. the workflow ref is a protected branch)."""

    builder_id: str
    build_type: str | None = None
    subject_name: str | None = None
    subjects: tuple[Subject, ...] = ()
    key_fingerprint: str
    keyid: str | None = None
    invocation_id: str | None = None
    started_on: str | None = None
    finished_on: str | None = None
    external_parameters: dict[str, JsonValue] = Field(default_factory=dict)


class ProvenanceEvidence(EvidenceItem):
    provenance: ProvenanceInfo | None = None


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) else None


def _object(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def verify_provenance(
    envelope: Any,
    keys: Sequence[TrustedKey],
    digest: str,
    allowed_builders: Collection[str],
    source: str,
) -> Verification[ProvenanceInfo]:
    """Verify one DSSE envelope (or Sigstore bundle) of SLSA provenance for `digest`."""
    try:
        verified = check_dsse(envelope_of(envelope, source), keys, source)
        if verified.payload_type != IN_TOTO_PAYLOAD_TYPE:
            raise EvidenceError(
                ItemStatus.REJECTED,
                f"{source}: DSSE payloadType is {shown(verified.payload_type)}, "
                f"expected {IN_TOTO_PAYLOAD_TYPE!r}",
            )
        statement = parse_statement(verified.payload, source)
        if statement.predicate_type != SLSA_PROVENANCE_V1:
            raise EvidenceError(
                ItemStatus.REJECTED,
                f"{source}: predicateType is {shown(statement.predicate_type)}, "
                f"expected {SLSA_PROVENANCE_V1!r}",
            )
        subject_name = require_subject(statement, digest, source)
        run_details = _object(statement.predicate, "runDetails")
        builder_id = _text(_object(run_details, "builder"), "id")
        if not builder_id:
            raise EvidenceError(
                ItemStatus.UNPARSABLE, f"{source}: predicate.runDetails.builder.id is missing"
            )
        if builder_id not in allowed_builders:
            allowed = "no builder is allowed" if not allowed_builders else "not in the allowed list"
            raise EvidenceError(
                ItemStatus.REJECTED, f"{source}: builder {shown(builder_id, 120)} is {allowed}"
            )
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    definition = _object(statement.predicate, "buildDefinition")
    metadata = _object(run_details, "metadata")
    external = definition.get("externalParameters")
    info = ProvenanceInfo(
        builder_id=builder_id,
        build_type=_text(definition, "buildType"),
        subject_name=subject_name,
        subjects=tuple(Subject(name=name, sha256=sha) for name, sha in statement.subjects),
        key_fingerprint=verified.key.fingerprint,
        keyid=verified.keyid,
        invocation_id=_text(metadata, "invocationId"),
        started_on=_text(metadata, "startedOn"),
        finished_on=_text(metadata, "finishedOn"),
        external_parameters=dict(external) if isinstance(external, dict) else {},
    )
    return Verification.passed(
        f"{source}: provenance for {digest} from builder {builder_id} verifies with key "
        f"{verified.key.fingerprint}",
        info,
    )


def verify_provenance_document(
    raw: RawEvidence,
    keys: Sequence[TrustedKey],
    digest: str,
    allowed_builders: Collection[str],
) -> Verification[ProvenanceInfo]:
    """A provenance file: one envelope, a Sigstore bundle, or JSON lines of envelopes."""
    try:
        documents = parse_json_documents(raw.data, raw.source)
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    results = [
        verify_provenance(doc, keys, digest, allowed_builders, raw.source) for doc in documents
    ]
    return Verification.first_valid(results, "attestations")


def collect_provenance(
    path: str | os.PathLike[str],
    keys: Sequence[TrustedKey],
    digest: str,
    allowed_builders: Collection[str],
    max_bytes: int = MAX_EVIDENCE_BYTES,
) -> ProvenanceEvidence:
    source = os.fspath(path)
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return ProvenanceEvidence(source=source, problems=(problem(error.status, error.message),))
    result = verify_provenance_document(raw, keys, digest, allowed_builders)
    return ProvenanceEvidence(
        source=source,
        sha256=raw.sha256,
        problems=() if result.ok else (problem(result.status, result.reason),),
        provenance=result.value,
    )
