"""Backups at rest: encryption round trip, and every way a backup can be damaged."""

from __future__ import annotations

import base64
import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bulkhead.drills import crypto
from bulkhead.drills.crypto import DrillKey, encrypt_dump, load_key, read_manifest
from bulkhead.drills.errors import DrillError, IntegrityError

METADATA = {"tenant": "acme", "environment": "prod", "note": "test"}


def _dump(root: Path, files: dict[str, bytes]) -> Path:
    plain = root / "dump"
    plain.mkdir()
    for name, content in files.items():
        (plain / name).write_bytes(content)
    return plain


FILES = {
    "toc.dat": b"PGDMP table of contents" * 10,
    "3001.dat.gz": os.urandom(70_000),
    "3002.dat.gz": b"",
}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 16 KiB, so the files above span several chunks."""
    monkeypatch.setattr(crypto, "CHUNK_SIZE", 16 * 1024)


@pytest.fixture
def backup(tmp_path: Path, key: DrillKey, small_chunks: None) -> Path:
    target = tmp_path / "backup"
    target.mkdir()
    encrypt_dump(_dump(tmp_path, FILES), target, key, "b1", METADATA)
    return target


def test_round_trip(backup: Path, key: DrillKey, tmp_path: Path) -> None:
    manifest = crypto.verify_and_decrypt(backup, key, tmp_path / "out")
    for name, content in FILES.items():
        assert (tmp_path / "out" / name).read_bytes() == content
    chunks = {f["name"]: f["chunks"] for f in manifest["files"]}
    assert chunks == {"toc.dat": 1, "3001.dat.gz": 5, "3002.dat.gz": 1}
    assert manifest["tenant"] == "acme" and manifest["encryption"]["algorithm"] == "AES-256-GCM"
    assert not (tmp_path / "dump" / "toc.dat").exists(), "plaintext is removed once encrypted"
    for name, content in FILES.items():
        if content:
            assert content[:32] not in (backup / "data" / f"{name}.enc").read_bytes()


def test_consumed_backup_is_decrypted_in_place(backup: Path, key: DrillKey, tmp_path: Path) -> None:
    """A drill's own temporary backup: each file becomes its plaintext where it lies and moves
    into the output directory (same inode), so no second copy is written."""
    inodes = {p.name: p.stat().st_ino for p in (backup / "data").iterdir()}
    crypto.verify_and_decrypt(backup, key, tmp_path / "out", consume=True)
    for name, content in FILES.items():
        out = tmp_path / "out" / name
        assert out.read_bytes() == content
        assert out.stat().st_ino == inodes[f"{name}.enc"]
    assert list((backup / "data").iterdir()) == []


@pytest.mark.parametrize("offset", [8, 30, 16_400, -1])
def test_consumed_backup_with_a_flipped_byte_restores_nothing(
    backup: Path, key: DrillKey, tmp_path: Path, offset: int
) -> None:
    target = backup / "data" / "3001.dat.gz.enc"
    _flip(target, offset if offset >= 0 else target.stat().st_size - 1)
    with pytest.raises(IntegrityError) as caught:
        crypto.verify_and_decrypt(backup, key, tmp_path / "out", consume=True)
    assert "data/3001.dat.gz.enc" in str(caught.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("chunk", [64, 16 * 1024])
def test_in_place_encryption_round_trip(
    tmp_path: Path, key: DrillKey, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Encrypted over its own plaintext: with 64-byte chunks the 28 bytes each chunk gains
    make the ciphertext run several chunks ahead of the plaintext read so far, which the
    read-ahead must cover; every size around a chunk boundary, and an empty file."""
    monkeypatch.setattr(crypto, "CHUNK_SIZE", chunk)
    sizes = [0, 1, chunk - 1, chunk, chunk + 1, 7 * chunk + 3, 40 * chunk]
    files = {f"{3000 + n}.dat.gz": os.urandom(size) for n, size in enumerate(sizes)}
    plain = _dump(tmp_path, files)
    inodes = {p.name: p.stat().st_ino for p in plain.iterdir()}
    target = tmp_path / "backup"
    target.mkdir()
    sealed = crypto.encrypt_files(plain, target, key, "b1", in_place=True)
    crypto.write_manifest(target, key, "b1", sealed, METADATA)
    assert list(plain.iterdir()) == []
    for name in files:
        assert (target / "data" / f"{name}.enc").stat().st_ino == inodes[name]
    copied = tmp_path / "copied"
    copied.mkdir()
    (tmp_path / "again").mkdir()
    reference = encrypt_dump(_dump(tmp_path / "again", files), copied, key, "b1", METADATA)
    by_name = {f["name"]: f for f in reference["files"]}
    for entry in sealed.files:
        expected = by_name[entry["name"]]
        for field in ("size", "sha256", "encrypted_size", "chunks"):
            assert entry[field] == expected[field], (entry["name"], field)
    crypto.verify_and_decrypt(target, key, tmp_path / "out")
    for name, content in files.items():
        assert (tmp_path / "out" / name).read_bytes() == content


