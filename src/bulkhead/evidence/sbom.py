"""CycloneDX JSON and SPDX 2.x JSON SBOMs: present, parseable, and about the candidate image.

"Describes the image" is decided only from the document's subject, never from a component
inside it (a base image listed as a component has its own digest):

- CycloneDX: `metadata.component` — its `purl` and a purl-shaped `bom-ref` (the version of a
  `pkg:oci/...@sha256%3A<hex>` purl, URL-decoded), `hashes` with `alg` SHA-256, a `version` that
  is a digest (Syft), a name pinned by digest, and Trivy's `aquasecurity:trivy:RepoDigest`
  property;
- SPDX: the packages named by `documentDescribes` and by `SPDXRef-DOCUMENT DESCRIBES ...`
  relationships — their purl `externalRefs`, SHA256 `checksums`, a `versionInfo` that is a
  digest, a name pinned by digest, and `RepoDigest: ...` attribution texts (Trivy).

The result records every digest found and the places where the candidate's was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal
from urllib.parse import unquote

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

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_PINNED = re.compile(r"@(sha256:[0-9a-f]{64})$")


class SbomInfo(Frozen):
    format: Literal["cyclonedx", "spdx"]
    spec_version: str
    name: str | None = None
    components: int = 0
    claimed_digests: tuple[Digest, ...] = ()
    matched_at: tuple[str, ...] = ()


class SbomEvidence(EvidenceItem):
    sbom: SbomInfo | None = None


def digests_in_purl(purl: str) -> tuple[str, ...]:
    """The digest a purl's version names (`pkg:oci/odoo@sha256%3A<hex>?...`), URL-decoded."""
    if not purl.startswith("pkg:"):
        return ()
    head = purl.split("#", 1)[0].split("?", 1)[0]
    _, at, version = head.rpartition("@")
    if not at:
        return ()
    decoded = unquote(version).lower()
    return (decoded,) if DIGEST_RE.match(decoded) else ()


def _pinned(reference: str) -> tuple[str, ...]:
    match = _PINNED.search(reference.strip())
    return (match.group(1),) if match else ()


def _bad(source: str, what: str) -> EvidenceError:
    return EvidenceError(ItemStatus.UNPARSABLE, f"{source}: {what}")


def _sha256_hash(algorithm: Any, value: Any) -> tuple[str, ...]:
    if not isinstance(algorithm, str) or not isinstance(value, str):
        return ()
    if algorithm.upper().replace("-", "").replace("_", "") != "SHA256" or not _HEX64.match(value):
        return ()
    return ("sha256:" + value.lower(),)


def _cyclonedx_locations(component: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    where = "metadata.component"
    purl = component.get("purl")
    if isinstance(purl, str):
        for digest in digests_in_purl(purl):
            yield f"{where}.purl", digest
    ref = component.get("bom-ref")
    if isinstance(ref, str):
        for digest in (*digests_in_purl(ref), *_pinned(ref)):
            yield f"{where}.bom-ref", digest
    hashes = component.get("hashes")
    for index, entry in enumerate(hashes if isinstance(hashes, list) else []):
        if isinstance(entry, dict):
            for digest in _sha256_hash(entry.get("alg"), entry.get("content")):
                yield f"{where}.hashes[{index}]", digest
    version = component.get("version")
    if isinstance(version, str) and DIGEST_RE.match(version):
        yield f"{where}.version", version
    name = component.get("name")
    if isinstance(name, str):
        for digest in _pinned(name):
            yield f"{where}.name", digest
    properties = component.get("properties")
    for index, entry in enumerate(properties if isinstance(properties, list) else []):
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and entry["name"].endswith(":RepoDigest")
            and isinstance(entry.get("value"), str)
        ):
            for digest in _pinned(entry["value"]):
                yield f"{where}.properties[{index}]", digest


def parse_cyclonedx(doc: Any, source: str, digest: str) -> SbomInfo:
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise _bad(source, 'not CycloneDX JSON (bomFormat is not "CycloneDX")')
    spec_version = doc.get("specVersion")
    if not isinstance(spec_version, str) or not spec_version.startswith("1."):
        raise _bad(source, f"CycloneDX specVersion {shown(spec_version)} is not supported")
    metadata = doc.get("metadata")
    component = metadata.get("component") if isinstance(metadata, dict) else None
    if not isinstance(component, dict):
        raise EvidenceError(
            ItemStatus.UNVERIFIABLE,
            f"{source}: CycloneDX SBOM has no metadata.component: "
            "it does not say what it describes",
        )
    components = doc.get("components")
    if components is not None and not isinstance(components, list):
        raise _bad(source, "CycloneDX components is not a list")
    name = component.get("name")
    return _info(
        "cyclonedx",
        spec_version,
        name if isinstance(name, str) else None,
        len(components or []),
        _cyclonedx_locations(component),
        digest,
    )


