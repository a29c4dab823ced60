"""Backups at rest: AES-256-GCM per file, and an authenticated manifest verified before restore.

Layout of a backup directory::

    manifest.json            what the backup holds, authenticated (HMAC-SHA256)
    data/<file>.enc          each pg_dump file, encrypted

Keys. The drill key is 32 bytes from a file or an environment variable, never a flag. Each
backup draws a random 32-byte salt; HKDF-SHA256 derives from (key, salt) one key for file
encryption and one for the manifest's HMAC, so no two backups share an encryption key.

Files. A file is cut into chunks of `chunk_size` bytes (4 MiB; an empty file is one empty
chunk). Each chunk is sealed with AES-256-GCM under a fresh random 96-bit nonce, with the
associated data `bulkhead-drill-backup-v1 NUL backup id NUL file name NUL chunk index (8
bytes, big endian) last-chunk flag (1 byte)`: a chunk moved to another position, another
file or another backup, or a file cut short, fails authentication. On disk: the 8-byte magic
`BHDRILL1`, then per chunk the nonce followed by ciphertext and 16-byte tag.

Manifest. JSON with, per file, the size and SHA-256 of the plaintext and of the encrypted file,
plus the source snapshot's fingerprint (schema, row counts, checksums) and times. Its `mac` is
HMAC-SHA256 over the canonical JSON (RFC 8785 subset, bulkhead.ledger.canonical) of every other
field. `verify_and_decrypt` checks the MAC, that the files present are exactly those listed,
every size, every chunk's tag and both SHA-256 digests, and removes whatever it decrypted if
anything fails: a flipped byte anywhere is an IntegrityError and nothing is restored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import struct
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bulkhead.drills.errors import DrillError, IntegrityError
from bulkhead.ledger.canonical import CanonicalJSONError, canonical_json

FORMAT = "bulkhead-drill-backup"
VERSION = 1
MAGIC = b"BHDRILL1"
CHUNK_SIZE = 4 * 1024 * 1024
NONCE_SIZE = 12
TAG_SIZE = 16
KEY_SIZE = 32
MANIFEST = "manifest.json"
DATA_DIR = "data"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
MAX_KEY_FILE_BYTES = 4096
ENV_KEY = "BULKHEAD_DRILL_KEY"
ENV_KEY_FILE = "BULKHEAD_DRILL_KEY_FILE"
_AAD_PREFIX = b"bulkhead-drill-backup-v1\x00"
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,200}")
_BUFFER = 1024 * 1024
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


@dataclass(frozen=True, slots=True)
class DrillKey:
    """The drill's 32-byte master key. `repr` never shows it."""

    secret: bytes = field(repr=False)
    source: str

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_SIZE:
            raise DrillError(f"{self.source}: a drill key is {KEY_SIZE} bytes")

    @property
    def key_id(self) -> str:
        """A public identifier of the key (16 hex digits), so a wrong key is named as such."""
        digest = hmac.new(self.secret, b"bulkhead drill key id", hashlib.sha256).hexdigest()
        return digest[:16]

    def derive(self, salt: bytes, purpose: bytes) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_SIZE,
            salt=salt,
            info=b"bulkhead drill backup v1 " + purpose,
        ).derive(self.secret)


def _decode_key_text(data: bytes, source: str) -> bytes:
    """64 hex digits, base64 of 32 bytes (44 characters), or 32 raw bytes."""
    text = data.strip()
    if re.fullmatch(rb"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text.decode("ascii"))
    if len(text) == 44:
        try:
            decoded = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) == KEY_SIZE:
            return decoded
    if len(data) == KEY_SIZE:
        return data
    raise DrillError(
        f"{source} is not a drill key: expected {KEY_SIZE} bytes, as 64 hex digits, base64 or raw "
        "(bulkhead drill keygen FILE makes one)"
    )


