"""Tables of the store. Times are RFC 3339 UTC text with microseconds, so the bytes hashed into
the ledger are the same whichever database holds them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class LedgerEntry(Base):
    """One entry of the append-only log; `seq` is its index in the Merkle tree (from 0)."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_type: Mapped[str] = mapped_column(String(64), index=True)
    recorded_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    """Canonical JSON of the entry's body."""
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Subject columns, copied from the body at append, so trace finds entries by index.
    tenant: Mapped[str | None] = mapped_column(String(64), index=True)
    environment: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str | None] = mapped_column(String(80), index=True)
    commit_sha: Mapped[str | None] = mapped_column(String(64), index=True)


class LedgerCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) of the tree at `tree_size`."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_name: Mapped[str] = mapped_column(String(255))
    key_id: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))


class LedgerState(Base):
    """The tree's compact range after the last append (one row), so an append costs O(log n)
    instead of re-reading every leaf. `verify` never trusts it: it recomputes from entries."""

    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    compact_range: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceBundle(Base):
    """A release evidence bundle, stored under its content digest."""

    __tablename__ = "evidence_bundles"

    digest: Mapped[str] = mapped_column(String(80), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    environment: Mapped[str] = mapped_column(String(64))
    image_digest: Mapped[str] = mapped_column(String(80), index=True)
    commit_sha: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)


Index("ix_ledger_entries_subject", LedgerEntry.tenant, LedgerEntry.environment)
