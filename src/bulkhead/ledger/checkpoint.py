"""C2SP tlog-checkpoint bodies, C2SP signed notes (Ed25519 only) and vkey strings.

A checkpoint is the log's signed statement "after ``size`` entries the root was ``root``".
Publishing it somewhere the database admin cannot rewrite, and later checking a consistency
proof from it to the current tree, is what turns the Merkle tree into a tamper-evident log.
The formats are C2SP's so that Go's ``golang.org/x/mod/sumdb/note``, transparency-dev
witnesses and similar tools can read and verify our checkpoints without this code.

Parsing is strict: anything that is not exactly what ``format_checkpoint`` / ``sign_note``
would produce is refused with a ``CheckpointError``, so one checkpoint has one encoding.
Signature failures raise its subclass ``NoteVerificationError``, letting callers tell a
garbled note from a forged or tampered one.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bulkhead.ledger.keys import (
    ED25519_SIGNATURE_TYPE,
    KEY_HASH_SIZE,
    LedgerKeyError,
    LedgerSigner,
    LedgerVerifier,
    check_key_name,
)
from bulkhead.ledger.merkle import HASH_SIZE

SIGNATURE_PREFIX = "\u2014 "  # em dash, space
ED25519_SIGNATURE_SIZE = 64
# C2SP requires accepting at least 16 signatures; Go's note package stops at 100.
MAX_SIGNATURES = 100
# Tree sizes are stored in signed 64-bit database columns.
MAX_TREE_SIZE = 2**63 - 1

__all__ = [
    "MAX_SIGNATURES",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "CheckpointError",
    "NoteSignature",
    "NoteVerificationError",
    "OpenedCheckpoint",
    "VerifiedNote",
    "format_checkpoint",
    "format_vkey",
    "open_note",
    "parse_checkpoint",
    "parse_vkey",
    "sign_checkpoint",
    "sign_note",
    "verify_note",
]

_SIZE = re.compile(r"0|[1-9][0-9]*")
_ORIGIN = re.compile(r"[\x21-\x2a\x2c-\x7e]+")  # printable ASCII without space and '+'
_KEY_HASH_HEX = re.compile(r"[0-9a-f]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class CheckpointError(ValueError):
    """A checkpoint, note or vkey is malformed, or refers to the wrong log."""


class NoteVerificationError(CheckpointError):
    """The note is well-formed but no trusted key signed it, or a trusted key's signature
    does not verify (a tampered or forged note)."""


def _b64decode(text: str, what: str) -> bytes:
    """Standard, padded base64 whose re-encoding is identical, so each value has one form."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise CheckpointError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64")
    return raw


def _check_origin(origin: object) -> str:
    if not isinstance(origin, str) or not _ORIGIN.fullmatch(origin):
        raise CheckpointError(
            f"checkpoint origin {origin!r} must be non-empty printable ASCII without spaces or '+'"
        )
    return origin


