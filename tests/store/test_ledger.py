"""The ledger on real SQLite and PostgreSQL: appends, proofs, every tamper kind, truncation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, delete, insert, select, text, update

from bulkhead.ledger.canonical import canonical_json
from bulkhead.ledger.keys import LedgerSigner
from bulkhead.ledger.merkle import verify_consistency, verify_inclusion
from bulkhead.store import upgrade
from bulkhead.store.ledger import Ledger, LedgerError, NewEntry
from bulkhead.store.models import LedgerEntry
from tests.database import BACKENDS, engine_for

SIGNER = LedgerSigner("bulkhead.test", Ed25519PrivateKey.generate())
OTHER = LedgerSigner("bulkhead.test", Ed25519PrivateKey.generate())


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with engine_for(request.param, tmp_path) as engine:
        upgrade(engine)
        yield engine


def _deploy(n: int) -> NewEntry:
    body = {"tenant": "acme", "environment": "prod", "digest": f"sha256:{n:064x}", "n": n}
    return NewEntry("deployment", body, "ci@example.com")


def _filled(engine: Engine, batches: int = 3, per_batch: int = 4) -> Ledger:
    ledger = Ledger(engine)
    for b in range(batches):
        ledger.append([_deploy(b * per_batch + i) for i in range(per_batch)], SIGNER)
    return ledger


def test_append_sign_verify_and_find(engine: Engine) -> None:
    ledger = _filled(engine)
    assert ledger.size() == 12
    result = ledger.verify([SIGNER.verifier()])
    assert result.ok, result.problems
    assert (result.tree_size, result.checkpoints_verified, result.uncovered) == (12, 3, 0)
    found = ledger.entries(digest=f"sha256:{5:064x}")
    assert [e.seq for e in found] == [5]
    assert found[0].body["tenant"] == "acme"
    assert [e.seq for e in ledger.entries(tenant="acme", limit=2)] == [10, 11]


def test_unsigned_appends_are_reported_until_checkpointed(engine: Engine) -> None:
    ledger = _filled(engine, batches=1)
    ledger.append([_deploy(99)], None)
    result = ledger.verify([SIGNER.verifier()])
    assert result.ok and result.uncovered == 1
    ledger.checkpoint(SIGNER)
    assert ledger.verify([SIGNER.verifier()]).uncovered == 0


def test_proofs_verify_with_the_pure_functions(engine: Engine) -> None:
    ledger = _filled(engine)
    for seq in (0, 5, 11):
        proof = ledger.prove_inclusion(seq)
        assert verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            seq,
            proof["tree_size"],
            [bytes.fromhex(p) for p in proof["proof"]],
            bytes.fromhex(proof["root_hash"]),
        )
    consistency = ledger.prove_consistency(4, 12)
    assert verify_consistency(
        4,
        12,
        bytes.fromhex(consistency["old_root"]),
        bytes.fromhex(consistency["new_root"]),
        [bytes.fromhex(p) for p in consistency["proof"]],
    )
    with pytest.raises(LedgerError):
        ledger.prove_inclusion(12)


def _problems(ledger: Ledger, against: str | None = None) -> str:
    result = ledger.verify([SIGNER.verifier()], against)
    assert not result.ok
    return "\n".join(result.problems)


def test_modified_entry_is_detected(engine: Engine) -> None:
    ledger = _filled(engine)
    with engine.begin() as connection:
        connection.execute(
            update(LedgerEntry).where(LedgerEntry.seq == 3).values(body='{"n":3,"tenant":"evil"}')
        )
    assert "entry 3 was modified" in _problems(ledger)


def test_modified_entry_with_recomputed_hash_breaks_the_checkpoint(engine: Engine) -> None:
    from bulkhead.store.ledger import entry_leaf

    ledger = _filled(engine)
    victim = ledger.entry(3)
    forged = {**victim.body, "digest": "sha256:" + "f" * 64}
    leaf = entry_leaf(3, victim.entry_type, victim.recorded_at, victim.actor, forged)
    with engine.begin() as connection:
        connection.execute(
            update(LedgerEntry)
            .where(LedgerEntry.seq == 3)
            .values(body=canonical_json(forged).decode(), leaf_hash=leaf)  # a careful forger
        )
    problems = _problems(ledger)
    assert "signed checkpoint at size 4 does not match" in problems
    assert "entry 3 was modified" not in problems


def test_deleted_entry_is_detected(engine: Engine) -> None:
    ledger = _filled(engine)
    with engine.begin() as connection:
        connection.execute(delete(LedgerEntry).where(LedgerEntry.seq == 6))
    assert "entries 6..6 are missing" in _problems(ledger)


def test_reordered_entries_are_detected(engine: Engine) -> None:
    ledger = _filled(engine)
    with engine.begin() as connection:
        connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 1).values(seq=-1))
        connection.execute(update(LedgerEntry).where(LedgerEntry.seq == 2).values(seq=1))
        connection.execute(update(LedgerEntry).where(LedgerEntry.seq == -1).values(seq=2))
    problems = _problems(ledger)
    assert "entry 1 was modified" in problems and "entry 2 was modified" in problems


def test_inserted_entry_is_detected(engine: Engine) -> None:
    ledger = _filled(engine)
    with engine.begin() as connection:
        seqs = connection.execute(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()))
        for seq in list(seqs.scalars()):
            if seq >= 4:
                connection.execute(
                    update(LedgerEntry).where(LedgerEntry.seq == seq).values(seq=seq + 1)
                )
        connection.execute(
            insert(LedgerEntry).values(
                seq=4, entry_type="deployment", recorded_at="2026-01-01T00:00:00.000000Z",
                actor="intruder", body="{}", leaf_hash=b"\0" * 32,
            )
        )  # fmt: skip
    problems = _problems(ledger)
    assert "does not match the entries" in problems


def test_truncation_behind_the_last_checkpoint_is_detected(engine: Engine) -> None:
    ledger = _filled(engine)
    with engine.begin() as connection:
        connection.execute(delete(LedgerEntry).where(LedgerEntry.seq >= 10))
    assert "log truncated: the signed checkpoint at size 12 covers 12 entries" in _problems(ledger)


def test_truncation_with_checkpoints_removed_is_caught_by_the_exported_one(engine: Engine) -> None:
    ledger = _filled(engine)
    exported = ledger.latest_checkpoint()
    assert exported is not None
    with engine.begin() as connection:
        connection.execute(delete(LedgerEntry).where(LedgerEntry.seq >= 8))
        connection.execute(text("DELETE FROM ledger_checkpoints WHERE tree_size > 8"))
        connection.execute(text("DELETE FROM ledger_state"))
    assert ledger.verify([SIGNER.verifier()]).ok  # consistent on its own...
    assert "exported checkpoint at size 12 covers 12" in _problems(ledger, exported.note)


def test_a_rewritten_history_fails_against_the_exported_checkpoint(engine: Engine) -> None:
    ledger = _filled(engine, batches=1)
    exported = ledger.latest_checkpoint()
    assert exported is not None
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entries"))
        connection.execute(text("DELETE FROM ledger_checkpoints"))
        connection.execute(text("DELETE FROM ledger_state"))
    forged = Ledger(engine)
    forged.append([_deploy(100 + i) for i in range(6)], SIGNER)
    assert "exported checkpoint at size 4 does not match" in _problems(forged, exported.note)


def test_rotated_keys_and_unknown_keys(engine: Engine) -> None:
    ledger = Ledger(engine)
    ledger.append([_deploy(1)], SIGNER)
    ledger.append([_deploy(2)], OTHER)  # the key was rotated
    assert ledger.verify([SIGNER.verifier(), OTHER.verifier()]).ok
    problems = "\n".join(ledger.verify([SIGNER.verifier()]).problems)
    assert "checkpoint at size 2" in problems and "no signature from a trusted key" in problems
    assert not ledger.verify([]).ok


def test_bad_entries_are_refused(engine: Engine) -> None:
    ledger = Ledger(engine)
    with pytest.raises(LedgerError, match="unknown entry type"):
        ledger.append([NewEntry("bogus", {}, "me")], None)
    with pytest.raises(LedgerError, match="actor"):
        ledger.append([NewEntry("note", {}, " ")], None)
    with pytest.raises(ValueError):
        ledger.append([NewEntry("note", {"x": float("nan")}, "me")], None)
    assert ledger.size() == 0


def test_subject_values_too_long_for_their_column_are_refused_on_both(engine: Engine) -> None:
    ledger = Ledger(engine)
    with pytest.raises(LedgerError, match=r"body\.tenant is longer than 64"):
        ledger.append([NewEntry("note", {"tenant": "t" * 65}, "me")], None)
    ledger.append([NewEntry("note", {"tenant": "t" * 64, "note": "x" * 5000}, "me")], None)
    assert ledger.entries(tenant="t" * 64)[0].body["note"] == "x" * 5000


def test_leaf_from_stored_text_equals_the_canonical_leaf() -> None:
    from bulkhead.ledger.canonical import canonical_json
    from bulkhead.store.ledger import entry_leaf, leaf_from_text

    body = {"z": [1, {"b": "é\u2028\n"}], "a": None, "tenant": "acme", "n": -(2**53 - 1)}
    text = canonical_json(body).decode()
    for actor in ("ci@example.com", 'we"ird\\actor ☃'):
        expected = entry_leaf(7, "note", "2026-12-04T00:00:00.000000Z", actor, body)
        assert leaf_from_text(7, "note", "2026-12-04T00:00:00.000000Z", actor, text) == expected
    spaced = text.replace(",", ", ")  # same content, not canonical: a different leaf
    assert leaf_from_text(7, "note", "2026-12-04T00:00:00.000000Z", "a", spaced) != entry_leaf(
        7, "note", "2026-12-04T00:00:00.000000Z", "a", body
    )
