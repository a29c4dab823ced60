"""Offline verification of cosign key-based image signatures and DSSE envelopes.

Only ECDSA P-256 with SHA-256 is accepted (cosign's default key type). A signature is valid when
it verifies with any of the trusted public keys (key rotation); DSSE `keyid` is a hint and is
never used for a decision.

Image signatures come in these shapes, all verified with `cryptography` alone:

- cosign simple signing: the payload JSON
  `{"critical": {"identity": {"docker-reference": ...}, "image": {"docker-manifest-digest":
  "sha256:..."}, "type": "cosign container image signature"}, "optional": {...}}` and a base64
  ASN.1 DER signature over the exact payload bytes (two files: payload and `.sig`);
- the same pair as printed by `cosign download signature` (JSON lines with `Base64Signature`
  and base64 `Payload`);
- a DSSE envelope (bare or as the `dsseEnvelope` of a Sigstore bundle) whose payload is either a
  simple signing payload or an in-toto Statement v1 with the image among its subjects.

The payload must name the candidate digest exactly. Keys of the payload are matched
case-insensitively (older cosign wrote `Critical`/`Docker-manifest-digest`); a key spelled twice
in different cases is refused as ambiguous.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pydantic import Field

from bulkhead.evidence.model import (
    DIGEST_PATTERN,
    HEX64_PATTERN,
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
    decode_text,
    loads_strict,
    parse_json_documents,
    read_evidence,
)

SIMPLE_SIGNING_PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
COSIGN_SIGNATURE_TYPE = "cosign container image signature"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
MAX_PUBLIC_KEY_BYTES = 64 * 1024


class TrustConfigError(Exception):
    """A trusted key cannot be loaded: configuration, not evidence, so it raises."""


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """An ECDSA P-256 public key and its fingerprint (sha256 of the DER SubjectPublicKeyInfo)."""

    fingerprint: str
    key: ec.EllipticCurvePublicKey
    source: str


def key_fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(der).hexdigest()


def trusted_key(key: ec.EllipticCurvePublicKey, source: str = "<key>") -> TrustedKey:
    if key.curve.name != "secp256r1":
        raise TrustConfigError(
            f"{source}: public key is on curve {key.curve.name}; only ECDSA P-256 is accepted"
        )
    return TrustedKey(key_fingerprint(key), key, source)


def load_public_key(data: bytes, source: str) -> TrustedKey:
    """A PEM public key (cosign.pub). The file's content is never echoed in an error."""
    if b"PRIVATE KEY" in data:
        raise TrustConfigError(f"{source}: holds a private key; give the public key (cosign.pub)")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise TrustConfigError(f"{source}: not a PEM public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TrustConfigError(
            f"{source}: not an ECDSA public key ({type(key).__name__}); "
            "only ECDSA P-256 is accepted"
        )
    return trusted_key(key, source)


def load_public_key_file(path: str | os.PathLike[str]) -> TrustedKey:
    source = os.fspath(path)
    try:
        raw = read_evidence(source, MAX_PUBLIC_KEY_BYTES)
    except EvidenceError as error:
        raise TrustConfigError(error.message) from None
    return load_public_key(raw.data, source)


def pae(payload_type: str, body: bytes) -> bytes:
    """DSSE pre-authentication encoding: `DSSEv1 SP len(type) SP type SP len(body) SP body`."""
    encoded = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(encoded), encoded, len(body), body)


def decode_base64(value: str | bytes) -> bytes:
    """Standard or URL-safe base64, padding optional, surrounding whitespace ignored.

    Raises ValueError on anything else (characters outside the alphabet, bad length).
    """
    try:
        text = value.decode("ascii") if isinstance(value, bytes) else value
    except UnicodeDecodeError:
        raise ValueError("not ASCII") from None
    text = text.strip()
    if not text:
        raise ValueError("empty")
    text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError(str(error)) from None


