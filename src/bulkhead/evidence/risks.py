"""Accepted risks: OpenVEX v0.2.0 statements and time-boxed exceptions.

OpenVEX says a vulnerability does not affect a product. A statement counts as an accepted risk
when its status is `not_affected` (with a `justification` or `impact_statement`, as the spec
requires) or `fixed`, and it names the candidate image by digest among its `products` (a
`pkg:oci/...@sha256%3A...` purl, an `image@sha256:...` reference, `identifiers.purl` or a
`hashes` sha-256). A statement without products would waive the vulnerability everywhere and
is refused. OpenVEX has no expiry; the owner is the document's `author`.

Exceptions are our own format, YAML or JSON, for a real finding accepted for a while:

    exceptions:
      - id: CVE-2024-12345            # required; matched case-insensitively
        owner: alice@example.com      # required
        expires: 2026-03-31           # required; valid through that day (UTC)
        reason: not reachable, tracked in SEC-42   # required
        digest: sha256:<64 hex>       # optional: only this image (else any image)
        ticket: SEC-42                # optional
        aliases: [GHSA-xxxx-xxxx-xxxx]  # optional: other ids of the same vulnerability

(a bare list of entries is accepted too). An expired exception covers nothing and is reported
as an EXPIRED problem; an entry that breaks the format is skipped and reported as UNPARSABLE
(or REJECTED for a blanket VEX statement), so a typo never silently waives a finding.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from bulkhead.evidence.model import (
    DIGEST_RE,
    Digest,
    EvidenceError,
    EvidenceItem,
    Frozen,
    ItemStatus,
    Problem,
    problem,
    shown,
)
from bulkhead.evidence.reading import MAX_EVIDENCE_BYTES, parse_yaml_or_json, read_evidence
from bulkhead.evidence.reviews import parse_time
from bulkhead.evidence.sbom import digests_in_purl

OPENVEX_CONTEXT_PREFIX = "https://openvex.dev/ns"
COVERING_VEX_STATUSES = frozenset({"not_affected", "fixed", "false_positive"})
OTHER_VEX_STATUSES = frozenset({"affected", "under_investigation"})
EXCEPTION_KEYS = frozenset({"id", "owner", "expires", "reason", "digest", "ticket", "aliases"})


class RiskKind(enum.StrEnum):
    VEX = "openvex"
    EXCEPTION = "exception"


def _today(now: dt.datetime | dt.date) -> dt.date:
    if isinstance(now, dt.datetime):
        return (now if now.tzinfo else now.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()
    return now


class AcceptedRisk(Frozen):
    kind: RiskKind
    vulnerability: str
    aliases: tuple[str, ...] = ()
    status: str
    """The VEX status, or "accepted" for an exception."""
    justification: str | None = None
    reason: str | None = None
    owner: str | None = None
    expires: dt.date | None = None
    digest: Digest | None = None
    """Exceptions: the one image it is limited to (None: any image)."""
    products: tuple[str, ...] = ()
    product_digests: tuple[Digest, ...] = ()
    ticket: str | None = None
    timestamp: dt.datetime | None = None
    source: str

    def expired(self, now: dt.datetime | dt.date) -> bool:
        """Valid through the expiry date; expired from the next day (UTC)."""
        return self.expires is not None and _today(now) > self.expires

    def applies_to(self, digest: str) -> bool:
        if self.kind is RiskKind.VEX:
            return digest in self.product_digests
        return self.digest is None or self.digest == digest

    def names(self, vuln_id: str) -> bool:
        wanted = vuln_id.strip().lower()
        return any(wanted == n.lower() for n in (self.vulnerability, *self.aliases))

    def describe(self) -> str:
        owner = f", owner {self.owner}" if self.owner else ""
        return f"{self.kind.value} for {self.vulnerability}{owner} ({self.source})"


class RiskEvidence(EvidenceItem):
    format: Literal["openvex", "exceptions"] | None = None
    risks: tuple[AcceptedRisk, ...] = ()


def covers(
    risks: Iterable[AcceptedRisk],
    vuln_id: str,
    digest: str,
    now: dt.datetime | dt.date,
    aliases: Iterable[str] = (),
) -> AcceptedRisk | None:
    """The first unexpired accepted risk naming `vuln_id` (or an alias) for `digest`."""
    names = [vuln_id, *aliases]
    for risk in risks:
        if risk.expired(now) or not risk.applies_to(digest):
            continue
        if any(risk.names(name) for name in names):
            return risk
    return None


def expired_risks(
    risks: Iterable[AcceptedRisk], now: dt.datetime | dt.date
) -> tuple[AcceptedRisk, ...]:
    return tuple(r for r in risks if r.expired(now))


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


# -- OpenVEX --------------------------------------------------------------------------------------


def _product_digests(product: Any) -> tuple[list[str], list[str]]:
    """(product ids, digests they name) for a v0.2.0 product object or a v0.0.x string."""
    ids: list[str] = []
    digests: list[str] = []

    def from_reference(text: str) -> None:
        digests.extend(digests_in_purl(text))
        if DIGEST_RE.match(text):
            digests.append(text)
        _, at, tail = text.rpartition("@")
        if at and DIGEST_RE.match(tail):
            digests.append(tail)

    if isinstance(product, str):
        ids.append(product)
        from_reference(product)
    elif isinstance(product, dict):
        product_id = product.get("@id")
        if isinstance(product_id, str):
            ids.append(product_id)
            from_reference(product_id)
        identifiers = product.get("identifiers")
        if isinstance(identifiers, dict) and isinstance(identifiers.get("purl"), str):
            from_reference(identifiers["purl"])
        hashes = product.get("hashes")
        if isinstance(hashes, dict):
            for algorithm, value in hashes.items():
                if (
                    isinstance(algorithm, str)
                    and algorithm.lower().replace("-", "") == "sha256"
                    and isinstance(value, str)
                    and DIGEST_RE.match("sha256:" + value.lower())
                ):
                    digests.append("sha256:" + value.lower())
    return ids, digests


def parse_openvex(doc: Any, source: str) -> tuple[tuple[AcceptedRisk, ...], tuple[Problem, ...]]:
    """Covering statements of an OpenVEX document, and the statements refused (with why)."""
    if not isinstance(doc, dict):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: not an OpenVEX document")
    context = doc.get("@context")
    if not isinstance(context, str) or not context.startswith(OPENVEX_CONTEXT_PREFIX):
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{source}: @context {shown(context)} is not OpenVEX"
        )
    statements = doc.get("statements")
    if not isinstance(statements, list):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: statements is not a list")
    author = _text(doc.get("author"))
    doc_time = doc.get("timestamp")
    risks: list[AcceptedRisk] = []
    problems: list[Problem] = []
    for index, entry in enumerate(statements):
        where = f"{source}: statements[{index}]"
        try:
            risk = _vex_statement(entry, where, source, author, doc_time)
        except EvidenceError as error:
            problems.append(problem(error.status, error.message))
            continue
        if risk is not None:
            risks.append(risk)
    return tuple(risks), tuple(problems)


def _vex_statement(
    entry: Any, where: str, source: str, author: str | None, doc_time: Any
) -> AcceptedRisk | None:
    if not isinstance(entry, dict):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: not an object")
    vulnerability = entry.get("vulnerability")
    name = (
        _text(vulnerability.get("name"))
        if isinstance(vulnerability, dict)
        else _text(vulnerability)
    )
    if name is None:
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: vulnerability.name is missing")
    aliases = vulnerability.get("aliases") if isinstance(vulnerability, dict) else None
    status = entry.get("status")
    if status in OTHER_VEX_STATUSES:
        return None  # not a risk acceptance
    if status not in COVERING_VEX_STATUSES:
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{where}: status {shown(status)} is not an OpenVEX status"
        )
    justification = _text(entry.get("justification"))
    impact = _text(entry.get("impact_statement"))
    if status == "not_affected" and justification is None and impact is None:
        raise EvidenceError(
            ItemStatus.UNPARSABLE,
            f"{where}: not_affected for {name} has neither justification nor impact_statement",
        )
    products = entry.get("products")
    ids: list[str] = []
    digests: list[str] = []
    for product in products if isinstance(products, list) else []:
        product_ids, product_digests = _product_digests(product)
        ids.extend(product_ids)
        digests.extend(product_digests)
    if not ids and not digests:
        raise EvidenceError(
            ItemStatus.REJECTED,
            f"{where}: {status} for {name} names no product; a blanket waiver is not accepted",
        )
    stamp = entry.get("timestamp", doc_time)
    return AcceptedRisk(
        kind=RiskKind.VEX,
        vulnerability=name,
        aliases=tuple(a for a in aliases if isinstance(a, str))
        if isinstance(aliases, list)
        else (),
        status=str(status),
        justification=justification,
        reason=impact or _text(entry.get("status_notes")),
        owner=author,
        products=tuple(dict.fromkeys(ids)),
        product_digests=tuple(dict.fromkeys(digests)),
        timestamp=parse_time(stamp, source, f"{where}.timestamp") if stamp is not None else None,
        source=source,
    )


# -- exceptions -----------------------------------------------------------------------------------


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: expires: expected YYYY-MM-DD")


def _exception(entry: Any, where: str, source: str) -> AcceptedRisk:
    if not isinstance(entry, dict):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: not a mapping")
    unknown = sorted(str(k) for k in entry if k not in EXCEPTION_KEYS)
    if unknown:
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: unknown key {shown(unknown[0])}")
    fields: dict[str, str] = {}
    for key in ("id", "owner", "reason"):
        value = _text(entry.get(key))
        if value is None:
            raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: {key} is required")
        fields[key] = value
    if entry.get("expires") is None:
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{where}: expires is required (an exception must end)"
        )
    expires = _date(entry["expires"], where)
    digest = entry.get("digest")
    if digest is not None and not (isinstance(digest, str) and DIGEST_RE.match(digest)):
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{where}: digest must be sha256:<64 lowercase hex>"
        )
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{where}: aliases must be a list of ids")
    return AcceptedRisk(
        kind=RiskKind.EXCEPTION,
        vulnerability=fields["id"],
        aliases=tuple(aliases),
        status="accepted",
        reason=fields["reason"],
        owner=fields["owner"],
        expires=expires,
        digest=digest,
        ticket=_text(entry.get("ticket")),
        source=source,
    )


def parse_exceptions(doc: Any, source: str) -> tuple[tuple[AcceptedRisk, ...], tuple[Problem, ...]]:
    """Valid exceptions, and the entries refused (with why)."""
    entries: Any = doc.get("exceptions") if isinstance(doc, Mapping) else doc
    if isinstance(doc, Mapping):
        unknown = sorted(str(k) for k in doc if k not in ("exceptions", "version"))
        if unknown:
            raise EvidenceError(
                ItemStatus.UNPARSABLE, f"{source}: unknown top-level key {shown(unknown[0])}"
            )
    if not isinstance(entries, list):
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{source}: expected a list of exceptions (or 'exceptions:')"
        )
    risks: list[AcceptedRisk] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        try:
            risks.append(_exception(entry, f"{source}: exceptions[{index}]", source))
        except EvidenceError as error:
            problems.append(problem(error.status, error.message))
    return tuple(risks), tuple(problems)


def is_openvex(doc: Any) -> bool:
    context = doc.get("@context") if isinstance(doc, dict) else None
    return isinstance(context, str) and context.startswith(OPENVEX_CONTEXT_PREFIX)


def expiry_problems(
    risks: Sequence[AcceptedRisk], now: dt.datetime | dt.date
) -> tuple[Problem, ...]:
    return tuple(
        problem(
            ItemStatus.EXPIRED,
            f"{risk.source}: {risk.kind.value} for {risk.vulnerability}"
            f"{f' (owner {risk.owner})' if risk.owner else ''} expired on {risk.expires}: "
            "it covers nothing; renew it after review or fix the finding",
        )
        for risk in risks
        if risk.expired(now)
    )


def collect_risks(
    path: str | os.PathLike[str],
    now: dt.datetime | dt.date,
    max_bytes: int = MAX_EVIDENCE_BYTES,
) -> RiskEvidence:
    """Read an OpenVEX document or an exceptions file; refused entries and expiries recorded."""
    source = os.fspath(path)
    try:
        raw = read_evidence(source, max_bytes)
    except EvidenceError as error:
        return RiskEvidence(source=source, problems=(problem(error.status, error.message),))
    try:
        doc = parse_yaml_or_json(raw.data, source)
        if is_openvex(doc):
            kind: Literal["openvex", "exceptions"] = "openvex"
            risks, problems = parse_openvex(doc, source)
        else:
            kind = "exceptions"
            risks, problems = parse_exceptions(doc, source)
    except EvidenceError as error:
        return RiskEvidence(
            source=source, sha256=raw.sha256, problems=(problem(error.status, error.message),)
        )
    return RiskEvidence(
        source=source,
        sha256=raw.sha256,
        format=kind,
        risks=risks,
        problems=(*problems, *expiry_problems(risks, now)),
    )