def load_key(path: Path | None, env: Mapping[str, str]) -> DrillKey:
    """`path`, else `$BULKHEAD_DRILL_KEY_FILE`, else `$BULKHEAD_DRILL_KEY` (hex or base64).
    Messages name the source, never the key."""
    if path is None and env.get(ENV_KEY_FILE):
        path = Path(env[ENV_KEY_FILE])
        source = f"${ENV_KEY_FILE} ({path})"
    else:
        source = f"drill key file {path}"
    if path is not None:
        try:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_KEY_FILE_BYTES + 1)
        except OSError as error:
            raise DrillError(f"cannot read {source}: {error.strerror or error}") from None
        if len(data) > MAX_KEY_FILE_BYTES:
            raise DrillError(f"{source} is larger than {MAX_KEY_FILE_BYTES} bytes: not a key")
        return DrillKey(_decode_key_text(data, source), source)
    value = env.get(ENV_KEY, "")
    if value:
        return DrillKey(_decode_key_text(value.encode("utf-8"), f"${ENV_KEY}"), f"${ENV_KEY}")
    raise DrillError(
        "no drill encryption key: pass --key-file PATH or set $BULKHEAD_DRILL_KEY_FILE (a path) "
        "or $BULKHEAD_DRILL_KEY (64 hex digits or base64); bulkhead drill keygen FILE makes one"
    )


def generate_key_file(path: Path) -> DrillKey:
    """Write a new random key (base64 text, mode 0600); never overwrites a file."""
    secret = os.urandom(KEY_SIZE)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise DrillError(f"refusing to overwrite existing file {path}") from None
    except OSError as error:
        raise DrillError(f"cannot create {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(base64.b64encode(secret) + b"\n")
    return DrillKey(secret, f"drill key file {path}")


def _aad(backup_id: str, name: str, index: int, last: bool) -> bytes:
    return (
        _AAD_PREFIX
        + backup_id.encode()
        + b"\x00"
        + name.encode()
        + b"\x00"
        + struct.pack(">QB", index, 1 if last else 0)
    )


def _space(error: OSError, path: Path) -> DrillError:
    if error.errno == 28:  # ENOSPC
        return DrillError(f"disk full while writing {path}: free space or choose --work-dir")
    return DrillError(f"cannot write {path}: {error.strerror or error}")


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass(frozen=True, slots=True)
class Sealed:
    """Encrypted files waiting for their manifest (see `encrypt_files`)."""

    salt: bytes = field(repr=False)
    files: list[dict[str, Any]]


def encrypt_files(
    plain_dir: Path,
    backup_dir: Path,
    key: DrillKey,
    backup_id: str,
    *,
    durable: bool = False,
    remove_plaintext: bool = True,
    in_place: bool = False,
) -> Sealed:
    """Encrypt every file of a pg_dump directory into `backup_dir/data/`.

    Each plaintext file is removed once encrypted (the peak disk use stays a few files above
    the backup). With `durable`, files are fsynced (a kept backup). With `in_place` (a
    temporary backup on the same file system), each file is encrypted where it lies and moved
    into the backup: no second copy, no new page cache (see `verify_and_decrypt`). The
    backup is not usable until `write_manifest` has run.
    """
    if in_place and (durable or not remove_plaintext):
        raise ValueError("in-place encryption consumes the plaintext of a temporary backup")
    salt = os.urandom(32)
    cipher = AESGCM(key.derive(salt, b"encryption"))
    data_dir = backup_dir / DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=False, mode=0o700)
    sources = sorted(plain_dir.iterdir(), key=lambda p: p.name)
    for source in sources:
        if not source.is_file() or source.is_symlink() or not _FILE_NAME.fullmatch(source.name):
            raise DrillError(f"unexpected entry {source.name!r} in the pg_dump output")

    def seal(source: Path) -> dict[str, Any]:
        if in_place:
            return _encrypt_in_place(source, data_dir, cipher, backup_id)
        return _encrypt_file(
            source, data_dir, cipher, backup_id, durable=durable, remove=remove_plaintext
        )

    sizes = [source.stat().st_size for source in sources]
    return Sealed(salt, _largest_first(seal, sources, sizes))