def _check_text(text: str, what: str) -> None:
    """Signed-note text must be UTF-8 with no control characters except newline."""
    if _CONTROL.search(text):
        raise CheckpointError(f"{what} contains a control character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError(f"{what} is not valid Unicode") from None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: the log ``origin`` had ``size`` leaves with RFC 6962 root ``root_hash``.

    The origin is stricter than C2SP (which only requires non-empty): printable ASCII with
    no spaces or ``+``, so it can also be the signing key's name, as C2SP recommends.
    Extension lines are allowed for interoperability but C2SP does not recommend them:
    monitors cannot audit them.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_origin(self.origin)
        size = self.size
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_TREE_SIZE:
            raise CheckpointError(f"checkpoint size {size!r} must be an integer in 0..2**63-1")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"checkpoint root hash must be {HASH_SIZE} bytes")
        if not isinstance(self.extensions, tuple):
            raise CheckpointError("checkpoint extensions must be a tuple of lines")
        for line in self.extensions:
            if not isinstance(line, str) or not line or "\n" in line:
                raise CheckpointError("checkpoint extension lines must be non-empty single lines")
            _check_text(line, "checkpoint extension line")

    def body(self) -> str:
        return format_checkpoint(self)


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """The note text: origin, size, base64 root, extension lines, each ending in newline."""
    lines = [
        checkpoint.origin,
        str(checkpoint.size),
        base64.b64encode(checkpoint.root_hash).decode("ascii"),
        *checkpoint.extensions,
    ]
    return "".join(f"{line}\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """Inverse of ``format_checkpoint``; refuses every other spelling of the same values."""
    if not isinstance(body, str):
        raise CheckpointError("checkpoint body must be text")
    if not body.endswith("\n"):
        raise CheckpointError("checkpoint body must end with a newline")
    _check_text(body, "checkpoint body")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint body needs origin, size and root hash lines")
    if any(not line for line in lines):
        raise CheckpointError("checkpoint body has an empty line")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(
            f"checkpoint size {size_text!r} must be decimal digits without leading zeros"
        )
    size = int(size_text)
    if size > MAX_TREE_SIZE:
        raise CheckpointError("checkpoint size is larger than 2**63-1")
    root = _b64decode(root_text, "checkpoint root hash")
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"checkpoint root hash is {len(root)} bytes, not {HASH_SIZE}")
    return Checkpoint(_check_origin(origin), size, root, tuple(extensions))


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One parsed signature line: key name, 4-byte key hash, signature bytes."""

    name: str
    key_hash: bytes
    signature: bytes

    @property
    def key_id(self) -> str:
        return self.key_hash.hex()


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note whose ``text`` verified under the keys named in ``verified_by``.

    ``unverified`` are signatures by keys the caller did not trust (e.g. witnesses or a
    rotated-in key); they were not checked and prove nothing.
    """

    text: str
    verified_by: tuple[str, ...]
    unverified: tuple[NoteSignature, ...]


@dataclass(frozen=True, slots=True)
class OpenedCheckpoint:
    """A checkpoint whose signature verified, and the names of the keys that verified it."""

    checkpoint: Checkpoint
    verified_by: tuple[str, ...]


def sign_note(text: str, signers: LedgerSigner | Sequence[LedgerSigner]) -> str:
    """Sign ``text`` with one or more keys (several during a key rotation overlap).

    The text must end with a newline and contain no control characters but newlines.
    """
    if not isinstance(text, str) or not text.endswith("\n"):
        raise CheckpointError("note text must end with a newline")
    _check_text(text, "note text")
    signer_list = [signers] if isinstance(signers, LedgerSigner) else list(signers)
    if not signer_list:
        raise CheckpointError("a note needs at least one signer")
    if len(signer_list) > MAX_SIGNATURES:
        raise CheckpointError(f"a note takes at most {MAX_SIGNATURES} signatures")
    message = text.encode("utf-8")
    lines = []
    for signer in signer_list:
        blob = signer.key_hash + signer.sign(message)
        lines.append(f"{SIGNATURE_PREFIX}{signer.name} {base64.b64encode(blob).decode('ascii')}\n")
    return text + "\n" + "".join(lines)


def sign_checkpoint(checkpoint: Checkpoint, signers: LedgerSigner | Sequence[LedgerSigner]) -> str:
    return sign_note(format_checkpoint(checkpoint), signers)


def _index_verifiers(
    verifiers: Iterable[LedgerVerifier],
) -> dict[tuple[str, bytes], LedgerVerifier]:
    index: dict[tuple[str, bytes], LedgerVerifier] = {}
    for verifier in verifiers:
        if not isinstance(verifier, LedgerVerifier):
            raise TypeError("verifiers must be LedgerVerifier instances")
        slot = (verifier.name, verifier.key_hash)
        known = index.get(slot)
        if known is not None and known.raw_public_key != verifier.raw_public_key:
            # Two trusted keys with the same name and key ID: a signature cannot say which.
            raise CheckpointError(
                f"ambiguous verifiers: two keys named {verifier.name!r} share key ID "
                f"{verifier.key_id}"
            )
        index[slot] = verifier
    return index


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise CheckpointError("note signature line must start with an em dash and a space")
    name, sep, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not sep or not b64:
        raise CheckpointError("note signature line must be '\u2014 <key name> <base64>'")
    try:
        check_key_name(name)
    except LedgerKeyError:
        raise CheckpointError(f"note signature line has an invalid key name {name!r}") from None
    blob = _b64decode(b64, f"signature by {name!r}")
    if len(blob) <= KEY_HASH_SIZE:
        raise CheckpointError(f"signature by {name!r} is too short")
    return NoteSignature(name, blob[:KEY_HASH_SIZE], blob[KEY_HASH_SIZE:])


def verify_note(note: str | bytes, verifiers: Iterable[LedgerVerifier]) -> VerifiedNote:
    """Check a signed note against the trusted ``verifiers`` (C2SP signed-note rules).

    Signatures from keys not in ``verifiers`` (by name *and* key ID) are ignored. Every
    signature from a trusted key must verify, and at least one must be present; otherwise
    ``NoteVerificationError``. Anything malformed raises ``CheckpointError``.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError("note is not valid UTF-8") from None
    if not isinstance(note, str):
        raise CheckpointError("note must be text")
    _check_text(note, "note")
    trusted = _index_verifiers(verifiers)
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("note has no blank line before its signatures")
    text, sig_block = note[: split + 1], note[split + 2 :]
    if not sig_block or not sig_block.endswith("\n"):
        raise CheckpointError("note must end with newline-terminated signature lines")
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"note has more than {MAX_SIGNATURES} signatures")
    message = text.encode("utf-8")
    verified: list[str] = []
    unverified: list[NoteSignature] = []
    for line in lines:
        sig = _parse_signature_line(line)
        verifier = trusted.get((sig.name, sig.key_hash))
        if verifier is None:
            unverified.append(sig)
            continue
        if len(sig.signature) != ED25519_SIGNATURE_SIZE or not verifier.verify(
            sig.signature, message
        ):
            raise NoteVerificationError(
                f"signature by trusted key {sig.name} ({sig.key_id}) does not verify"
            )
        if sig.name not in verified:
            verified.append(sig.name)
    if not verified:
        seen = ", ".join(f"{s.name} ({s.key_id})" for s in unverified)
        raise NoteVerificationError(f"note has no signature from a trusted key (found: {seen})")
    return VerifiedNote(text, tuple(verified), tuple(unverified))