def _spdx_locations(index: int, package: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    where = f"packages[{index}]"
    refs = package.get("externalRefs")
    for r, ref in enumerate(refs if isinstance(refs, list) else []):
        if (
            isinstance(ref, dict)
            and ref.get("referenceType") == "purl"
            and isinstance(ref.get("referenceLocator"), str)
        ):
            for digest in digests_in_purl(ref["referenceLocator"]):
                yield f"{where}.externalRefs[{r}]", digest
    checksums = package.get("checksums")
    for c, entry in enumerate(checksums if isinstance(checksums, list) else []):
        if isinstance(entry, dict):
            for digest in _sha256_hash(entry.get("algorithm"), entry.get("checksumValue")):
                yield f"{where}.checksums[{c}]", digest
    version = package.get("versionInfo")
    if isinstance(version, str) and DIGEST_RE.match(version):
        yield f"{where}.versionInfo", version
    name = package.get("name")
    if isinstance(name, str):
        for digest in _pinned(name):
            yield f"{where}.name", digest
    texts = package.get("attributionTexts")
    for t, text in enumerate(texts if isinstance(texts, list) else []):
        if isinstance(text, str) and text.startswith("RepoDigest:"):
            for digest in _pinned(text.removeprefix("RepoDigest:")):
                yield f"{where}.attributionTexts[{t}]", digest


def _described_ids(doc: Mapping[str, Any]) -> list[str]:
    described = [d for d in doc.get("documentDescribes") or [] if isinstance(d, str)]
    document_id = doc.get("SPDXID", "SPDXRef-DOCUMENT")
    relationships = doc.get("relationships")
    for rel in relationships if isinstance(relationships, list) else []:
        if not isinstance(rel, dict):
            continue
        kind, element, related = (
            rel.get("relationshipType"),
            rel.get("spdxElementId"),
            rel.get("relatedSpdxElement"),
        )
        if kind == "DESCRIBES" and element == document_id and isinstance(related, str):
            described.append(related)
        elif kind == "DESCRIBED_BY" and related == document_id and isinstance(element, str):
            described.append(element)
    return list(dict.fromkeys(described))


def parse_spdx(doc: Any, source: str, digest: str) -> SbomInfo:
    if not isinstance(doc, dict) or not isinstance(doc.get("spdxVersion"), str):
        raise _bad(source, "not SPDX JSON (no spdxVersion)")
    spec_version = doc["spdxVersion"]
    if not spec_version.startswith("SPDX-2."):
        raise _bad(source, f"SPDX version {shown(spec_version)} is not supported (2.x is)")
    packages = doc.get("packages")
    if packages is not None and not isinstance(packages, list):
        raise _bad(source, "SPDX packages is not a list")
    packages = packages or []
    described = _described_ids(doc)
    if not described:
        raise EvidenceError(
            ItemStatus.UNVERIFIABLE,
            f"{source}: SPDX document describes no package (no documentDescribes or DESCRIBES "
            "relationship)",
        )
    locations: list[tuple[str, str]] = []
    names: list[str] = []
    for index, package in enumerate(packages):
        if isinstance(package, dict) and package.get("SPDXID") in described:
            name = package.get("name")
            if isinstance(name, str):
                names.append(name)
            locations.extend(_spdx_locations(index, package))
    name = names[0] if names else doc.get("name")
    return _info(
        "spdx",
        spec_version.removeprefix("SPDX-"),
        name if isinstance(name, str) else None,
        len(packages),
        locations,
        digest,
    )


def _info(
    kind: Literal["cyclonedx", "spdx"],
    spec_version: str,
    name: str | None,
    components: int,
    locations: Iterable[tuple[str, str]],
    digest: str,
) -> SbomInfo:
    found = list(locations)
    return SbomInfo(
        format=kind,
        spec_version=spec_version,
        name=name,
        components=components,
        claimed_digests=tuple(dict.fromkeys(d for _, d in found)),
        matched_at=tuple(dict.fromkeys(where for where, d in found if d == digest)),
    )


def parse_sbom(doc: Any, source: str, digest: str) -> SbomInfo:
    """CycloneDX or SPDX JSON (told apart by bomFormat / spdxVersion); raises EvidenceError."""
    if isinstance(doc, dict) and "bomFormat" in doc:
        return parse_cyclonedx(doc, source, digest)
    if isinstance(doc, dict) and "spdxVersion" in doc:
        return parse_spdx(doc, source, digest)
    raise _bad(source, "neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)")


def check_sbom_digest(info: SbomInfo, digest: str, source: str) -> Verification[SbomInfo]:
    if info.matched_at:
        return Verification.passed(
            f"{source}: {info.format} SBOM describes {digest} (at {', '.join(info.matched_at)})",
            info,
        )
    if not info.claimed_digests:
        return Verification.failed(
            ItemStatus.UNVERIFIABLE,
            f"{source}: {info.format} SBOM does not name the digest of the image it describes",
            info,
        )
    return Verification.failed(
        ItemStatus.MISMATCH,
        f"{source}: {info.format} SBOM describes {', '.join(info.claimed_digests[:3])}, "
        f"not the candidate digest {digest}",
        info,
    )


def collect_sbom(
    path: str | os.PathLike[str], digest: str, max_bytes: int = MAX_EVIDENCE_BYTES
) -> SbomEvidence:
    source = os.fspath(path)
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return SbomEvidence(source=source, problems=(problem(error.status, error.message),))
    try:
        info = parse_sbom(parse_json(raw.data, source), source, digest)
    except EvidenceError as error:
        return SbomEvidence(
            source=source, sha256=raw.sha256, problems=(problem(error.status, error.message),)
        )
    check = check_sbom_digest(info, digest, source)
    return SbomEvidence(
        source=source,
        sha256=raw.sha256,
        problems=() if check.ok else (problem(check.status, check.reason),),
        sbom=info,
    )