def _verify_one(key: ec.EllipticCurvePublicKey, message: bytes, signature: bytes) -> bool:
    candidates = [signature]
    if len(signature) == 64:  # raw r || s, as some DSSE signers write it
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        candidates.append(encode_dss_signature(r, s))
    for candidate in candidates:
        try:
            key.verify(candidate, message, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            continue
        return True
    return False


def verify_with_keys(
    message: bytes, signature: bytes, keys: Sequence[TrustedKey]
) -> TrustedKey | None:
    """The first trusted key the signature verifies with, or None."""
    for key in keys:
        if _verify_one(key.key, message, signature):
            return key
    return None


def _no_keys(source: str, what: str) -> EvidenceError:
    return EvidenceError(
        ItemStatus.UNVERIFIABLE, f"{source}: no trusted public key is configured to verify {what}"
    )


def _key_count(keys: Sequence[TrustedKey]) -> str:
    return "the trusted key" if len(keys) == 1 else f"any of the {len(keys)} trusted keys"


# -- lookups in untrusted JSON ------------------------------------------------------------------


def get_ci(mapping: Mapping[str, Any], key: str, source: str, where: str) -> Any:
    """`mapping[key]` matched case-insensitively; None if absent; ambiguous spellings refused."""
    found = [k for k in mapping if isinstance(k, str) and k.lower() == key.lower()]
    if len(found) > 1:
        raise EvidenceError(
            ItemStatus.UNPARSABLE,
            f"{source}: {where} spells {key!r} more than once ({', '.join(map(repr, found))})",
        )
    return mapping[found[0]] if found else None


def as_object(value: Any, source: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: {where} is not a JSON object")
    return value


def as_string(value: Any, source: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: {where} is missing or not a string")
    return value


# -- DSSE -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DsseVerified:
    """The exact verified payload bytes: callers parse these, never the envelope again."""

    payload_type: str
    payload: bytes
    key: TrustedKey
    keyid: str | None


def check_dsse(envelope: Any, keys: Sequence[TrustedKey], source: str) -> DsseVerified:
    """Like verify_dsse, but raises EvidenceError: for the checks built on top of it."""
    env = as_object(envelope, source, "DSSE envelope")
    payload_type = env.get("payloadType")
    if not isinstance(payload_type, str):
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{source}: DSSE envelope has no payloadType string"
        )
    payload_text = env.get("payload")
    if not isinstance(payload_text, str):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: DSSE envelope has no payload string")
    try:
        payload = decode_base64(payload_text)
    except ValueError as error:
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{source}: DSSE payload is not valid base64 ({error})"
        ) from None
    signatures = env.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        raise EvidenceError(ItemStatus.UNVERIFIABLE, f"{source}: DSSE envelope has no signatures")
    if not keys:
        raise _no_keys(source, "the DSSE envelope")
    message = pae(payload_type, payload)
    malformed = 0
    for index, entry in enumerate(signatures):
        if not isinstance(entry, dict) or not isinstance(entry.get("sig"), str):
            raise EvidenceError(
                ItemStatus.UNPARSABLE, f"{source}: DSSE signatures[{index}] has no sig string"
            )
        try:
            signature = decode_base64(entry["sig"])
        except ValueError:
            malformed += 1
            continue
        key = verify_with_keys(message, signature, keys)
        if key is not None:
            keyid = entry.get("keyid")
            return DsseVerified(
                payload_type, payload, key, keyid if isinstance(keyid, str) and keyid else None
            )
    if malformed == len(signatures):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: DSSE signature is not valid base64")
    raise EvidenceError(
        ItemStatus.UNVERIFIABLE,
        f"{source}: DSSE signature does not verify with {_key_count(keys)}",
    )


def verify_dsse(
    envelope: Any, keys: Sequence[TrustedKey], source: str
) -> Verification[DsseVerified]:
    """Check a DSSE envelope's signature (any payload type; the caller checks the type)."""
    try:
        verified = check_dsse(envelope, keys, source)
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    return Verification.passed(
        f"{source}: DSSE signature verifies with key {verified.key.fingerprint}", verified
    )


def envelope_of(document: Any, source: str) -> Any:
    """A bare DSSE envelope, or the `dsseEnvelope` of a Sigstore bundle."""
    if isinstance(document, dict) and "dsseEnvelope" in document and "payloadType" not in document:
        media_type = document.get("mediaType")
        if not (
            isinstance(media_type, str)
            and media_type.startswith("application/vnd.dev.sigstore.bundle")
        ):
            raise EvidenceError(
                ItemStatus.UNPARSABLE,
                f"{source}: has dsseEnvelope but mediaType is not a Sigstore bundle",
            )
        return document["dsseEnvelope"]
    return document


# -- in-toto Statement v1 -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    type: str
    predicate_type: str
    subjects: tuple[tuple[str | None, str | None], ...]  # (name, sha256 hex, lowercased)
    predicate: Mapping[str, Any]


def parse_statement(payload: bytes, source: str) -> Statement:
    """An in-toto Statement v1 from verified payload bytes (raises EvidenceError)."""
    doc = as_object(loads_strict(decode_text(payload, source), source), source, "the statement")
    statement_type = doc.get("_type")
    if statement_type != STATEMENT_V1:
        raise EvidenceError(
            ItemStatus.REJECTED,
            f"{source}: statement _type is {shown(statement_type)}, expected {STATEMENT_V1!r}",
        )
    predicate_type = doc.get("predicateType")
    if not isinstance(predicate_type, str):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: statement has no predicateType")
    subjects_doc = doc.get("subject")
    if not isinstance(subjects_doc, list) or not subjects_doc:
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: statement has no subject list")
    subjects: list[tuple[str | None, str | None]] = []
    for index, entry in enumerate(subjects_doc):
        subject = as_object(entry, source, f"subject[{index}]")
        digests = as_object(subject.get("digest"), source, f"subject[{index}].digest")
        name = subject.get("name")
        sha = digests.get("sha256")
        subjects.append(
            (name if isinstance(name, str) else None, sha.lower() if isinstance(sha, str) else None)
        )
    predicate = doc.get("predicate")
    if predicate is None:
        predicate = {}
    return Statement(
        statement_type,
        predicate_type,
        tuple(subjects),
        as_object(predicate, source, "predicate"),
    )


def require_subject(statement: Statement, digest: str, source: str) -> str | None:
    """The name of the subject whose sha256 is the candidate digest; MISMATCH if none is."""
    wanted = digest.removeprefix("sha256:")
    for name, sha in statement.subjects:
        if sha == wanted:
            return name
    named = [f"sha256:{sha}" for _, sha in statement.subjects if sha][:3]
    raise EvidenceError(
        ItemStatus.MISMATCH,
        f"{source}: no subject has digest {digest} (subjects: {', '.join(named) or 'none'})",
    )


# -- image signatures ---------------------------------------------------------------------------


class SignatureInfo(Frozen):
    """What a verified image signature says, and which key verified it."""

    kind: Literal["cosign", "dsse"]
    payload_type: str
    digest: str = Field(pattern=DIGEST_PATTERN)
    docker_reference: str | None = None
    key_fingerprint: str
    keyid: str | None = None
    annotations: dict[str, str] = Field(default_factory=dict)


class SignatureEvidence(EvidenceItem):
    payload_source: str | None = None
    payload_sha256: str | None = Field(default=None, pattern=HEX64_PATTERN)
    signature: SignatureInfo | None = None


def _check_simple_signing(
    payload: bytes, digest: str, source: str
) -> tuple[str | None, dict[str, str]]:
    doc = as_object(loads_strict(decode_text(payload, source), source), source, "the payload")
    critical = as_object(get_ci(doc, "critical", source, "payload"), source, "payload critical")
    kind = get_ci(critical, "type", source, "critical")
    if kind != COSIGN_SIGNATURE_TYPE:
        raise EvidenceError(
            ItemStatus.REJECTED,
            f"{source}: payload critical.type is {shown(kind)}, expected {COSIGN_SIGNATURE_TYPE!r}",
        )
    image = as_object(get_ci(critical, "image", source, "critical"), source, "critical.image")
    named = as_string(
        get_ci(image, "docker-manifest-digest", source, "critical.image"),
        source,
        "critical.image.docker-manifest-digest",
    )
    if named != digest:
        raise EvidenceError(
            ItemStatus.MISMATCH,
            f"{source}: signature is for {shown(named, 80)}, not the candidate digest {digest}",
        )
    identity = get_ci(critical, "identity", source, "critical")
    reference = None
    if isinstance(identity, dict):
        value = get_ci(identity, "docker-reference", source, "critical.identity")
        reference = value if isinstance(value, str) else None
    optional = get_ci(doc, "optional", source, "payload")
    annotations = (
        {k: v for k, v in optional.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(optional, dict)
        else {}
    )
    return reference, annotations


def verify_simple_signing(
    payload: bytes,
    signature: str | bytes,
    keys: Sequence[TrustedKey],
    digest: str,
    source: str,
) -> Verification[SignatureInfo]:
    """A cosign simple-signing payload and its base64 DER signature over the exact bytes."""
    try:
        try:
            raw_signature = decode_base64(signature)
        except ValueError as error:
            raise EvidenceError(
                ItemStatus.UNPARSABLE, f"{source}: signature is not valid base64 ({error})"
            ) from None
        if not keys:
            raise _no_keys(source, "the signature")
        key = verify_with_keys(payload, raw_signature, keys)
        if key is None:
            raise EvidenceError(
                ItemStatus.UNVERIFIABLE,
                f"{source}: signature does not verify with {_key_count(keys)}",
            )
        reference, annotations = _check_simple_signing(payload, digest, source)
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    info = SignatureInfo(
        kind="cosign",
        payload_type=SIMPLE_SIGNING_PAYLOAD_TYPE,
        digest=digest,
        docker_reference=reference,
        key_fingerprint=key.fingerprint,
        annotations=annotations,
    )
    return Verification.passed(
        f"{source}: cosign signature for {digest} verifies with key {key.fingerprint}", info
    )


def verify_dsse_image_signature(
    envelope: Any, keys: Sequence[TrustedKey], digest: str, source: str
) -> Verification[SignatureInfo]:
    """A DSSE envelope over a simple-signing payload or an in-toto Statement naming the image."""
    try:
        verified = check_dsse(envelope_of(envelope, source), keys, source)
        reference: str | None
        annotations: dict[str, str] = {}
        if verified.payload_type == SIMPLE_SIGNING_PAYLOAD_TYPE:
            reference, annotations = _check_simple_signing(verified.payload, digest, source)
        elif verified.payload_type == IN_TOTO_PAYLOAD_TYPE:
            statement = parse_statement(verified.payload, source)
            reference = require_subject(statement, digest, source)
        else:
            raise EvidenceError(
                ItemStatus.REJECTED,
                f"{source}: DSSE payloadType is {shown(verified.payload_type)}, expected "
                f"{SIMPLE_SIGNING_PAYLOAD_TYPE!r} or {IN_TOTO_PAYLOAD_TYPE!r}",
            )
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    info = SignatureInfo(
        kind="dsse",
        payload_type=verified.payload_type,
        digest=digest,
        docker_reference=reference,
        key_fingerprint=verified.key.fingerprint,
        keyid=verified.keyid,
        annotations=annotations,
    )
    return Verification.passed(
        f"{source}: DSSE signature for {digest} verifies with key {verified.key.fingerprint}",
        info,
    )


def _signature_in_json(document: Any, source: str) -> str:
    if isinstance(document, dict):
        message = document.get("messageSignature")
        if isinstance(message, dict) and isinstance(message.get("signature"), str):
            return str(message["signature"])
        if isinstance(document.get("Base64Signature"), str):
            return str(document["Base64Signature"])
    raise EvidenceError(
        ItemStatus.UNPARSABLE,
        f"{source}: JSON signature file has neither messageSignature.signature nor Base64Signature",
    )


def verify_signature_document(
    signature: RawEvidence,
    keys: Sequence[TrustedKey],
    digest: str,
    payload: RawEvidence | None = None,
) -> Verification[SignatureInfo]:
    """Any supported image-signature file (see the module docstring), detected by shape.

    With `payload`, `signature` holds the base64 signature (a `.sig` file, or a Sigstore bundle
    / cosign JSON carrying it) and `payload` the simple-signing bytes. Without, `signature` is
    a DSSE envelope, a Sigstore bundle with one, or `cosign download signature` output; with
    several signatures (JSON lines) the first that verifies wins.
    """
    source = signature.source
    try:
        if payload is not None:
            text = decode_text(signature.data, source)
            if text.lstrip().startswith("{"):
                text = _signature_in_json(loads_strict(text, source), source)
            return verify_simple_signing(payload.data, text, keys, digest, source)
        documents = parse_json_documents(signature.data, source)
    except EvidenceError as error:
        return Verification.failed(error.status, error.message)
    results = [_verify_one_document(doc, keys, digest, source) for doc in documents]
    return Verification.first_valid(results, "signatures")


def _verify_one_document(
    document: Any, keys: Sequence[TrustedKey], digest: str, source: str
) -> Verification[SignatureInfo]:
    if isinstance(document, dict) and ("payloadType" in document or "dsseEnvelope" in document):
        return verify_dsse_image_signature(document, keys, digest, source)
    if isinstance(document, dict) and "Base64Signature" in document and "Payload" in document:
        encoded = document["Payload"]
        if not isinstance(encoded, str):
            return Verification.failed(ItemStatus.UNPARSABLE, f"{source}: Payload is not a string")
        try:
            payload = decode_base64(encoded)
        except ValueError as error:
            return Verification.failed(
                ItemStatus.UNPARSABLE, f"{source}: Payload is not valid base64 ({error})"
            )
        signature = document["Base64Signature"]
        if not isinstance(signature, str):
            return Verification.failed(
                ItemStatus.UNPARSABLE, f"{source}: Base64Signature is not a string"
            )
        return verify_simple_signing(payload, signature, keys, digest, source)
    return Verification.failed(
        ItemStatus.UNPARSABLE,
        f"{source}: not a DSSE envelope, Sigstore bundle or cosign signature "
        "(for a detached .sig give its payload file too)",
    )


def collect_signature(
    path: str | os.PathLike[str],
    keys: Sequence[TrustedKey],
    digest: str,
    payload_path: str | os.PathLike[str] | None = None,
    max_bytes: int = MAX_EVIDENCE_BYTES,
) -> SignatureEvidence:
    """Read and verify one image-signature file; failures are recorded, never raised."""
    source = os.fspath(path)
    payload_source = os.fspath(payload_path) if payload_path is not None else None
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return SignatureEvidence(
            source=source,
            payload_source=payload_source,
            problems=(problem(error.status, error.message),),
        )
    payload: RawEvidence | None = None
    if payload_source is not None:
        try:
            payload = read_evidence(payload_source, max_bytes)
        except EvidenceError as error:
            return SignatureEvidence(
                source=source,
                sha256=raw.sha256,
                payload_source=payload_source,
                problems=(problem(error.status, error.message),),
            )
    result = verify_signature_document(raw, keys, digest, payload)
    return SignatureEvidence(
        source=source,
        sha256=raw.sha256,
        payload_source=payload_source,
        payload_sha256=payload.sha256 if payload is not None else None,
        problems=() if result.ok else (problem(result.status, result.reason),),
        signature=result.value,
    )
