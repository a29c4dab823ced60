"""The ledger in the database: append-only entries, signed checkpoints, proofs, verification.

The hashing and signing are the pure `bulkhead.ledger` modules; this module decides what is
hashed and keeps the rows. An entry's leaf is the canonical JSON of
`{"seq", "type", "time", "actor", "body"}`, so moving, editing or re-dating a row changes its
leaf. Appends run under the store's write lock (one writer at a time across processes), and
the checkpoint of a batch is signed in the same transaction as its entries: an acknowledged
entry is covered by a signature, and a process killed mid-append leaves the previous state.

Verification trusts nothing in the database but the public keys it is given: it recomputes
every leaf and the root at every checkpoint size from the rows, checks every checkpoint's
signature, and checks the log against an exported checkpoint kept elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from bulkhead.ledger.canonical import canonical_json
from bulkhead.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    open_note,
    sign_checkpoint,
)
from bulkhead.ledger.keys import LedgerSigner, LedgerVerifier
from bulkhead.ledger.merkle import (
    HASH_SIZE,
    MerkleAccumulator,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
)
from bulkhead.store.db import StoreError, write_transaction
from bulkhead.store.models import LedgerCheckpoint, LedgerEntry, LedgerState

DEFAULT_ORIGIN = "bulkhead.ledger"
ENTRY_TYPES = frozenset({"gate-decision", "deployment", "access-grant", "drill-result", "note"})
_STATE_ROW = 1
_ENTRIES = LedgerEntry.__table__
_READ_BATCH = 5000


class LedgerError(Exception):
    """The ledger cannot do what was asked (unknown entry, bad proof range); one line."""


@dataclass(frozen=True, slots=True)
class NewEntry:
    entry_type: str
    body: Mapping[str, Any]
    actor: str
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredEntry:
    seq: int
    entry_type: str
    recorded_at: str
    actor: str
    body: Mapping[str, Any]
    leaf_hash: bytes

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.entry_type,
            "time": self.recorded_at,
            "actor": self.actor,
            "body": dict(self.body),
            "leaf_hash": self.leaf_hash.hex(),
        }


@dataclass(frozen=True, slots=True)
class Appended:
    first_seq: int
    tree_size: int
    root_hash: bytes
    note: str | None
    """The signed checkpoint covering the batch, or None when no key was given."""


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    key_name: str
    key_id: str
    note: str
    created_at: str


@dataclass(slots=True)
class Verification:
    tree_size: int = 0
    root_hash: bytes = b""
    checkpoints_verified: int = 0
    uncovered: int = 0
    """Entries after the last signed checkpoint: not yet protected by a signature."""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "checkpoints_verified": self.checkpoints_verified,
            "uncovered_entries": self.uncovered,
            "problems": list(self.problems),
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _time(value: datetime | None) -> str:
    if value is None:
        return _now()
    if value.tzinfo is None:
        raise LedgerError("entry times must carry a time zone")
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def entry_leaf(seq: int, entry_type: str, recorded_at: str, actor: str, body: Any) -> bytes:
    """The leaf hash of one entry: RFC 6962 leaf over the canonical JSON of
    `{"seq", "type", "time", "actor", "body"}`."""
    body_text = canonical_json(body).decode("utf-8")
    return leaf_from_text(seq, entry_type, recorded_at, actor, body_text)


def leaf_from_text(seq: int, entry_type: str, recorded_at: str, actor: str, body: str) -> bytes:
    """The same leaf from the stored canonical body text, without parsing it again.

    The keys in JCS order are actor, body, seq, time, type; a stored body that is not the
    canonical text of its content (edited by hand) gives a different leaf, as it should.
    """
    head = canonical_json({"actor": actor})[:-1]  # `{"actor":"..."`
    tail = canonical_json({"seq": seq, "time": recorded_at, "type": entry_type})[1:]
    return leaf_hash(head + b',"body":' + body.encode("utf-8") + b"," + tail)


_SUBJECT_COLUMNS = {"tenant": 64, "environment": 64, "digest": 80, "commit": 64}


def _subject(body: Mapping[str, Any]) -> dict[str, str | None]:
    """The indexed subject columns; a value too long for its column is refused on every
    backend alike (PostgreSQL would reject it, SQLite would store it)."""
    found: dict[str, str | None] = {}
    for key, limit in _SUBJECT_COLUMNS.items():
        value = body.get(key)
        if isinstance(value, str) and value:
            if len(value) > limit:
                raise LedgerError(f"body.{key} is longer than {limit} characters")
            found[key] = value
        else:
            found[key] = None
    found["commit_sha"] = found.pop("commit")
    return found


def _pack(peaks: Sequence[bytes]) -> bytes:
    return b"".join(peaks)


def _unpack(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


class Ledger:
    """The ledger of one store. `origin` names the log in its checkpoints."""

    def __init__(self, engine: Engine, origin: str = DEFAULT_ORIGIN) -> None:
        self.engine = engine
        self.origin = origin

    # --- writing ---------------------------------------------------------------------

    def append(self, entries: Sequence[NewEntry], signer: LedgerSigner | None) -> Appended:
        """Append a batch atomically; with a signer, its checkpoint is signed in the same
        transaction."""
        if not entries:
            raise LedgerError("nothing to append")
        prepared = []
        for entry in entries:
            if entry.entry_type not in ENTRY_TYPES:
                known = ", ".join(sorted(ENTRY_TYPES))
                raise LedgerError(f"unknown entry type {entry.entry_type!r} (one of {known})")
            if not entry.actor.strip():
                raise LedgerError("every entry needs an actor")
            body = json.loads(canonical_json(dict(entry.body)))
            _subject(body)
            prepared.append((entry, _time(entry.recorded_at), body))
        try:
            with write_transaction(self.engine) as connection:
                accumulator = self._accumulator(connection)
                first = accumulator.size
                rows = []
                for offset, (entry, recorded_at, body) in enumerate(prepared):
                    seq = first + offset
                    text = canonical_json(body).decode("utf-8")
                    leaf = leaf_from_text(seq, entry.entry_type, recorded_at, entry.actor, text)
                    accumulator.append(leaf)
                    rows.append(
                        {
                            "seq": seq,
                            "entry_type": entry.entry_type,
                            "recorded_at": recorded_at,
                            "actor": entry.actor,
                            "body": text,
                            "leaf_hash": leaf,
                            **_subject(body),
                        }
                    )
                connection.execute(insert(LedgerEntry), rows)
                self._save_state(connection, accumulator)
                root = accumulator.root()
                note = None
                if signer is not None:
                    note = self._checkpoint(connection, accumulator.size, root, signer)
        except SQLAlchemyError as error:
            raise StoreError(f"ledger append failed: {str(error).splitlines()[0]}") from None
        return Appended(first, accumulator.size, root, note)

    def checkpoint(self, signer: LedgerSigner) -> str:
        """Sign the current tree head (after appends made without a key)."""
        with write_transaction(self.engine) as connection:
            accumulator = self._accumulator(connection)
            return self._checkpoint(connection, accumulator.size, accumulator.root(), signer)

    def _accumulator(self, connection: Connection) -> MerkleAccumulator:
        state = connection.execute(
            select(LedgerState.__table__).where(LedgerState.id == _STATE_ROW)
        ).one_or_none()
        count = connection.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
        if state is not None and state.tree_size == count:
            try:
                return MerkleAccumulator.from_state(state.tree_size, _unpack(state.compact_range))
            except ValueError:
                pass  # a damaged state row: rebuild it from the entries below
        return MerkleAccumulator.of(leaf for _, leaf in self._leaves(connection))

    def _save_state(self, connection: Connection, accumulator: MerkleAccumulator) -> None:
        size, peaks = accumulator.state()
        values = {"tree_size": size, "compact_range": _pack(peaks)}
        changed = connection.execute(
            update(LedgerState).where(LedgerState.id == _STATE_ROW).values(**values)
        ).rowcount
        if not changed:
            connection.execute(insert(LedgerState).values(id=_STATE_ROW, **values))

    def _checkpoint(
        self, connection: Connection, size: int, root: bytes, signer: LedgerSigner
    ) -> str:
        note = sign_checkpoint(Checkpoint(self.origin, size, root), signer)
        connection.execute(
            insert(LedgerCheckpoint).values(
                tree_size=size,
                root_hash=root,
                key_name=signer.name,
                key_id=signer.key_id,
                note=note,
                created_at=_now(),
            )
        )
        return note

    # --- reading ---------------------------------------------------------------------

    def size(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
            )

    def _leaves(self, connection: Connection) -> Iterator[tuple[int, bytes]]:
        last = -1
        while True:
            batch = connection.execute(
                select(LedgerEntry.seq, LedgerEntry.leaf_hash)
                .where(LedgerEntry.seq > last)
                .order_by(LedgerEntry.seq)
                .limit(_READ_BATCH)
            ).all()
            if not batch:
                return
            for seq, leaf in batch:
                yield seq, bytes(leaf)
            last = batch[-1][0]

    def _rows(self, connection: Connection) -> Iterator[Row[Any]]:
        last = -1
        while True:
            batch = connection.execute(
                select(_ENTRIES)
                .where(LedgerEntry.seq > last)
                .order_by(LedgerEntry.seq)
                .limit(_READ_BATCH)
            ).all()
            if not batch:
                return
            yield from batch
            last = batch[-1].seq

    @staticmethod
    def _stored(row: Row[Any]) -> StoredEntry:
        return StoredEntry(
            row.seq, row.entry_type, row.recorded_at, row.actor, json.loads(row.body),
            bytes(row.leaf_hash),
        )  # fmt: skip

    def entries(
        self,
        *,
        entry_type: str | None = None,
        tenant: str | None = None,
        environment: str | None = None,
        digest: str | None = None,
        commit: str | None = None,
        limit: int | None = None,
    ) -> list[StoredEntry]:
        """Entries in log order, filtered by type and subject; the newest `limit` if given."""
        query = select(_ENTRIES)
        for column, value in (
            (LedgerEntry.entry_type, entry_type),
            (LedgerEntry.tenant, tenant),
            (LedgerEntry.environment, environment),
            (LedgerEntry.digest, digest),
            (LedgerEntry.commit_sha, commit),
        ):
            if value is not None:
                query = query.where(column == value)
        if limit is not None:
            query = query.order_by(LedgerEntry.seq.desc()).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return sorted((self._stored(r) for r in rows), key=lambda e: e.seq)

    def entry(self, seq: int) -> StoredEntry:
        with self.engine.connect() as connection:
            row = connection.execute(select(_ENTRIES).where(LedgerEntry.seq == seq)).one_or_none()
        if row is None:
            raise LedgerError(f"no ledger entry {seq}")
        return self._stored(row)

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(LedgerCheckpoint.__table__).order_by(
                    LedgerCheckpoint.tree_size, LedgerCheckpoint.id
                )
            ).all()
            return [
                StoredCheckpoint(
                    r.tree_size, bytes(r.root_hash), r.key_name, r.key_id, r.note, r.created_at
                )
                for r in rows
            ]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        found = self.checkpoints()
        return found[-1] if found else None

    # --- proofs ----------------------------------------------------------------------

    def _all_leaves(self) -> list[bytes]:
        with self.engine.connect() as connection:
            return [leaf for _, leaf in self._leaves(connection)]

    def prove_inclusion(self, seq: int, tree_size: int | None = None) -> dict[str, Any]:
        leaves = self._all_leaves()
        size = len(leaves) if tree_size is None else tree_size
        if not 0 <= seq < size <= len(leaves):
            have = len(leaves)
            raise LedgerError(f"entry {seq} is not in a tree of size {size} (log has {have})")
        proof = inclusion_proof(leaves, seq, size)
        return {
            "seq": seq,
            "tree_size": size,
            "leaf_hash": leaves[seq].hex(),
            "root_hash": MerkleAccumulator.of(leaves[:size]).root().hex(),
            "proof": [p.hex() for p in proof],
        }

    def prove_consistency(self, old_size: int, new_size: int | None = None) -> dict[str, Any]:
        leaves = self._all_leaves()
        size = len(leaves) if new_size is None else new_size
        if not 0 <= old_size <= size <= len(leaves):
            raise LedgerError(
                f"no consistency proof from {old_size} to {size} (log has {len(leaves)})"
            )
        return {
            "old_size": old_size,
            "new_size": size,
            "old_root": MerkleAccumulator.of(leaves[:old_size]).root().hex(),
            "new_root": MerkleAccumulator.of(leaves[:size]).root().hex(),
            "proof": [p.hex() for p in consistency_proof(leaves, old_size, size)],
        }

    # --- verification ----------------------------------------------------------------

    def verify(
        self, verifiers: Iterable[LedgerVerifier], against: str | None = None
    ) -> Verification:
        """Recompute the log from its rows and check it against every signed checkpoint and,
        if given, an exported checkpoint note kept outside the database."""
        trusted = list(verifiers)
        result = Verification()
        wanted: dict[int, list[tuple[str, StoredCheckpoint | None, bytes]]] = {}
        for stored in self.checkpoints():
            try:
                opened = open_note(stored.note, trusted, expected_origin=self.origin)
            except CheckpointError as error:
                result.problems.append(
                    f"checkpoint at size {stored.tree_size} (key {stored.key_name}): {error}"
                )
                continue
            size = opened.checkpoint.size
            label = f"signed checkpoint at size {size}"
            wanted.setdefault(size, []).append((label, stored, opened.checkpoint.root_hash))
        if against is not None:
            try:
                outside = open_note(against, trusted, expected_origin=self.origin).checkpoint
            except CheckpointError as error:
                result.problems.append(f"exported checkpoint: {error}")
            else:
                label = f"exported checkpoint at size {outside.size}"
                wanted.setdefault(outside.size, []).append((label, None, outside.root_hash))
        accumulator = MerkleAccumulator()
        expected_seq = 0
        with self.engine.connect() as connection:
            self._check_size(0, accumulator, wanted, result)
            for row in self._rows(connection):
                if row.seq != expected_seq:
                    result.problems.append(
                        f"entries {expected_seq}..{row.seq - 1} are missing (deleted)"
                        if row.seq > expected_seq
                        else f"entry {row.seq} appears out of order"
                    )
                    expected_seq = row.seq
                leaf = self._recomputed_leaf(row, result)
                if leaf != bytes(row.leaf_hash):
                    result.problems.append(
                        f"entry {row.seq} was modified: its content no longer matches its hash"
                    )
                accumulator.append(leaf)
                expected_seq += 1
                self._check_size(accumulator.size, accumulator, wanted, result)
            state = connection.execute(
                select(LedgerState.__table__).where(LedgerState.id == _STATE_ROW)
            ).one_or_none()
        result.tree_size = accumulator.size
        result.root_hash = accumulator.root()
        for size, claims in sorted(wanted.items()):
            if size > accumulator.size:
                for label, _, _ in claims:
                    result.problems.append(
                        f"log truncated: the {label} covers {size} entries, the log has "
                        f"{accumulator.size}"
                    )
        if state is not None and (
            state.tree_size != accumulator.size
            or _unpack(state.compact_range) != list(accumulator.state()[1])
        ):
            result.problems.append("the stored tree state does not match the entries")
        covered = max((s for s in wanted if s <= accumulator.size), default=0)
        result.uncovered = accumulator.size - covered
        if not trusted:
            result.problems.append("no public key given: checkpoints cannot be verified")
        return result

    @staticmethod
    def _recomputed_leaf(row: Row[Any], result: Verification) -> bytes:
        try:
            return leaf_from_text(row.seq, row.entry_type, row.recorded_at, row.actor, row.body)
        except (ValueError, TypeError) as error:
            result.problems.append(f"entry {row.seq} has an unreadable body: {error}")
            return b"\0" * HASH_SIZE

    @staticmethod
    def _check_size(
        size: int,
        accumulator: MerkleAccumulator,
        wanted: Mapping[int, list[tuple[str, StoredCheckpoint | None, bytes]]],
        result: Verification,
    ) -> None:
        claims = wanted.get(size)
        if not claims:
            return
        root = accumulator.root()
        for label, stored, claimed in claims:
            if claimed != root:
                result.problems.append(
                    f"the {label} does not match the entries: an entry at or before {size - 1} "
                    "was modified, deleted, reordered or inserted"
                )
            elif stored is not None:
                result.checkpoints_verified += 1
