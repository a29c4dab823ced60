from __future__ import annotations

import base64
import functools
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bulkhead.ledger.keys import (
    ENV_KEY_FILE,
    ENV_KEY_PEM,
    LedgerKeyError,
    LedgerSigner,
    LedgerVerifier,
    check_key_name,
    generate_keypair,
    key_hash,
    key_id,
    load_private_key,
    load_public_key,
    load_signer,
    load_verifier,
)

# golang.org/x/mod/sumdb/note test key: the seed of "PRIVATE+KEY+PeterNeumann+c74f20a3+..."
# and its published key ID.
PETER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]


def _pem(key: Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes_raw()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- key ids ------------------------------------------------------------------------------


def test_key_id_matches_go_note_vector() -> None:
    public = Ed25519PrivateKey.from_private_bytes(PETER_SEED).public_key()
    assert key_id("PeterNeumann", public) == "c74f20a3"
    assert key_hash("PeterNeumann", public) == bytes.fromhex("c74f20a3")
    # The name is part of the ID: same key, other name, other ID.
    assert key_id("PeterNeumann2", public) != "c74f20a3"


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "nl\n", "nbsp\u00a0", "\u2028"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(LedgerKeyError):
        check_key_name(name)


def test_signer_and_verifier() -> None:
    signer = LedgerSigner("bulkhead.example/ledger", Ed25519PrivateKey.generate())
    verifier = signer.verifier()
    assert verifier.key_id == signer.key_id
    assert verifier.key_hash == signer.key_hash
    assert len(verifier.key_id) == 8
    sig = signer.sign(b"message")
    assert verifier.verify(sig, b"message")
    assert not verifier.verify(sig, b"messagf")
    assert "private_key" not in repr(signer)
    # Verifiers compare and hash by name and key bytes, so they can live in sets.
    same = LedgerVerifier(verifier.name, signer.private_key.public_key())
    assert same == verifier
    assert len({same, verifier}) == 1
    assert LedgerVerifier("other", verifier.public_key) != verifier


def test_signer_and_verifier_reject_wrong_key_types() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(LedgerKeyError):
        LedgerSigner("log", rsa_key)  # type: ignore[arg-type]
    with pytest.raises(LedgerKeyError):
        LedgerVerifier("log", rsa_key.public_key())  # type: ignore[arg-type]
    with pytest.raises(LedgerKeyError):
        LedgerSigner("bad name", Ed25519PrivateKey.generate())


# -- generate_keypair ---------------------------------------------------------------------


def test_generate_keypair_permissions_and_contents(tmp_path: Path) -> None:
    old_umask = os.umask(0o077)  # the public file must still come out world-readable
    try:
        verifier = generate_keypair(tmp_path / "ledger.key", tmp_path / "ledger.pub", "log")
    finally:
        os.umask(old_umask)
    assert _mode(tmp_path / "ledger.key") == 0o600
    assert _mode(tmp_path / "ledger.pub") == 0o644
    private = load_private_key(tmp_path / "ledger.key", {})
    public = load_public_key(tmp_path / "ledger.pub")
    assert (tmp_path / "ledger.key").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "ledger.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert verifier.key_id == key_id("log", private.public_key()) == key_id("log", public)
    assert load_verifier("log", tmp_path / "ledger.pub") == verifier


def test_generate_keypair_refuses_to_overwrite(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", "log")
    before = (tmp_path / "a.key").read_bytes()
    with pytest.raises(LedgerKeyError, match="refusing to overwrite"):
        generate_keypair(tmp_path / "a.key", tmp_path / "b.pub", "log")
    assert (tmp_path / "a.key").read_bytes() == before
    assert not (tmp_path / "b.pub").exists()


def test_generate_keypair_cleans_up_when_public_file_exists(tmp_path: Path) -> None:
    (tmp_path / "taken.pub").write_text("someone else's file")
    with pytest.raises(LedgerKeyError, match="refusing to overwrite"):
        generate_keypair(tmp_path / "new.key", tmp_path / "taken.pub", "log")
    assert not (tmp_path / "new.key").exists()
    assert (tmp_path / "taken.pub").read_text() == "someone else's file"


def test_generate_keypair_does_not_follow_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    (tmp_path / "link.key").symlink_to(target)
    with pytest.raises(LedgerKeyError):
        generate_keypair(tmp_path / "link.key", tmp_path / "x.pub", "log")
    assert not target.exists()


def test_generate_keypair_rejects_same_path_and_bad_name(tmp_path: Path) -> None:
    with pytest.raises(LedgerKeyError, match="differ"):
        generate_keypair(tmp_path / "k", tmp_path / "k", "log")
    with pytest.raises(LedgerKeyError):
        generate_keypair(tmp_path / "k", tmp_path / "p", "has space")
    assert list(tmp_path.iterdir()) == []


# -- load_private_key resolution ----------------------------------------------------------


def _write_key(path: Path, key: Ed25519PrivateKey) -> Path:
    path.write_bytes(_pem(key))
    return path


def test_explicit_path_wins(tmp_path: Path) -> None:
    a, b, c = (Ed25519PrivateKey.generate() for _ in range(3))
    env = {ENV_KEY_FILE: str(_write_key(tmp_path / "b", b)), ENV_KEY_PEM: _pem(c).decode()}
    assert _raw(load_private_key(_write_key(tmp_path / "a", a), env)) == _raw(a)


def test_key_file_variable_beats_pem_variable(tmp_path: Path) -> None:
    b, c = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    env = {ENV_KEY_FILE: str(_write_key(tmp_path / "b", b)), ENV_KEY_PEM: _pem(c).decode()}
    assert _raw(load_private_key(None, env)) == _raw(b)


def test_pem_variable_last(tmp_path: Path) -> None:
    c = Ed25519PrivateKey.generate()
    assert _raw(load_private_key(None, {ENV_KEY_PEM: _pem(c).decode()})) == _raw(c)
    # An empty file variable counts as unset.
    assert _raw(load_private_key(None, {ENV_KEY_FILE: "", ENV_KEY_PEM: _pem(c).decode()})) == (
        _raw(c)
    )


def test_no_key_anywhere() -> None:
    with pytest.raises(LedgerKeyError, match=f"{ENV_KEY_FILE}.*{ENV_KEY_PEM}"):
        load_private_key(None, {})


def test_missing_file_is_reported_with_its_source(tmp_path: Path) -> None:
    missing = tmp_path / "nope.key"
    with pytest.raises(LedgerKeyError, match="cannot read ledger key file"):
        load_private_key(missing, {})
    with pytest.raises(LedgerKeyError, match=rf"\${ENV_KEY_FILE}"):
        load_private_key(None, {ENV_KEY_FILE: str(missing)})


def test_load_signer(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    signer = load_signer("log", _write_key(tmp_path / "k", key), {})
    assert signer.key_id == key_id("log", key.public_key())


# -- wrong keys: rejected, and the message never carries key material ----------------------


@functools.cache
def _wrong_keys() -> dict[str, tuple[str, bytes]]:
    """id -> (text the error must contain, PEM). Cached: RSA generation is slow."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed = Ed25519PrivateKey.generate()
    public_pem = ed.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encrypted = ed.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    return {
        "rsa": ("an RSA private key", _pem(rsa_key)),
        "ec-p256": ("an elliptic-curve (ECDSA) private key", _pem(ec_key)),
        "encrypted": ("encrypted", encrypted),
        "garbage": ("not a PEM private key", b"this is not a key at all\n"),
        "truncated": ("not a PEM private key", _pem(ed)[:-40]),
        "public-key": ("not a PEM private key", public_pem),
    }


def _assert_clean(message: str, pem: bytes) -> None:
    assert "\n" not in message
    assert "BEGIN" not in message
    body = [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]
    for line in body:
        assert line[:16] not in message


@pytest.mark.parametrize(
    "kind", ["rsa", "ec-p256", "encrypted", "garbage", "truncated", "public-key"]
)
def test_wrong_keys_are_rejected_without_leaking(tmp_path: Path, kind: str) -> None:
    expected, pem = _wrong_keys()[kind]
    path = tmp_path / "key.pem"
    path.write_bytes(pem)
    attempts: list[tuple[Path | None, dict[str, str]]] = [
        (path, {}),
        (None, {ENV_KEY_FILE: str(path)}),
        (None, {ENV_KEY_PEM: pem.decode()}),
    ]
    for key_path, env in attempts:
        with pytest.raises(LedgerKeyError) as info:
            load_private_key(key_path, env)
        message = str(info.value)
        assert expected in message
        _assert_clean(message, pem)
        # No chained cryptography exception rides along into logs.
        assert info.value.__cause__ is None
        assert info.value.__context__ is None or info.value.__suppress_context__


def test_wrong_type_message_says_ed25519_is_needed(tmp_path: Path) -> None:
    path = tmp_path / "rsa.pem"
    path.write_bytes(_wrong_keys()["rsa"][1])
    with pytest.raises(LedgerKeyError, match="an RSA private key; the ledger needs an Ed25519"):
        load_private_key(path, {})


def test_oversized_file_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"A" * (70 * 1024))
    with pytest.raises(LedgerKeyError, match="larger than"):
        load_private_key(path, {})


def test_load_public_key_rejects_other_types(tmp_path: Path) -> None:
    ec_pub = ec.generate_private_key(ec.SECP256R1()).public_key()
    path = tmp_path / "ec.pub"
    path.write_bytes(
        ec_pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(LedgerKeyError, match="elliptic-curve"):
        load_public_key(path)
    path.write_bytes(_pem(Ed25519PrivateKey.generate()))
    with pytest.raises(LedgerKeyError, match="not a PEM public key"):
        load_public_key(path)
    key = Ed25519PrivateKey.generate().public_key()
    path.write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert isinstance(load_public_key(path), Ed25519PublicKey)