def open_note(
    note: str | bytes,
    verifiers: Iterable[LedgerVerifier],
    *,
    expected_origin: str | None = None,
) -> OpenedCheckpoint:
    """Verify a signed checkpoint and parse its body.

    Pass ``expected_origin`` whenever the log is known: a key that signs for several logs
    would otherwise let one log's checkpoint stand in for another's.
    """
    verified = verify_note(note, verifiers)
    checkpoint = parse_checkpoint(verified.text)
    if expected_origin is not None and checkpoint.origin != expected_origin:
        raise CheckpointError(
            f"checkpoint is for log {checkpoint.origin!r}, expected {expected_origin!r}"
        )
    return OpenedCheckpoint(checkpoint, verified.verified_by)


def format_vkey(verifier: LedgerVerifier) -> str:
    """``<name>+<key ID hex>+<base64(0x01 || public key)>``, the text form of a public key."""
    material = bytes([ED25519_SIGNATURE_TYPE]) + verifier.raw_public_key
    return f"{verifier.name}+{verifier.key_id}+{base64.b64encode(material).decode('ascii')}"


def parse_vkey(vkey: str) -> LedgerVerifier:
    """Inverse of ``format_vkey``. The key ID must match the name and key, so a vkey that was
    cut, mistyped or re-labelled is refused instead of silently trusting another key."""
    if not isinstance(vkey, str):
        raise CheckpointError("vkey must be text")
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise CheckpointError("vkey must be '<name>+<key id>+<base64 key>'")
    name, hash_hex, b64 = parts
    try:
        check_key_name(name)
    except LedgerKeyError:
        raise CheckpointError(f"vkey has an invalid key name {name!r}") from None
    if not _KEY_HASH_HEX.fullmatch(hash_hex):
        raise CheckpointError("vkey key ID must be 8 lowercase hex digits")
    material = _b64decode(b64, "vkey key")
    if not material or material[0] != ED25519_SIGNATURE_TYPE:
        raise CheckpointError("vkey is not an Ed25519 (type 0x01) key")
    if len(material) != 33:
        raise CheckpointError("vkey Ed25519 key must be 32 bytes")
    try:
        verifier = LedgerVerifier(name, Ed25519PublicKey.from_public_bytes(material[1:]))
    except ValueError:
        raise CheckpointError("vkey does not hold a valid Ed25519 public key") from None
    if verifier.key_id != hash_hex:
        raise CheckpointError(
            f"vkey key ID {hash_hex} does not match its name and key ({verifier.key_id})"
        )
    return verifier