def test_in_place_encryption_is_for_temporary_backups_only(tmp_path: Path, key: DrillKey) -> None:
    with pytest.raises(ValueError, match="temporary"):
        crypto.encrypt_files(tmp_path, tmp_path / "b", key, "b1", in_place=True, durable=True)


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("offset", [0, 8, 30, 20_000, -1])
def test_a_flipped_byte_in_a_file_is_named_and_nothing_is_left(
    backup: Path, key: DrillKey, tmp_path: Path, offset: int
) -> None:
    target = backup / "data" / "3001.dat.gz.enc"
    _flip(target, offset if offset >= 0 else target.stat().st_size - 1)
    with pytest.raises(IntegrityError) as caught:
        crypto.verify_and_decrypt(backup, key, tmp_path / "out")
    message = str(caught.value)
    assert "data/3001.dat.gz.enc" in message and "nothing was restored" in message
    assert "\n" not in message
    assert not (tmp_path / "out").exists()


def test_largest_files_first_but_manifest_and_errors_in_name_order(
    tmp_path: Path, key: DrillKey, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker makes the schedule visible: largest first (a pg_dump directory's few large
    table files must not start last), while the manifest lists files by name and the damaged
    file reported is the first in manifest order, whichever failed first."""
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    started: list[str] = []
    encrypt_file, decrypt_file = crypto._encrypt_file, crypto._decrypt_file

    def encrypting(source: Path, *args: Any, **kwargs: Any) -> dict[str, Any]:
        started.append(source.name)
        return encrypt_file(source, *args, **kwargs)

    def decrypting(data_dir: Path, output_dir: Path, entry: Any, *args: Any) -> None:
        started.append(entry["name"])
        decrypt_file(data_dir, output_dir, entry, *args)

    monkeypatch.setattr(crypto, "_encrypt_file", encrypting)
    monkeypatch.setattr(crypto, "_decrypt_file", decrypting)
    target = tmp_path / "backup"
    target.mkdir()
    manifest = encrypt_dump(_dump(tmp_path, FILES), target, key, "b1", METADATA)
    largest_first = ["3001.dat.gz", "toc.dat", "3002.dat.gz"]
    assert started == largest_first
    assert [f["name"] for f in manifest["files"]] == sorted(FILES)
    started.clear()
    crypto.verify_and_decrypt(target, key, tmp_path / "out")
    assert started == largest_first
    started.clear()
    _flip(target / "data" / "toc.dat.enc", 30)
    _flip(target / "data" / "3002.dat.gz.enc", 30)
    with pytest.raises(IntegrityError) as caught:
        crypto.verify_and_decrypt(target, key, tmp_path / "damaged")
    assert started == largest_first, "toc.dat failed first"
    assert "data/3002.dat.gz.enc" in str(caught.value)
    assert not (tmp_path / "damaged").exists()


def test_a_modified_manifest_fails_its_mac(backup: Path, key: DrillKey, tmp_path: Path) -> None:
    path = backup / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"][0]["size"] += 1
    path.write_text(json.dumps(manifest))
    with pytest.raises(IntegrityError, match=r"manifest.json was modified"):
        crypto.verify_and_decrypt(backup, key, tmp_path / "out")
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(IntegrityError, match="not valid JSON"):
        read_manifest(backup, key)


def test_the_wrong_key_is_named(backup: Path, tmp_path: Path) -> None:
    other = DrillKey(os.urandom(32), "other")
    with pytest.raises(IntegrityError, match=f"given {other.key_id}.*wrong key"):
        crypto.verify_and_decrypt(backup, other, tmp_path / "out")


def test_missing_extra_swapped_and_truncated_files(
    backup: Path, key: DrillKey, tmp_path: Path
) -> None:
    data = backup / "data"
    (data / "extra.enc").write_bytes(b"x")
    with pytest.raises(IntegrityError, match=r"data/extra.enc is not in the manifest"):
        crypto.verify_and_decrypt(backup, key, tmp_path / "a")
    (data / "extra.enc").unlink()
    moved = data / "toc.dat.enc"
    moved.rename(tmp_path / "toc.saved")
    with pytest.raises(IntegrityError, match=r"data/toc.dat.enc is missing"):
        crypto.verify_and_decrypt(backup, key, tmp_path / "b")
    (tmp_path / "toc.saved").rename(moved)
    # Same size, chunks in another order: the associated data (chunk index) catches it.
    first, second = data / "3001.dat.gz.enc", data / "toc.dat.enc"
    content = first.read_bytes()
    first.write_bytes(
        content[:8] + content[8 + 12 + 16 * 1024 + 16 :] + content[8 : 8 + 28 + 16 * 1024]
    )
    with pytest.raises(IntegrityError, match=r"3001\.dat\.gz\.enc fails authentication"):
        crypto.verify_and_decrypt(backup, key, tmp_path / "c")
    first.write_bytes(content[:-10])
    with pytest.raises(IntegrityError, match=r"3001\.dat\.gz\.enc has"):
        crypto.verify_and_decrypt(backup, key, tmp_path / "d")
    assert second.exists()
    # A whole file renamed over another: the associated data (file name) catches it.
    first.write_bytes(content)
    second.write_bytes(content)
    with pytest.raises(IntegrityError, match=r"toc\.dat\.enc"):
        crypto.verify_and_decrypt(backup, key, tmp_path / "e")


def test_not_a_backup(tmp_path: Path, key: DrillKey) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(IntegrityError, match=r"no manifest\.json"):
        read_manifest(tmp_path / "empty", key)
    with pytest.raises(DrillError, match="not a directory"):
        read_manifest(tmp_path / "missing", key)


def test_disk_full_while_encrypting_is_one_line(
    tmp_path: Path, key: DrillKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _dump(tmp_path, {"toc.dat": b"abc"})
    real_open = Path.open

    def full(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if self.name.endswith(".enc") and "x" in mode:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", full)
    target = tmp_path / "backup"
    target.mkdir()
    with pytest.raises(DrillError, match=r"^disk full while writing .*toc.dat.enc"):
        encrypt_dump(plain, target, key, "b2", METADATA)


# --- keys --------------------------------------------------------------------------------


def test_key_formats(tmp_path: Path) -> None:
    secret = os.urandom(32)
    for content in (secret.hex().encode(), base64.b64encode(secret) + b"\n", secret):
        path = tmp_path / "k"
        path.write_bytes(content)
        assert load_key(path, {}).secret == secret
    assert load_key(None, {"BULKHEAD_DRILL_KEY": secret.hex()}).secret == secret
    (tmp_path / "k2").write_bytes(base64.b64encode(secret))
    env = {"BULKHEAD_DRILL_KEY_FILE": str(tmp_path / "k2"), "BULKHEAD_DRILL_KEY": "ignored"}
    assert load_key(None, env).secret == secret


@pytest.mark.parametrize("content", [b"", b"short", b"z" * 64, b"0" * 5000])
def test_bad_keys_are_refused_without_quoting_them(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "k"
    path.write_bytes(content)
    with pytest.raises(DrillError) as caught:
        load_key(path, {})
    assert str(path) in str(caught.value)
    if content:
        assert content.decode() not in str(caught.value)


def test_missing_key_says_where_keys_come_from() -> None:
    with pytest.raises(DrillError, match=r"--key-file PATH .*BULKHEAD_DRILL_KEY"):
        load_key(None, {})
    with pytest.raises(DrillError, match="cannot read drill key file"):
        load_key(Path("/nonexistent/key"), {})


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "new.key"
    key = crypto.generate_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_key(path, {}).key_id == key.key_id
    assert key.secret.hex() not in repr(key)
    with pytest.raises(DrillError, match="refusing to overwrite"):
        crypto.generate_key_file(path)
