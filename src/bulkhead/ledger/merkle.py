"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification.

The ledger uses the exact Certificate Transparency tree so that its roots, inclusion proofs
and consistency proofs can be checked by any RFC 6962 implementation, not only by this one.
A hash chain would detect an edited row but not a truncated tail or a recomputed history;
a signed Merkle root plus consistency proofs detects both.

Conventions:

* Functions taking ``leaf_hashes`` want *leaf hashes* (``leaf_hash(entry)``), never raw
  entries, so the store can keep one 32-byte hash per row and never re-read entry bodies.
  Any ``Sequence[bytes]`` works, including a lazy one backed by the database.
* Generators (``root_hash``, ``inclusion_proof``, ``consistency_proof``) raise ``ValueError``
  on arguments no caller should pass: that is a bug on the log side. Verifiers
  (``verify_inclusion``, ``verify_consistency``) never raise on bad input and return
  ``False`` instead, because their input comes from whoever is being audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleAccumulator",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "subtree_root",
    "verify_consistency",
    "verify_inclusion",
]


def leaf_hash(data: bytes) -> bytes:
    """The 0x00 prefix keeps a leaf from ever being mistaken for an interior node."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The 0x01 prefix is the other half of the RFC 6962 second-preimage defence."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly below ``n`` (n >= 2): RFC 6962's split, not the midpoint."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes")


class MerkleAccumulator:
    """Append-only compact range: the roots of the perfect subtrees covering ``[0, size)``.

    It holds one hash per set bit of ``size`` (at most 64), largest subtree first, so a
    writer can keep the current root up to date in O(log n) per append without reloading
    the log. ``state()`` / ``from_state()`` let the store persist it next to the tree size;
    a persisted state must be trusted or re-derived, it is not self-authenticating.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._peaks: list[bytes] = []

    @classmethod
    def from_state(cls, size: int, peaks: Sequence[bytes]) -> MerkleAccumulator:
        """Rebuild from ``state()``; the peak count must match the bits of ``size``."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError("size must be a non-negative integer")
        if len(peaks) != size.bit_count():
            raise ValueError(
                f"a tree of size {size} has {size.bit_count()} subtree roots, got {len(peaks)}"
            )
        for peak in peaks:
            _check_hash(peak, "subtree root")
        acc = cls()
        acc._size = size
        acc._peaks = [bytes(p) for p in peaks]
        return acc

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> MerkleAccumulator:
        acc = cls()
        acc.extend(leaf_hashes)
        return acc

    @property
    def size(self) -> int:
        return self._size

    def state(self) -> tuple[int, tuple[bytes, ...]]:
        """``(size, subtree roots)``, largest subtree first."""
        return self._size, tuple(self._peaks)

    def copy(self) -> MerkleAccumulator:
        return MerkleAccumulator.from_state(self._size, self._peaks)

    def append(self, leaf_hash: bytes) -> None:
        _check_hash(leaf_hash, "leaf hash")
        node = bytes(leaf_hash)
        size = self._size
        # Each trailing 1 bit of the old size is a complete subtree of the same height as the
        # running node: merge it, exactly like carrying in binary addition.
        while size & 1:
            node = node_hash(self._peaks.pop(), node)
            size >>= 1
        self._peaks.append(node)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """Folding right to left reproduces RFC 6962's split at the largest power of two."""
        if not self._peaks:
            return EMPTY_ROOT
        root = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            root = node_hash(peak, root)
        return root


def subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH(D[start:end]) in O(end - start), without copying the sequence."""
    if not 0 <= start <= end <= len(leaf_hashes):
        raise ValueError(f"range [{start}, {end}) is outside a tree of {len(leaf_hashes)} leaves")
    acc = MerkleAccumulator()
    for i in range(start, end):
        acc.append(leaf_hashes[i])
    return acc.root()


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the whole sequence; O(n) time and O(log n) memory."""
    return MerkleAccumulator.of(leaf_hashes).root()


