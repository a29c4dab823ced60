"""Ed25519 keys that sign ledger checkpoints, and where they come from.

The point of signing checkpoints is that someone with write access to the database cannot
forge them, so the private key lives outside the database: a file (typically a mounted
secret) or an environment variable. Errors from this module never quote key material, since
they end up in logs and CI output.

Key identity follows C2SP signed-note: a key is a (name, Ed25519 public key) pair and its
key ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``. The same key under another
name is another key ID, which lets the name double as the log's origin.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ENV_KEY_FILE = "BULKHEAD_LEDGER_KEY_FILE"
ENV_KEY_PEM = "BULKHEAD_LEDGER_KEY"
ED25519_SIGNATURE_TYPE = 0x01
KEY_HASH_SIZE = 4
# A PEM Ed25519 key is ~120 bytes; the cap stops a misconfigured path (a log file, a device)
# from being read whole.
MAX_KEY_FILE_BYTES = 64 * 1024

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "ENV_KEY_FILE",
    "ENV_KEY_PEM",
    "LedgerKeyError",
    "LedgerSigner",
    "LedgerVerifier",
    "check_key_name",
    "generate_keypair",
    "key_hash",
    "key_id",
    "load_private_key",
    "load_public_key",
    "load_signer",
    "load_verifier",
    "raw_public_key",
]


class LedgerKeyError(Exception):
    """A ledger key is missing, unreadable, of the wrong type, or would be overwritten.

    The message is one line and names the source (path or variable), never the key.
    Not a ``KeyError`` subclass: ``except KeyError`` around a dict lookup must not swallow it,
    and ``KeyError`` would print the message in quotes.
    """


def check_key_name(name: str) -> str:
    """Key names go verbatim into signature lines and vkeys, so the signed-note rules apply:
    non-empty, no Unicode spaces, no ``+``; control characters are refused as well."""
    if not isinstance(name, str) or not name:
        raise LedgerKeyError("key name must be a non-empty string")
    for ch in name:
        if ch == "+" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp"):
            raise LedgerKeyError(f"key name {name!r} must not contain spaces, '+' or controls")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise LedgerKeyError("key name is not valid Unicode") from None
    return name


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte C2SP key ID that prefixes every signature by this key."""
    check_key_name(name)
    material = name.encode("utf-8") + b"\n" + bytes([ED25519_SIGNATURE_TYPE])
    return hashlib.sha256(material + raw_public_key(public_key)).digest()[:KEY_HASH_SIZE]


def key_id(name: str, public_key: Ed25519PublicKey) -> str:
    """``key_hash`` as 8 lowercase hex digits, the form used in vkeys and in the store."""
    return key_hash(name, public_key).hex()


