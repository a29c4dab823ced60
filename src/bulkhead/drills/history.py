"""Drill results in the store (`drill_results`) and the ledger (`drill-result` entries).

A result is first appended to the ledger (so it is covered by the Merkle tree and, with a key,
a signed checkpoint), then stored with the entry's sequence number. Both are the same
document: the ledger body is its integer-only summary (result.ledger_body).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import SQLAlchemyError

from bulkhead.drills.result import ledger_body
from bulkhead.store.db import StoreError, write_transaction
from bulkhead.store.drill_models import DrillResult as DrillRow

if TYPE_CHECKING:
    from bulkhead.ledger.keys import LedgerSigner


def _one_line(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"database error: {lines[0] if lines else type(original).__name__}"


@dataclass(frozen=True, slots=True)
class Recorded:
    ledger_seq: int
    checkpoint: str | None


def record(
    engine: Engine,
    document: Mapping[str, Any],
    *,
    actor: str,
    signer: LedgerSigner | None,
) -> Recorded:
    """Append the drill's ledger entry, then store the full result with its sequence number."""
    from bulkhead.store.ledger import Ledger, NewEntry

    appended = Ledger(engine).append(
        [NewEntry("drill-result", ledger_body(document), actor)], signer
    )
    row = {
        "id": document["drill_id"],
        "tenant": document["tenant"],
        "environment": document["environment"],
        "started_at": document["started_at"],
        "status": document["status"],
        "passed": bool(document["passed"]),
        "rpo_seconds": document.get("rpo_seconds"),
        "rto_seconds": document.get("rto_seconds"),
        "result": json.dumps(document, sort_keys=True, separators=(",", ":")),
        "ledger_seq": appended.first_seq,
    }
    try:
        with write_transaction(engine) as connection:
            connection.execute(insert(DrillRow), [row])
    except SQLAlchemyError as error:
        raise StoreError(_one_line(error)) from None
    return Recorded(appended.first_seq, appended.note)


def past_results(
    engine: Engine,
    *,
    tenant: str | None = None,
    environment: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The most recent `limit` results (filtered), oldest first."""
    query = select(DrillRow.result).order_by(DrillRow.started_at.desc()).limit(limit)
    if tenant is not None:
        query = query.where(DrillRow.tenant == tenant)
    if environment is not None:
        query = query.where(DrillRow.environment == environment)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).scalars().all()
    except SQLAlchemyError as error:
        raise StoreError(_one_line(error)) from None
    documents = [json.loads(text) for text in rows]
    documents.reverse()
    return documents


def trend(documents: Sequence[Mapping[str, Any]]) -> str:
    """One character per drill, oldest first: P passed, F failed, E error."""
    return "".join({"passed": "P", "failed": "F"}.get(d.get("status", ""), "E") for d in documents)