def _tree_size(leaf_hashes: Sequence[bytes], tree_size: int | None) -> int:
    n = len(leaf_hashes) if tree_size is None else tree_size
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(leaf_hashes):
        raise ValueError(f"tree size {n} is outside 0..{len(leaf_hashes)}")
    return n


def inclusion_proof(
    leaf_hashes: Sequence[bytes], index: int, tree_size: int | None = None
) -> list[bytes]:
    """Audit path for leaf ``index`` in the tree of the first ``tree_size`` leaves (RFC 9162
    2.1.3.1).

    ``tree_size`` defaults to the whole sequence; pass an older size to prove inclusion
    against an already published checkpoint. Cost is O(tree_size) hashing: every sibling
    subtree is recomputed, which the store can later replace with cached subtree roots.
    """
    n = _tree_size(leaf_hashes, tree_size)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        raise ValueError(f"leaf index {index} is outside a tree of size {n}")
    path: list[bytes] = []
    start, end = 0, n
    # Walk down from the root; each step records the sibling subtree. The RFC lists the
    # path bottom-up, so the list is reversed at the end.
    while end - start > 1:
        k = _split(end - start)
        mid = start + k
        if index < mid:
            path.append(subtree_root(leaf_hashes, mid, end))
            end = mid
        else:
            path.append(subtree_root(leaf_hashes, start, mid))
            start = mid
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """Proof that the tree of ``old_size`` leaves is a prefix of the one of ``new_size``
    (RFC 9162 2.1.4.1).

    Returns ``[]`` when ``old_size`` is 0 or equals ``new_size``: both are trivially
    consistent and RFC 9162 defines no proof for them. Raises ``ValueError`` unless
    ``0 <= old_size <= new_size <= len(leaf_hashes)``.
    """
    n = _tree_size(leaf_hashes, new_size)
    m = old_size
    if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= n:
        raise ValueError(f"old size {m} is outside 0..{n}")
    if m in (0, n):
        return []
    proof: list[bytes] = []
    start, end = 0, n
    complete = True  # the RFC's "b": is [start, start + m) still the whole old tree?
    while m != end - start:
        k = _split(end - start)
        mid = start + k
        if m <= k:
            proof.append(subtree_root(leaf_hashes, mid, end))
            end = mid
        else:
            proof.append(subtree_root(leaf_hashes, start, mid))
            start = mid
            m -= k
            complete = False
    if not complete:
        proof.append(subtree_root(leaf_hashes, start, end))
    proof.reverse()
    return proof


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2. ``False`` on any malformed input rather than an exception.

    The root authenticates the tree; ``tree_size`` only fixes the path's shape. So a caller
    must take ``(tree_size, root)`` together from one verified checkpoint: the same proof can
    verify for another size whose tree has the same shape along this leaf's path.
    """
    if not (_is_size(index) and _is_size(tree_size) and index < tree_size):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root)) or not all(_is_hash(p) for p in proof):
        return False
    fn, sn = index, tree_size - 1
    r = bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2. ``False`` on any malformed input rather than an exception.

    Edge cases RFC 9162 leaves open, decided here:

    * ``old_size == 0``: consistent with anything, but ``old_root`` must be ``EMPTY_ROOT``
      and the proof empty, so a forged "empty" checkpoint with another root is caught.
    * ``old_size == new_size``: the proof must be empty and the roots equal.
    * ``old_size > new_size``: ``False`` (a shrinking log is a truncation).
    """
    if not (_is_size(old_size) and _is_size(new_size)) or old_size > new_size:
        return False
    if not (_is_hash(old_root) and _is_hash(new_root)) or not all(_is_hash(p) for p in proof):
        return False
    if old_size == 0:
        return len(proof) == 0 and old_root == EMPTY_ROOT
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a perfect subtree of the new one: its root is the first node.
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
