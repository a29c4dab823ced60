"""The chain of one change: commit -> evidence bundles -> gate decisions -> deployments.

Every ledger entry on the chain comes with its inclusion proof against the latest signed
checkpoint, so the chain can be checked by someone who trusts only that checkpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bulkhead.store.evidence import find_bundles
from bulkhead.store.ledger import Ledger, LedgerError, StoredEntry

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


class TraceError(Exception):
    """A query that names nothing bulkhead can trace; one line."""


@dataclass(slots=True)
class Trace:
    query: str
    kind: str
    commits: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "kind": self.kind,
            "commits": self.commits,
            "digests": self.digests,
            "evidence": self.evidence,
            "decisions": self.decisions,
            "deployments": self.deployments,
            "checkpoint": self.checkpoint,
        }


def classify(query: str) -> str:
    if _DIGEST.match(query):
        return "digest"
    if query.isdigit() and not _COMMIT.match(query):
        return "deployment"
    if _COMMIT.match(query):
        return "commit"
    if query.isdigit():
        return "deployment"
    raise TraceError(
        f"cannot trace {query!r}: give a commit (7-40 hex), an image digest (sha256:...) "
        "or a deployment's ledger entry number"
    )


def trace(engine: Engine, ledger: Ledger, query: str, kind: str | None = None) -> Trace:
    query = query.strip().lower()
    kind = kind or classify(query)
    result = Trace(query, kind)
    if kind == "deployment":
        try:
            entry = ledger.entry(int(query))
        except (LedgerError, ValueError):
            raise TraceError(f"no ledger entry {query}") from None
        if entry.entry_type != "deployment":
            raise TraceError(f"ledger entry {query} is a {entry.entry_type}, not a deployment")
        result.digests = [str(entry.body.get("digest"))]
        result.commits = [str(entry.body.get("commit"))]
    elif kind == "digest":
        result.digests = [query]
    else:
        result.commits = sorted({b.commit for b in find_bundles(engine, commit=query)}) or [query]
    for digest in list(result.digests):
        for bundle in find_bundles(engine, image_digest=digest):
            if bundle.commit not in result.commits:
                result.commits.append(bundle.commit)
    for commit in list(result.commits):
        for bundle in find_bundles(engine, commit=commit):
            if bundle.image_digest not in result.digests:
                result.digests.append(bundle.image_digest)
    seen: set[str] = set()
    for commit in result.commits:
        for bundle in find_bundles(engine, commit=commit):
            if bundle.digest in seen:
                continue
            seen.add(bundle.digest)
            result.evidence.append(
                {
                    "bundle_digest": bundle.digest,
                    "tenant": bundle.tenant,
                    "environment": bundle.environment,
                    "image_digest": bundle.image_digest,
                    "commit": bundle.commit,
                    "stored_at": bundle.created_at,
                }
            )
    latest = ledger.latest_checkpoint()
    size = latest.tree_size if latest is not None else None
    if latest is not None:
        result.checkpoint = {"tree_size": latest.tree_size, "root_hash": latest.root_hash.hex()}
    entries: dict[int, StoredEntry] = {}
    for digest in result.digests:
        for entry in ledger.entries(digest=digest):
            entries[entry.seq] = entry
    for seq in sorted(entries):
        entry = entries[seq]
        item = {
            "seq": seq,
            "time": entry.recorded_at,
            "actor": entry.actor,
            "tenant": entry.body.get("tenant"),
            "environment": entry.body.get("environment"),
            "digest": entry.body.get("digest"),
            "commit": entry.body.get("commit"),
            "proof": _proof(ledger, seq, size),
        }
        if entry.entry_type == "gate-decision":
            item["verdict"] = entry.body.get("verdict")
            item["bundle_digest"] = entry.body.get("bundle_digest")
            result.decisions.append(item)
        elif entry.entry_type == "deployment":
            item["status"] = entry.body.get("status")
            result.deployments.append(item)
    return result


def _proof(ledger: Ledger, seq: int, size: int | None) -> dict[str, Any] | None:
    """Inclusion in the latest signed checkpoint; None when the entry came after it."""
    if size is None or seq >= size:
        return None
    proof = ledger.prove_inclusion(seq, size)
    return {"tree_size": size, "leaf_hash": proof["leaf_hash"], "path": proof["proof"]}