@dataclass(frozen=True, slots=True)
class LedgerVerifier:
    """A trusted public key. Keep every key that ever signed, to verify old checkpoints.

    Equality and hashing use the name and the raw key bytes (the key object is unhashable).
    """

    name: str
    public_key: Ed25519PublicKey = field(compare=False)
    key_id: str = field(init=False)
    raw_public_key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, Ed25519PublicKey):
            raise LedgerKeyError("a ledger verifier needs an Ed25519 public key")
        object.__setattr__(self, "key_id", key_id(self.name, self.public_key))
        object.__setattr__(self, "raw_public_key", raw_public_key(self.public_key))

    @property
    def key_hash(self) -> bytes:
        return bytes.fromhex(self.key_id)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class LedgerSigner:
    """The log's private key under its name. ``repr`` never shows the key."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if not isinstance(self.private_key, Ed25519PrivateKey):
            raise LedgerKeyError("a ledger signer needs an Ed25519 private key")

    @property
    def key_id(self) -> str:
        return key_id(self.name, self.private_key.public_key())

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.private_key.public_key())

    def verifier(self) -> LedgerVerifier:
        return LedgerVerifier(self.name, self.private_key.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


_KEY_KINDS: tuple[tuple[type, str], ...] = (
    (rsa.RSAPrivateKey, "an RSA"),
    (ec.EllipticCurvePrivateKey, "an elliptic-curve (ECDSA)"),
    (dsa.DSAPrivateKey, "a DSA"),
    (ed448.Ed448PrivateKey, "an Ed448"),
    (x25519.X25519PrivateKey, "an X25519"),
    (x448.X448PrivateKey, "an X448"),
    (rsa.RSAPublicKey, "an RSA"),
    (ec.EllipticCurvePublicKey, "an elliptic-curve (ECDSA)"),
    (dsa.DSAPublicKey, "a DSA"),
    (ed448.Ed448PublicKey, "an Ed448"),
    (x25519.X25519PublicKey, "an X25519"),
    (x448.X448PublicKey, "an X448"),
)


def _kind(key: object) -> str:
    for cls, label in _KEY_KINDS:
        if isinstance(key, cls):
            return label
    return "an unsupported"


def _read_key_file(path: Path, source: str) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise LedgerKeyError(f"cannot read {source}: {reason}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise LedgerKeyError(f"{source} is larger than {MAX_KEY_FILE_BYTES} bytes: not a key")
    return data


def _parse_private_pem(data: bytes, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        # cryptography raises TypeError for a passphrase-protected key.
        raise LedgerKeyError(
            f"{source} is an encrypted private key; provide it unencrypted"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise LedgerKeyError(f"{source} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerKeyError(
            f"{source} is {_kind(key)} private key; the ledger needs an Ed25519 key"
        )
    return key


def load_private_key(path: Path | None, env: Mapping[str, str]) -> Ed25519PrivateKey:
    """Find the checkpoint signing key: ``path``, else ``$BULKHEAD_LEDGER_KEY_FILE`` (a path),
    else ``$BULKHEAD_LEDGER_KEY`` (the PEM text itself).

    ``env`` is passed in (usually ``os.environ``) so callers and tests decide what the
    process environment is. Empty variables count as unset. The key must be an unencrypted
    PEM (PKCS#8) Ed25519 private key.
    """
    if path is not None:
        source = f"ledger key file {path}"
        return _parse_private_pem(_read_key_file(Path(path), source), source)
    file_value = env.get(ENV_KEY_FILE, "")
    if file_value:
        source = f"${ENV_KEY_FILE} ({file_value})"
        return _parse_private_pem(_read_key_file(Path(file_value), source), source)
    pem_value = env.get(ENV_KEY_PEM, "")
    if pem_value:
        try:
            data = pem_value.encode("utf-8")
        except UnicodeEncodeError:
            raise LedgerKeyError(f"${ENV_KEY_PEM} is not a PEM private key") from None
        return _parse_private_pem(data, f"${ENV_KEY_PEM}")
    raise LedgerKeyError(
        f"no ledger signing key: pass a key file, or set ${ENV_KEY_FILE} (a path) "
        f"or ${ENV_KEY_PEM} (the PEM text)"
    )


def load_signer(name: str, path: Path | None, env: Mapping[str, str]) -> LedgerSigner:
    return LedgerSigner(check_key_name(name), load_private_key(path, env))


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM SubjectPublicKeyInfo Ed25519 key, e.g. a retired key kept to verify old
    checkpoints after rotation."""
    source = f"ledger public key file {path}"
    data = _read_key_file(Path(path), source)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise LedgerKeyError(f"{source} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerKeyError(
            f"{source} is {_kind(key)} public key; the ledger needs an Ed25519 key"
        )
    return key


def load_verifier(name: str, path: Path) -> LedgerVerifier:
    return LedgerVerifier(check_key_name(name), load_public_key(path))


def _create_exclusive(path: Path, mode: int, what: str) -> int:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    except FileExistsError:
        raise LedgerKeyError(f"refusing to overwrite existing {what} {path}") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise LedgerKeyError(f"cannot create {what} {path}: {reason}") from None
    # O_CREAT's mode is filtered by the umask; fchmod makes the result exact either way.
    try:
        os.fchmod(fd, mode)
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        reason = exc.strerror or type(exc).__name__
        raise LedgerKeyError(f"cannot set permissions on {what} {path}: {reason}") from None
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def generate_keypair(private_path: Path, public_path: Path, name: str) -> LedgerVerifier:
    """Create a new signing key: PKCS#8 PEM at ``private_path`` (0600) and its
    SubjectPublicKeyInfo PEM at ``public_path`` (0644).

    Both files are created with ``O_EXCL``, so an existing key is never replaced: losing a
    ledger key makes every checkpoint it signed unverifiable by anyone who lacks the public
    half. On any failure the files this call created are removed, so a retry starts clean.
    Returns the verifier, whose ``key_id`` is what to record and publish.
    """
    check_key_name(name)
    private_path, public_path = Path(private_path), Path(public_path)
    if private_path.absolute() == public_path.absolute():
        raise LedgerKeyError("private and public key paths must differ")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    created: list[Path] = []
    try:
        for path, mode, what, data in (
            (private_path, 0o600, "private key file", private_pem),
            (public_path, 0o644, "public key file", public_pem),
        ):
            fd = _create_exclusive(path, mode, what)
            created.append(path)
            try:
                _write_all(fd, data)
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise LedgerKeyError(f"cannot write {what} {path}: {reason}") from None
            finally:
                os.close(fd)
    except BaseException:
        # Only files this call created (O_EXCL guarantees it) are removed.
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return LedgerVerifier(name, key.public_key())
