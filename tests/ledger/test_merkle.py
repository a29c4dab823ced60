from __future__ import annotations

import hashlib
import random
import time

import pytest

from bulkhead.ledger.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 reference data as used by the Certificate Transparency and transparency-dev test
# suites (transparency-dev/merkle proof/verify_test.go). ROOTS[n] is the root of the first
# n leaves; the inclusion vectors there number leaves from 1, converted to 0-based here.
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (index, tree size, audit path)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

REF = [leaf_hash(d) for d in LEAVES]
MAX = 64
HASHES = [leaf_hash(b"entry %d" % i) for i in range(MAX)]
TREE_ROOTS = [root_hash(HASHES[:n]) for n in range(MAX + 1)]
OTHER = hashlib.sha256(b"not in the tree").digest()


def _flip(value: bytes, pos: int, bit: int = 1) -> bytes:
    out = bytearray(value)
    out[pos] ^= bit
    return bytes(out)


def _naive_root(hashes: list[bytes]) -> bytes:
    """The RFC's recursive definition, written independently of the implementation."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(_naive_root(hashes[:k]), _naive_root(hashes[k:]))


# -- hashing ------------------------------------------------------------------------------


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert root_hash([]) == EMPTY_ROOT


def test_leaf_and_node_prefixes() -> None:
    assert leaf_hash(b"").hex() == ROOTS[1]
    assert node_hash(REF[0], REF[1]).hex() == ROOTS[2]
    # The prefixes are what make a leaf never equal an interior node with the same bytes.
    assert leaf_hash(REF[0] + REF[1]) != node_hash(REF[0], REF[1])


@pytest.mark.parametrize("n", range(len(ROOTS)))
def test_reference_roots(n: int) -> None:
    assert root_hash(REF[:n]).hex() == ROOTS[n]
    assert MerkleAccumulator.of(REF[:n]).root().hex() == ROOTS[n]


def test_split_is_largest_power_of_two_not_midpoint() -> None:
    # For 5 leaves RFC 6962 splits 4+1; a midpoint split (3+2) gives a different root.
    midpoint = node_hash(_naive_root(REF[:3]), _naive_root(REF[3:5]))
    assert root_hash(REF[:5]) != midpoint
    assert root_hash(REF[:5]) == node_hash(_naive_root(REF[:4]), REF[4])


def test_root_matches_recursive_definition_for_every_size() -> None:
    for n in range(MAX + 1):
        assert TREE_ROOTS[n] == _naive_root(HASHES[:n]), n


def test_subtree_root() -> None:
    assert subtree_root(HASHES, 3, 3) == EMPTY_ROOT
    assert subtree_root(HASHES, 8, 16) == _naive_root(HASHES[8:16])
    with pytest.raises(ValueError):
        subtree_root(HASHES, 5, MAX + 1)
    with pytest.raises(ValueError):
        subtree_root(HASHES, 5, 4)


# -- accumulator --------------------------------------------------------------------------


def test_accumulator_tracks_root_after_every_append() -> None:
    acc = MerkleAccumulator()
    assert acc.root() == EMPTY_ROOT
    for n, h in enumerate(HASHES, start=1):
        acc.append(h)
        assert acc.size == n
        assert acc.root() == TREE_ROOTS[n]
        assert len(acc.state()[1]) == n.bit_count()


def test_accumulator_state_round_trip() -> None:
    acc = MerkleAccumulator.of(HASHES[:37])
    size, peaks = acc.state()
    restored = MerkleAccumulator.from_state(size, list(peaks))
    restored.extend(HASHES[37:])
    assert restored.root() == TREE_ROOTS[MAX]
    assert acc.root() == TREE_ROOTS[37]  # the original is not shared with the copy
    copy = acc.copy()
    copy.append(HASHES[37])
    assert acc.size == 37
    assert copy.root() == TREE_ROOTS[38]


def test_accumulator_rejects_bad_state_and_hashes() -> None:
    with pytest.raises(ValueError, match="subtree roots"):
        MerkleAccumulator.from_state(5, [HASHES[0]])  # 5 = 0b101 needs two
    with pytest.raises(ValueError):
        MerkleAccumulator.from_state(-1, [])
    with pytest.raises(ValueError):
        MerkleAccumulator.from_state(1, [b"short"])
    with pytest.raises(ValueError):
        MerkleAccumulator().append(b"x" * 31)
    with pytest.raises(ValueError):
        root_hash([HASHES[0], b"raw entry, not a leaf hash"])


def test_100k_leaves_are_fast() -> None:
    hashes = [leaf_hash(i.to_bytes(8, "big")) for i in range(100_000)]
    start = time.perf_counter()
    root = root_hash(hashes)
    proof = inclusion_proof(hashes, 54_321)
    cons = consistency_proof(hashes, 65_537, 100_000)
    elapsed = time.perf_counter() - start
    assert verify_inclusion(hashes[54_321], 54_321, 100_000, proof, root)
    assert verify_consistency(65_537, 100_000, root_hash(hashes[:65_537]), root, cons)
    assert elapsed < 5.0, f"root + two proofs over 100k leaves took {elapsed:.2f}s"


# -- inclusion ----------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(REF, index, size)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(REF[index], index, size, proof, root)
    assert not verify_inclusion(REF[index], index, size, proof, bytes.fromhex(ROOTS[0]))


def test_every_inclusion_proof_verifies_and_every_tamper_fails() -> None:
    rng = random.Random(6962)
    for n in range(1, MAX + 1):
        root = TREE_ROOTS[n]
        for i in range(n):
            proof = inclusion_proof(HASHES, i, n)
            leaf = HASHES[i]
            assert verify_inclusion(leaf, i, n, proof, root), (i, n)
            assert not verify_inclusion(OTHER, i, n, proof, root)
            assert not verify_inclusion(leaf, i, n, proof, _flip(root, rng.randrange(32)))
            assert not verify_inclusion(leaf, i, n, [*proof, root], root)
            assert not verify_inclusion(leaf, i, n, [root, *proof], root)
            if proof:
                assert not verify_inclusion(leaf, i, n, proof[:-1], root)
                assert not verify_inclusion(leaf, i, n, proof[1:], root)
            for j in range(len(proof)):
                bad = list(proof)
                bad[j] = _flip(bad[j], rng.randrange(32), 1 << rng.randrange(8))
                assert not verify_inclusion(leaf, i, n, bad, root), (i, n, j)
            for other in range(n):
                if other != i:
                    assert not verify_inclusion(leaf, other, n, proof, root), (i, n, other)
            # Against any other published (size, root) pair the proof never verifies.
            for m in range(i + 1, MAX + 1):
                if m != n:
                    assert not verify_inclusion(leaf, i, m, proof, TREE_ROOTS[m]), (i, n, m)
            # Same root, claimed size doubled or halved: the path shape no longer fits.
            assert not verify_inclusion(leaf, i, n * 2, proof, root)
            assert not verify_inclusion(leaf, i, n // 2, proof, root)


def test_flipping_any_byte_of_an_inclusion_proof_fails() -> None:
    for n in range(1, 20):
        root = TREE_ROOTS[n]
        for i in range(n):
            proof = inclusion_proof(HASHES, i, n)
            for j in range(len(proof)):
                for pos in range(32):
                    bad = list(proof)
                    bad[j] = _flip(bad[j], pos, 0x80)
                    assert not verify_inclusion(HASHES[i], i, n, bad, root)


def test_inclusion_rejects_malformed_input_without_raising() -> None:
    root = TREE_ROOTS[4]
    proof = inclusion_proof(HASHES, 1, 4)
    leaf = HASHES[1]
    assert not verify_inclusion(leaf, 4, 4, proof, root)
    assert not verify_inclusion(leaf, -1, 4, proof, root)
    assert not verify_inclusion(leaf, 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(leaf, True, 4, proof, root)
    assert not verify_inclusion(leaf[:31], 1, 4, proof, root)
    assert not verify_inclusion(leaf, 1, 4, proof, root + b"\x00")
    assert not verify_inclusion(leaf, 1, 4, [*proof, b""], root)
    # A one-leaf tree: the leaf is the root and the proof is empty.
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 1, [], OTHER)


def test_inclusion_proof_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        inclusion_proof(HASHES, 8, 8)
    with pytest.raises(ValueError):
        inclusion_proof(HASHES, -1)
    with pytest.raises(ValueError):
        inclusion_proof(HASHES, 0, MAX + 1)
    with pytest.raises(ValueError):
        inclusion_proof([], 0)


# -- consistency --------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, path: list[str]) -> None:
    proof = consistency_proof(REF, old, new)
    assert [p.hex() for p in proof] == path
    old_root, new_root = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    assert verify_consistency(old, new, old_root, new_root, proof)
    if old != new:
        assert not verify_consistency(old, new, new_root, old_root, proof)


def test_every_consistency_proof_verifies_and_every_tamper_fails() -> None:
    rng = random.Random(9162)
    for n in range(1, MAX + 1):
        new_root = TREE_ROOTS[n]
        for m in range(1, n + 1):
            old_root = TREE_ROOTS[m]
            proof = consistency_proof(HASHES, m, n)
            assert verify_consistency(m, n, old_root, new_root, proof), (m, n)
            assert not verify_consistency(m, n, OTHER, new_root, proof)
            assert not verify_consistency(m, n, old_root, OTHER, proof)
            assert not verify_consistency(m, n, old_root, new_root, [*proof, OTHER])
            assert not verify_consistency(m, n, old_root, new_root, [OTHER, *proof])
            if m == n:
                assert proof == []
                continue
            assert not verify_consistency(m, n, new_root, old_root, proof)
            assert not verify_consistency(m, n, old_root, new_root, [])
            assert not verify_consistency(m, n, old_root, new_root, proof[:-1])
            assert not verify_consistency(m, n, old_root, new_root, [*proof, old_root])
            assert not verify_consistency(m, n, old_root, new_root, [proof[0], *proof])
            assert not verify_consistency(n, m, new_root, old_root, proof)
            for j in range(len(proof)):
                bad = list(proof)
                bad[j] = _flip(bad[j], rng.randrange(32), 1 << rng.randrange(8))
                assert not verify_consistency(m, n, old_root, new_root, bad), (m, n, j)
            # The proof ties exactly these two checkpoints: no other (size, root) pair works.
            for m2 in range(1, n + 1):
                if m2 != m:
                    assert not verify_consistency(m2, n, TREE_ROOTS[m2], new_root, proof)
            for n2 in range(m + 1, MAX + 1):
                if n2 != n:
                    assert not verify_consistency(m, n2, old_root, TREE_ROOTS[n2], proof)
            assert not verify_consistency(m, n * 2, old_root, new_root, proof)
            assert not verify_consistency(m, n // 2, old_root, new_root, proof)


def test_flipping_any_byte_of_a_consistency_proof_fails() -> None:
    for n in range(2, 20):
        for m in range(1, n):
            proof = consistency_proof(HASHES, m, n)
            for j in range(len(proof)):
                for pos in range(32):
                    bad = list(proof)
                    bad[j] = _flip(bad[j], pos, 0x80)
                    assert not verify_consistency(m, n, TREE_ROOTS[m], TREE_ROOTS[n], bad)


def test_rewritten_history_fails_consistency() -> None:
    # An admin rewrites entry 3 and recomputes everything: the new root is self-consistent,
    # but not with the checkpoint published at size 10.
    forged = list(HASHES)
    forged[3] = leaf_hash(b"rewritten")
    forged_root = root_hash(forged)
    proof = consistency_proof(forged, 10, MAX)
    assert not verify_consistency(10, MAX, TREE_ROOTS[10], forged_root, proof)
    honest = consistency_proof(HASHES, 10, MAX)
    assert not verify_consistency(10, MAX, TREE_ROOTS[10], forged_root, honest)


def test_consistency_edge_cases() -> None:
    r4 = TREE_ROOTS[4]
    # From the empty tree: consistent with anything, but only from the real empty root.
    assert consistency_proof(HASHES, 0, 5) == []
    assert verify_consistency(0, 5, EMPTY_ROOT, TREE_ROOTS[5], [])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 5, OTHER, TREE_ROOTS[5], [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, TREE_ROOTS[5], [OTHER])
    # Equal sizes: equal roots and an empty proof.
    assert verify_consistency(4, 4, r4, r4, [])
    assert not verify_consistency(4, 4, r4, OTHER, [])
    assert not verify_consistency(4, 4, r4, r4, [r4])
    # Shrinking, negative or non-integer sizes, malformed hashes.
    assert not verify_consistency(5, 4, TREE_ROOTS[5], r4, [])
    assert not verify_consistency(-1, 4, EMPTY_ROOT, r4, [])
    assert not verify_consistency(True, 4, REF[0], r4, [])
    assert not verify_consistency(4, 4, r4[:16], r4[:16], [])
    proof = consistency_proof(HASHES, 3, 7)
    assert not verify_consistency(3, 7, TREE_ROOTS[3], TREE_ROOTS[7], [*proof[:-1], b"short"])


def test_consistency_proof_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        consistency_proof(HASHES, 5, 4)
    with pytest.raises(ValueError):
        consistency_proof(HASHES, -1, 4)
    with pytest.raises(ValueError):
        consistency_proof(HASHES, 1, MAX + 1)