def write_manifest(
    backup_dir: Path,
    key: DrillKey,
    backup_id: str,
    sealed: Sealed,
    metadata: Mapping[str, Any],
    *,
    durable: bool = False,
) -> dict[str, Any]:
    """Write the authenticated manifest of encrypted files; returns it."""
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "backup_id": backup_id,
        **metadata,
        "encryption": {
            "algorithm": "AES-256-GCM",
            "kdf": "HKDF-SHA256",
            "salt": base64.b64encode(sealed.salt).decode(),
            "chunk_size": CHUNK_SIZE,
            "key_id": key.key_id,
        },
        "files": sealed.files,
    }
    manifest["mac"] = _mac(key, sealed.salt, manifest)
    path = backup_dir / MANIFEST
    try:
        with path.open("x", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1, sort_keys=True)
            handle.write("\n")
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if durable:
            _fsync_dir(backup_dir / DATA_DIR)
            _fsync_dir(backup_dir)
    except OSError as error:
        raise _space(error, path) from None
    return manifest


def encrypt_dump(
    plain_dir: Path,
    backup_dir: Path,
    key: DrillKey,
    backup_id: str,
    metadata: Mapping[str, Any],
    *,
    durable: bool = False,
    remove_plaintext: bool = True,
) -> dict[str, Any]:
    """`encrypt_files` then `write_manifest`: a complete backup of a pg_dump directory."""
    sealed = encrypt_files(
        plain_dir, backup_dir, key, backup_id, durable=durable, remove_plaintext=remove_plaintext
    )
    return write_manifest(backup_dir, key, backup_id, sealed, metadata, durable=durable)


def _largest_first(
    work: Callable[[_Item], _Result], items: Sequence[_Item], sizes: Sequence[int]
) -> list[_Result]:
    """`work` on every item in a thread pool, largest first; results in the items' order.

    Files are independent, and hashing and AES-GCM release the GIL, so threads use the cores.
    Largest first, because a pg_dump directory is a few large table files and many small ones:
    in name order the largest often starts last and runs alone while the other cores idle.
    The first failure in the items' order is the one raised."""
    workers = max(1, min(4, os.cpu_count() or 1, len(items)))
    order = sorted(range(len(items)), key=lambda index: -sizes[index])
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {index: pool.submit(work, items[index]) for index in order}
        try:
            return [futures[index].result() for index in range(len(items))]
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise


def _encrypt_file(
    source: Path,
    data_dir: Path,
    cipher: AESGCM,
    backup_id: str,
    *,
    durable: bool,
    remove: bool,
) -> dict[str, Any]:
    target = data_dir / f"{source.name}.enc"
    plain_hash, cipher_hash = hashlib.sha256(), hashlib.sha256()
    size = encrypted_size = 0
    chunk_size = CHUNK_SIZE
    # One plaintext and one sealed buffer, reused: a fresh 4 MiB object per chunk costs a
    # thousand page faults each time.
    plain = memoryview(bytearray(chunk_size))
    sealed = memoryview(bytearray(NONCE_SIZE + chunk_size + TAG_SIZE))
    try:
        with source.open("rb", buffering=0) as reader, target.open("xb") as writer:
            writer.write(MAGIC)
            cipher_hash.update(MAGIC)
            encrypted_size += len(MAGIC)
            total = os.fstat(reader.fileno()).st_size
            chunks = max(1, -(-total // chunk_size))
            for index in range(chunks):
                length = _read_full(reader, plain[: min(chunk_size, total - size)])
                nonce = os.urandom(NONCE_SIZE)
                sealed[:NONCE_SIZE] = nonce
                end = NONCE_SIZE + length + TAG_SIZE
                cipher.encrypt_into(
                    nonce,
                    plain[:length],
                    _aad(backup_id, source.name, index, index == chunks - 1),
                    sealed[NONCE_SIZE:end],
                )
                writer.write(sealed[:end])
                plain_hash.update(plain[:length])
                cipher_hash.update(sealed[:end])
                size += length
                encrypted_size += end
            if reader.read(1):
                size += 1  # grew while it was read
            if durable:
                writer.flush()
                os.fsync(writer.fileno())
    except OSError as error:
        raise _space(error, target) from None
    if size != total:
        raise DrillError(f"{source.name} changed while it was encrypted")
    if remove:
        source.unlink()
    return _file_entry(source.name, size, plain_hash, target, encrypted_size, cipher_hash, chunks)


def _file_entry(
    name: str,
    size: int,
    plain_hash: hashlib._Hash,
    target: Path,
    encrypted_size: int,
    cipher_hash: hashlib._Hash,
    chunks: int,
) -> dict[str, Any]:
    """One file's manifest entry."""
    return {
        "name": name,
        "size": size,
        "sha256": plain_hash.hexdigest(),
        "encrypted_name": f"{DATA_DIR}/{target.name}",
        "encrypted_size": encrypted_size,
        "encrypted_sha256": cipher_hash.hexdigest(),
        "chunks": chunks,
    }


def _encrypt_in_place(
    source: Path, data_dir: Path, cipher: AESGCM, backup_id: str
) -> dict[str, Any]:
    """`_encrypt_file`, writing the encrypted file over its plaintext. Ciphertext chunk k
    starts `len(MAGIC) + k * (NONCE_SIZE + TAG_SIZE)` bytes after plaintext chunk k, so it
    reaches into the plaintext after it: chunks are read ahead until everything its write
    will cover has been read (one chunk ahead, for files under half a terabyte). Read-ahead
    buffers are reused."""
    target = data_dir / f"{source.name}.enc"
    plain_hash, cipher_hash = hashlib.sha256(), hashlib.sha256()
    chunk_size = CHUNK_SIZE
    overhead = NONCE_SIZE + TAG_SIZE
    sealed = memoryview(bytearray(NONCE_SIZE + chunk_size + TAG_SIZE))
    spare: list[memoryview] = []
    ahead: deque[tuple[memoryview, int]] = deque()
    try:
        with source.open("r+b", buffering=0) as handle:
            descriptor = handle.fileno()
            total = os.fstat(descriptor).st_size
            chunks = max(1, -(-total // chunk_size))
            read = size = 0
            encrypted_size = len(MAGIC)
            cipher_hash.update(MAGIC)
            for index in range(chunks):
                offset = len(MAGIC) + index * (chunk_size + overhead)
                write_end = offset + min(chunk_size, total - index * chunk_size) + overhead
                # In hand: this chunk, and every plaintext byte its ciphertext will cover.
                while read < total and (not ahead or read < write_end):
                    buffer = spare.pop() if spare else memoryview(bytearray(chunk_size))
                    count = min(chunk_size, total - read)
                    if _read_full(handle, buffer[:count]) != count:
                        raise DrillError(f"{source.name} changed while it was encrypted")
                    plain_hash.update(buffer[:count])
                    ahead.append((buffer, count))
                    read += count
                plain, got = ahead.popleft() if ahead else (memoryview(b""), 0)  # empty file
                nonce = os.urandom(NONCE_SIZE)
                sealed[:NONCE_SIZE] = nonce
                end = NONCE_SIZE + got + TAG_SIZE
                cipher.encrypt_into(
                    nonce,
                    plain[:got],
                    _aad(backup_id, source.name, index, index == chunks - 1),
                    sealed[NONCE_SIZE:end],
                )
                if got:
                    spare.append(plain)
                if index == 0:
                    _write_at(descriptor, memoryview(MAGIC), 0)
                _write_at(descriptor, sealed[:end], offset)
                cipher_hash.update(sealed[:end])
                size += got
                encrypted_size += end
            if size != total or os.fstat(descriptor).st_size != encrypted_size:
                raise DrillError(f"{source.name} changed while it was encrypted")
    except OSError as error:
        raise _space(error, target) from None
    source.rename(target)
    return _file_entry(source.name, size, plain_hash, target, encrypted_size, cipher_hash, chunks)


def _write_at(descriptor: int, data: memoryview, offset: int) -> int:
    """Write all of `data` at `offset` (pwrite may write less than asked)."""
    done = 0
    while done < len(data):
        done += os.pwrite(descriptor, data[done:], offset + done)
    return done


def _read_full(reader: io.FileIO, buffer: memoryview) -> int:
    """Fill `buffer` unless the file ends first; the bytes read."""
    done = 0
    while done < len(buffer):
        count = reader.readinto(buffer[done:])
        if not count:
            break
        done += count
    return done


def _mac(key: DrillKey, salt: bytes, manifest: Mapping[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    try:
        payload = canonical_json(body)
    except CanonicalJSONError as error:  # pragma: no cover - the drill writes no floats
        raise DrillError(f"manifest cannot be authenticated: {error}") from None
    return hmac.new(key.derive(salt, b"manifest"), payload, hashlib.sha256).hexdigest()


def manifest_digest(backup_dir: Path) -> str:
    """SHA-256 of the manifest file as stored: names the backup in results and the ledger."""
    return hashlib.sha256((backup_dir / MANIFEST).read_bytes()).hexdigest()


def _reject(_pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in _pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(_pairs)


def read_manifest(backup_dir: Path, key: DrillKey) -> dict[str, Any]:
    """The manifest, after its MAC is verified with `key`. IntegrityError if anything is off."""
    path = backup_dir / MANIFEST
    if not backup_dir.is_dir():
        raise DrillError(f"backup {backup_dir} is not a directory")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        raise IntegrityError(
            f"backup {backup_dir} has no {MANIFEST}: not a bulkhead backup"
        ) from None
    except OSError as error:
        raise DrillError(f"cannot read {path}: {error.strerror or error}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise IntegrityError(f"{path} is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        manifest = json.loads(raw.decode("utf-8"), object_pairs_hook=_reject)
    except (UnicodeDecodeError, ValueError):
        raise IntegrityError(
            f"backup integrity check failed: {MANIFEST} is not valid JSON (modified or "
            "corrupted); nothing was restored"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IntegrityError(f"{path} is not a bulkhead drill backup manifest")
    if manifest.get("version") != VERSION:
        raise IntegrityError(
            f"{path}: backup format version {manifest.get('version')!r} is not supported "
            f"(this bulkhead reads version {VERSION})"
        )
    encryption = manifest.get("encryption")
    mac = manifest.get("mac")
    malformed = IntegrityError(f"backup integrity check failed: {MANIFEST} is malformed")
    if not isinstance(encryption, dict) or not isinstance(mac, str):
        raise malformed
    try:
        salt = base64.b64decode(str(encryption.get("salt")), validate=True)
    except (binascii.Error, ValueError):
        raise malformed from None
    expected = _mac(key, salt, manifest)
    if not hmac.compare_digest(expected, mac):
        if encryption.get("key_id") != key.key_id:
            raise IntegrityError(
                f"backup integrity check failed: {MANIFEST} does not authenticate with this key "
                f"(backup key id {encryption.get('key_id')}, given {key.key_id}): wrong key, or "
                "the manifest was modified; nothing was restored"
            )
        raise IntegrityError(
            f"backup integrity check failed: {MANIFEST} was modified (its MAC does not verify); "
            "nothing was restored"
        )
    return manifest


def _files(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    files = manifest.get("files")
    if not isinstance(files, list) or not files:
        raise IntegrityError("backup integrity check failed: the manifest lists no files")
    result = []
    for entry in files:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("name"), str)
            or not _FILE_NAME.fullmatch(entry["name"])
            or entry.get("encrypted_name") != f"{DATA_DIR}/{entry['name']}.enc"
            or not all(
                isinstance(entry.get(k), int) and entry[k] >= 0
                for k in ("size", "encrypted_size", "chunks")
            )
        ):
            raise IntegrityError(
                "backup integrity check failed: a manifest file entry is malformed"
            )
        result.append(entry)
    return result


def verify_and_decrypt(
    backup_dir: Path, key: DrillKey, output_dir: Path, *, consume: bool = False
) -> dict[str, Any]:
    """Verify the whole backup against its manifest and decrypt it into `output_dir` (created,
    mode 0700). On any mismatch `output_dir` is removed and IntegrityError raised.

    With `consume`, each file is decrypted in place and moved into `output_dir` (same file
    system): for a backup that is thrown away after the drill, this needs no second copy on
    disk and no new page cache, which on a virtual machine costs as much as the decryption.
    The backup is then unusable afterwards, whether the verification passed or not."""
    manifest = read_manifest(backup_dir, key)
    entries = _files(manifest)
    data_dir = backup_dir / DATA_DIR
    listed = {entry["name"] + ".enc" for entry in entries}
    try:
        present = {p.name for p in data_dir.iterdir()}
    except OSError as error:
        raise IntegrityError(f"cannot list {data_dir}: {error.strerror or error}") from None
    missing = sorted(listed - present)
    extra = sorted(present - listed)
    if missing:
        raise IntegrityError(
            f"backup integrity check failed: {DATA_DIR}/{missing[0]} is missing"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            + "; nothing was restored"
        )
    if extra:
        raise IntegrityError(
            f"backup integrity check failed: {DATA_DIR}/{extra[0]} is not in the manifest"
            "; nothing was restored"
        )
    salt = base64.b64decode(manifest["encryption"]["salt"])
    chunk_size = manifest["encryption"].get("chunk_size")
    if not isinstance(chunk_size, int) or not 0 < chunk_size <= 64 * CHUNK_SIZE:
        raise IntegrityError("backup integrity check failed: bad chunk size in the manifest")
    cipher = AESGCM(key.derive(salt, b"encryption"))
    output_dir.mkdir(mode=0o700, parents=False, exist_ok=False)

    def open_one(entry: Mapping[str, Any]) -> None:
        _decrypt_file(
            data_dir, output_dir, entry, manifest["backup_id"], cipher, chunk_size, consume
        )

    try:
        # The first damaged file in manifest order is the one reported.
        _largest_first(open_one, entries, [entry["encrypted_size"] for entry in entries])
    except BaseException:
        shutil.rmtree(output_dir, ignore_errors=True)
        raise
    return manifest


def _decrypt_file(
    data_dir: Path,
    output_dir: Path,
    entry: Mapping[str, Any],
    backup_id: str,
    cipher: AESGCM,
    chunk_size: int,
    in_place: bool,
) -> None:
    """Verify and decrypt one file. Chunks are read in order and each chunk's plaintext is
    written at its own offset, which is below that of the chunk's ciphertext: in place, a
    write never reaches ciphertext not yet read."""
    name = entry["name"]
    shown = entry["encrypted_name"]
    source = data_dir / f"{name}.enc"
    target = output_dir / name

    def broken(why: str) -> IntegrityError:
        return IntegrityError(
            f"backup integrity check failed: {shown} {why} (the file was modified or "
            "corrupted); nothing was restored"
        )

    if source.is_symlink() or not source.is_file():
        raise broken("is not a regular file")
    if source.stat().st_size != entry["encrypted_size"]:
        raise broken(
            f"has {source.stat().st_size} bytes, the manifest says {entry['encrypted_size']}"
        )
    plain_hash, cipher_hash = hashlib.sha256(), hashlib.sha256()
    remaining = entry["size"]
    chunks = entry["chunks"]
    expected_chunks = max(1, -(-remaining // chunk_size))
    if chunks != expected_chunks:
        raise broken("has a chunk count that does not match its size")
    sealed = memoryview(bytearray(NONCE_SIZE + min(chunk_size, remaining) + TAG_SIZE))
    plain = memoryview(bytearray(min(chunk_size, remaining)))
    written = 0
    try:
        with ExitStack() as files:
            reader = files.enter_context(source.open("r+b" if in_place else "rb", buffering=0))
            writer = reader if in_place else files.enter_context(target.open("xb", buffering=0))
            magic = reader.read(len(MAGIC))
            cipher_hash.update(magic)
            if magic != MAGIC:
                raise broken("has no bulkhead backup header")
            for index in range(chunks):
                length = min(chunk_size, remaining)
                end = NONCE_SIZE + length + TAG_SIZE
                if _read_full(reader, sealed[:end]) != end:
                    raise broken("is truncated")
                cipher_hash.update(sealed[:end])
                last = index == chunks - 1
                try:
                    cipher.decrypt_into(
                        bytes(sealed[:NONCE_SIZE]),
                        sealed[NONCE_SIZE:end],
                        _aad(backup_id, name, index, last),
                        plain[:length],
                    )
                except InvalidTag:
                    raise broken(f"fails authentication at chunk {index}") from None
                plain_hash.update(plain[:length])
                written += _write_at(writer.fileno(), plain[:length], written)
                remaining -= length
            if reader.read(1):
                raise broken("has trailing data")
            if in_place:
                os.ftruncate(writer.fileno(), written)
    except OSError as error:
        raise _space(error, target) from None
    if cipher_hash.hexdigest() != entry.get("encrypted_sha256"):
        raise broken("does not match its SHA-256 in the manifest")
    if plain_hash.hexdigest() != entry.get("sha256"):
        raise broken("decrypts to content whose SHA-256 differs from the manifest")
    if in_place:
        source.rename(target)
