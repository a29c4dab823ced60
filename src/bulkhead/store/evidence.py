"""Evidence bundles in the store, under their content digest, for `trace`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from bulkhead.store.db import write_transaction
from bulkhead.store.models import EvidenceBundle


@dataclass(frozen=True, slots=True)
class StoredBundle:
    digest: str
    tenant: str
    environment: str
    image_digest: str
    commit: str
    created_at: str
    body: str


def save_bundle(
    engine: Engine,
    digest: str,
    tenant: str,
    environment: str,
    image_digest: str,
    commit: str,
    body: str,
) -> bool:
    """Keep a sealed bundle; False when the same content is already stored."""
    with write_transaction(engine) as connection:
        exists = connection.execute(
            select(EvidenceBundle.digest).where(EvidenceBundle.digest == digest)
        ).first()
        if exists is not None:
            return False
        connection.execute(
            insert(EvidenceBundle).values(
                digest=digest,
                tenant=tenant,
                environment=environment,
                image_digest=image_digest,
                commit_sha=commit,
                created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                body=body,
            )
        )
    return True


def find_bundles(
    engine: Engine, *, image_digest: str | None = None, commit: str | None = None
) -> list[StoredBundle]:
    table = EvidenceBundle.__table__
    query = select(table).order_by(EvidenceBundle.created_at, EvidenceBundle.digest)
    if image_digest is not None:
        query = query.where(EvidenceBundle.image_digest == image_digest)
    if commit is not None:
        query = query.where(EvidenceBundle.commit_sha.startswith(commit))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        StoredBundle(
            r.digest, r.tenant, r.environment, r.image_digest, r.commit_sha, r.created_at, r.body
        )
        for r in rows
    ]
