from __future__ import annotations

import base64
import hashlib
import string

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bulkhead.ledger.checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    CheckpointError,
    NoteVerificationError,
    format_checkpoint,
    format_vkey,
    open_note,
    parse_checkpoint,
    parse_vkey,
    sign_checkpoint,
    sign_note,
    verify_note,
)
from bulkhead.ledger.keys import LedgerSigner, LedgerVerifier
from bulkhead.ledger.merkle import leaf_hash, root_hash

EM = "\u2014"

# Known-answer vectors from golang.org/x/mod/sumdb/note (note_test.go / package docs) and
# the C2SP signed-note example key. Ed25519 is deterministic, so signing the same text with
# the same key must reproduce the published note byte for byte.
PETER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    f"{EM} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    f"{EM} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnW"
    "Lox33WWd1RvMc+QQ=\n"
)
FOO_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
FOO_NOTE = (
    "This is an example message.\n\n"
    f"{EM} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)

ORIGIN = "ledger.bulkhead.example/prod"
ROOT = root_hash([leaf_hash(b"%d" % i) for i in range(13)])


def _peter() -> LedgerSigner:
    return LedgerSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(PETER_SEED))


def _signer(name: str = ORIGIN) -> LedgerSigner:
    return LedgerSigner(name, Ed25519PrivateKey.generate())


# -- signed-note known answers ------------------------------------------------------------


def test_go_note_vkey_and_signature_are_reproduced() -> None:
    peter = _peter()
    assert format_vkey(peter.verifier()) == PETER_VKEY
    assert sign_note(GO_TEXT, peter) == GO_TEXT + "\n" + PETER_SIG


def test_go_note_verifies() -> None:
    note = GO_TEXT + "\n" + PETER_SIG
    verified = verify_note(note, [parse_vkey(PETER_VKEY)])
    assert verified.text == GO_TEXT
    assert verified.verified_by == ("PeterNeumann",)
    assert verified.unverified == ()
    assert verify_note(note.encode("utf-8"), [parse_vkey(PETER_VKEY)]).text == GO_TEXT


def test_doubly_signed_go_note_ignores_unknown_keys() -> None:
    note = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    only_enoch = verify_note(note, [parse_vkey(ENOCH_VKEY)])
    assert only_enoch.verified_by == ("EnochRoot",)
    assert [(s.name, s.key_id) for s in only_enoch.unverified] == [("PeterNeumann", "c74f20a3")]
    both = verify_note(note, [parse_vkey(ENOCH_VKEY), parse_vkey(PETER_VKEY)])
    assert both.verified_by == ("PeterNeumann", "EnochRoot")


def test_c2sp_example_note_verifies() -> None:
    verified = verify_note(FOO_NOTE, [parse_vkey(FOO_VKEY)])
    assert verified.text == "This is an example message.\n"


def test_tampered_go_note_fails() -> None:
    note = GO_TEXT.replace("problem,", "problem;") + "\n" + PETER_SIG
    with pytest.raises(NoteVerificationError, match="PeterNeumann"):
        verify_note(note, [parse_vkey(PETER_VKEY)])


# -- checkpoint body ----------------------------------------------------------------------


def test_checkpoint_body_format() -> None:
    cp = Checkpoint(ORIGIN, 13, ROOT)
    body = format_checkpoint(cp)
    assert body == f"{ORIGIN}\n13\n{base64.b64encode(ROOT).decode()}\n"
    assert cp.body() == body
    assert parse_checkpoint(body) == cp


def test_checkpoint_spec_example_body_parses() -> None:
    # The example from C2SP tlog-checkpoint.
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    cp = parse_checkpoint(body)
    assert (cp.origin, cp.size, cp.extensions) == ("example.com/behind-the-sofa", 20852163, ())
    assert format_checkpoint(cp) == body


def test_checkpoint_with_extensions_and_empty_tree() -> None:
    empty = hashlib.sha256(b"").digest()
    cp = Checkpoint(ORIGIN, 0, empty, ("time 1700000000", "\u00e9xt"))
    body = format_checkpoint(cp)
    assert body.splitlines()[1] == "0"
    assert parse_checkpoint(body) == cp


_B64_ROOT = base64.b64encode(ROOT).decode()
_URLSAFE_ROOT = base64.urlsafe_b64encode(b"\xff" * 32).decode()


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (f"{ORIGIN}\n13\n{_B64_ROOT}", "newline"),
        (f"{ORIGIN}\n13\n", "origin, size and root"),
        (f"{ORIGIN}\n013\n{_B64_ROOT}\n", "leading zeros"),
        (f"{ORIGIN}\n+13\n{_B64_ROOT}\n", "decimal"),
        (f"{ORIGIN}\n-1\n{_B64_ROOT}\n", "decimal"),
        (f"{ORIGIN}\n 13\n{_B64_ROOT}\n", "decimal"),
        (f"{ORIGIN}\n1_3\n{_B64_ROOT}\n", "decimal"),
        (f"{ORIGIN}\n\u0661\u0663\n{_B64_ROOT}\n", "decimal"),  # Arabic-Indic digits
        (f"{ORIGIN}\n{2**63}\n{_B64_ROOT}\n", "larger"),
        (f"{ORIGIN}\n13\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
        (f"{ORIGIN}\n13\n{base64.b64encode(ROOT + b'x').decode()}\n", "33 bytes"),
        (f"{ORIGIN}\n13\n{_B64_ROOT.rstrip('=')}\n", "base64"),
        (f"{ORIGIN}\n13\n{_URLSAFE_ROOT}\n", "base64"),
        (f"{ORIGIN}\n13\n{ROOT.hex()}\n", "bytes, not 32"),
        (f"\n13\n{_B64_ROOT}\n", "empty line"),
        (f"{ORIGIN}\n13\n{_B64_ROOT}\n\n", "empty line"),
        (f"{ORIGIN}\n13\n{_B64_ROOT}\next\n\nmore\n", "empty line"),
        (f"l\u00f6g.example\n13\n{_B64_ROOT}\n", "ASCII"),
        (f"has space\n13\n{_B64_ROOT}\n", "ASCII"),
        (f"a+b\n13\n{_B64_ROOT}\n", "ASCII"),
        (f"{ORIGIN}\r\n13\n{_B64_ROOT}\n", "control"),
        (f"{ORIGIN}\n13\n{_B64_ROOT}\nbell\x07\n", "control"),
    ],
)
def test_malformed_checkpoint_bodies(body: str, why: str) -> None:
    with pytest.raises(CheckpointError, match=why):
        parse_checkpoint(body)


def test_non_canonical_base64_root_is_refused() -> None:
    # 32 bytes leave two unused low bits in the last base64 digit; setting one gives a
    # string that decodes to the same root but is not the canonical encoding.
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"
    last = alphabet.index(_B64_ROOT[-2])
    sloppy = _B64_ROOT[:-2] + alphabet[last ^ 1] + "="
    assert base64.b64decode(sloppy) == ROOT
    with pytest.raises(CheckpointError, match="canonical"):
        parse_checkpoint(f"{ORIGIN}\n13\n{sloppy}\n")


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"origin": ""}, "origin"),
        ({"origin": "a\nb"}, "origin"),
        ({"size": -1}, "size"),
        ({"size": True}, "size"),
        ({"size": 2**63}, "size"),
        ({"root_hash": b"\x00" * 31}, "32 bytes"),
        ({"extensions": ("",)}, "extension"),
        ({"extensions": ("two\nlines",)}, "extension"),
        ({"extensions": ["not", "a tuple"]}, "tuple"),
    ],
)
def test_checkpoint_validates_on_construction(kwargs: dict[str, object], why: str) -> None:
    fields: dict[str, object] = {"origin": ORIGIN, "size": 1, "root_hash": ROOT, **kwargs}
    with pytest.raises(CheckpointError, match=why):
        Checkpoint(**fields)  # type: ignore[arg-type]


# -- signing and opening checkpoints ------------------------------------------------------


def test_sign_and_open_checkpoint() -> None:
    signer = _signer()
    cp = Checkpoint(ORIGIN, 13, ROOT)
    note = sign_checkpoint(cp, signer)
    body, sigs = note.split("\n\n")
    assert body + "\n" == format_checkpoint(cp)
    assert sigs.startswith(f"{EM} {ORIGIN} ")
    assert sigs.endswith("\n") and sigs.count("\n") == 1
    blob = base64.b64decode(sigs.split(" ")[2])
    assert blob[:4] == signer.key_hash and len(blob) == 68
    opened = open_note(note, [signer.verifier()], expected_origin=ORIGIN)
    assert opened.checkpoint == cp
    assert opened.verified_by == (ORIGIN,)


def _replace_line(note: str, index: int, new: str) -> str:
    lines = note.split("\n")
    lines[index] = new
    return "\n".join(lines)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda n: _replace_line(n, 1, "14"), id="size"),
        pytest.param(lambda n: _replace_line(n, 1, "12"), id="size-down"),
        pytest.param(
            lambda n: _replace_line(n, 2, base64.b64encode(hashlib.sha256(b"x").digest()).decode()),
            id="root",
        ),
        pytest.param(lambda n: _replace_line(n, 0, ORIGIN + "2"), id="origin"),
        pytest.param(lambda n: n.replace("\n\n", "\nextension\n\n"), id="added-extension"),
    ],
)
def test_tampered_checkpoint_fails(tamper: object) -> None:
    signer = _signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 13, ROOT), signer)
    assert callable(tamper)
    bad = tamper(note)
    assert bad != note
    with pytest.raises(NoteVerificationError, match="does not verify"):
        open_note(bad, [signer.verifier()])


def test_every_single_bit_of_the_signature_matters() -> None:
    signer = _signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 13, ROOT), signer)
    body, sig_line = note.split("\n\n")
    prefix, b64 = sig_line.rstrip("\n").rsplit(" ", 1)
    blob = base64.b64decode(b64)
    for pos in range(4, len(blob)):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        forged = f"{body}\n\n{prefix} {base64.b64encode(bytes(bad)).decode()}\n"
        with pytest.raises(NoteVerificationError):
            open_note(forged, [signer.verifier()])
    # Changing the key-hash bytes makes it some unknown key's signature: no trusted one left.
    bad = bytearray(blob)
    bad[0] ^= 0x01
    forged = f"{body}\n\n{prefix} {base64.b64encode(bytes(bad)).decode()}\n"
    with pytest.raises(NoteVerificationError, match="no signature from a trusted key"):
        open_note(forged, [signer.verifier()])


def test_wrong_key_fails() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 13, ROOT), _signer())
    with pytest.raises(NoteVerificationError, match="no signature from a trusted key"):
        open_note(note, [_signer().verifier()])
    with pytest.raises(NoteVerificationError):
        open_note(note, [])


def test_key_with_colliding_name_and_id_fails_verification() -> None:
    # An impostor's signature relabelled with the trusted key's name and ID must not verify.
    honest, impostor = _signer(), _signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 13, ROOT), impostor)
    body, sig_line = note.split("\n\n")
    blob = honest.key_hash + base64.b64decode(sig_line.rstrip("\n").rsplit(" ", 1)[1])[4:]
    forged = f"{body}\n\n{EM} {ORIGIN} {base64.b64encode(blob).decode()}\n"
    with pytest.raises(NoteVerificationError, match="does not verify"):
        open_note(forged, [honest.verifier()])


def test_known_key_failing_rejects_note_even_if_another_verifies() -> None:
    good, other = _signer(), _signer("witness.example")
    note = sign_checkpoint(Checkpoint(ORIGIN, 13, ROOT), [good, other])
    body, sigs = note.split("\n\n")
    first, second = sigs.rstrip("\n").split("\n")
    blob = bytearray(base64.b64decode(second.rsplit(" ", 1)[1]))
    blob[10] ^= 0xFF
    broken = f"{second.rsplit(' ', 1)[0]} {base64.b64encode(bytes(blob)).decode()}"
    note = f"{body}\n\n{first}\n{broken}\n"
    # Only `good` trusted: the broken witness signature is unknown, so it is ignored.
    assert open_note(note, [good.verifier()]).verified_by == (ORIGIN,)
    # Both trusted: a bad signature from a trusted key rejects the whole note.
    with pytest.raises(NoteVerificationError, match=r"witness\.example"):
        open_note(note, [good.verifier(), other.verifier()])


def test_key_rotation_with_old_and_new_keys() -> None:
    old, new = _signer(), _signer()
    cp = Checkpoint(ORIGIN, 13, ROOT)
    old_note = sign_checkpoint(cp, old)
    overlap = sign_checkpoint(cp, [old, new])
    new_note = sign_checkpoint(cp, new)
    verifiers = [old.verifier(), new.verifier()]
    assert open_note(old_note, verifiers).verified_by == (ORIGIN,)
    assert open_note(new_note, verifiers).verified_by == (ORIGIN,)
    assert open_note(overlap, verifiers).verified_by == (ORIGIN,)
    assert open_note(overlap, [new.verifier()]).checkpoint == cp


def test_expected_origin() -> None:
    signer = _signer("shared-key.example")
    note = sign_checkpoint(Checkpoint("other.example/log", 13, ROOT), signer)
    assert open_note(note, [signer.verifier()]).checkpoint.origin == "other.example/log"
    with pytest.raises(CheckpointError, match="expected"):
        open_note(note, [signer.verifier()], expected_origin=ORIGIN)


def test_signed_note_whose_body_is_not_a_checkpoint() -> None:
    signer = _signer()
    note = sign_note("just some text\n", signer)
    assert verify_note(note, [signer.verifier()]).text == "just some text\n"
    with pytest.raises(CheckpointError, match="origin, size and root"):
        open_note(note, [signer.verifier()])


def test_note_text_may_contain_blank_lines() -> None:
    signer = _signer()
    text = "para one\n\npara two\n\n"
    note = sign_note(text, signer)
    assert verify_note(note, [signer.verifier()]).text == text


@pytest.mark.parametrize(
    ("note", "why"),
    [
        ("no signatures at all\n", "blank line"),
        ("text\n\n", "signature lines"),
        ("text\n\n\u2014 name c2lnbmF0dXJl", "signature lines"),
        ("text\n\n- name c2lnbmF0dXJlYWJjZA==\n", "em dash"),
        ("text\n\n\u2014name c2lnbmF0dXJlYWJjZA==\n", "em dash|key name|<key name>"),
        ("text\n\n\u2014 name\n", "<key name>"),
        ("text\n\n\u2014 name \n", "<key name>"),
        ("text\n\n\u2014 na+me c2lnbmF0dXJlYWJjZA==\n", "invalid key name"),
        ("text\n\n\u2014 name not-base64!\n", "base64"),
        ("text\n\n\u2014 name AAAA\n", "too short"),
        ("text\n\n\u2014 name c2lnbmF0dXJlYWJjZA==\n\n", "signature lines"),
        ("te\x00xt\n\n\u2014 name c2lnbmF0dXJlYWJjZA==\n", "control"),
        ("text\r\n\n\u2014 name c2lnbmF0dXJlYWJjZA==\n", "control"),
        (b"te\xffxt\n\n\xe2\x80\x94 name c2lnbmF0dXJlYWJjZA==\n", "UTF-8"),
    ],
)
def test_malformed_notes(note: str | bytes, why: str) -> None:
    with pytest.raises(CheckpointError, match=why) as info:
        verify_note(note, [_signer().verifier()])
    assert not isinstance(info.value, NoteVerificationError)


def test_signature_count_limit() -> None:
    signer = _signer()
    note = sign_note("text\n", signer)
    extra = note.split("\n\n")[1] * MAX_SIGNATURES
    with pytest.raises(CheckpointError, match="more than"):
        verify_note(note + extra, [signer.verifier()])
    # Sixteen signatures (the C2SP minimum) are fine, duplicates counted once.
    sixteen = note + note.split("\n\n")[1] * 15
    assert verify_note(sixteen, [signer.verifier()]).verified_by == (ORIGIN,)


def test_sign_note_rejects_bad_text() -> None:
    signer = _signer()
    with pytest.raises(CheckpointError, match="newline"):
        sign_note("no newline", signer)
    with pytest.raises(CheckpointError, match="control"):
        sign_note("tab\there\n", signer)
    with pytest.raises(CheckpointError, match="at least one"):
        sign_note("text\n", [])


def test_ambiguous_verifiers_are_refused() -> None:
    a = _signer()
    # A verifier object is only built from a real key, so fake the collision directly.
    b = LedgerVerifier(a.name, Ed25519PrivateKey.generate().public_key())
    object.__setattr__(b, "key_id", a.key_id)
    note = sign_note("text\n", a)
    with pytest.raises(CheckpointError, match="ambiguous"):
        verify_note(note, [a.verifier(), b])
    # The same key twice is harmless.
    assert verify_note(note, [a.verifier(), a.verifier()]).verified_by == (ORIGIN,)


# -- vkeys --------------------------------------------------------------------------------


def test_vkey_round_trip() -> None:
    verifier = _signer().verifier()
    text = format_vkey(verifier)
    assert text.startswith(f"{ORIGIN}+{verifier.key_id}+A")  # base64 of 0x01 || key
    assert parse_vkey(text) == verifier


def test_vkey_with_plus_in_base64() -> None:
    # transparency-dev/formats test key: its base64 part contains '+'.
    verifier = parse_vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert verifier.name == "TEST"
    assert verifier.key_id == "7997405c"


def test_mangled_vkeys_are_refused() -> None:
    # As in golang.org/x/mod/sumdb/note: every proper substring and every single-character
    # change of a valid vkey must be refused.
    parse_vkey(PETER_VKEY)
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(CheckpointError):
                    parse_vkey(PETER_VKEY[i:j])
    for i, ch in enumerate(PETER_VKEY):
        mangled = PETER_VKEY[:i] + chr(ord(ch) + 1) + PETER_VKEY[i + 1 :]
        with pytest.raises(CheckpointError):
            parse_vkey(mangled)


@pytest.mark.parametrize(
    ("vkey", "why"),
    [
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "lowercase hex"),
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        (f"PeterNeumann+c74f20a3+{base64.b64encode(bytes([1] + [7] * 33)).decode()}", "32 bytes"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "Ed25519"),
        ("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2", "Ed25519"),
        ("PeterNeumann+d74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"),
        ("PeterNeumann+c74f20a3", "<name>"),
    ],
)
def test_bad_vkeys(vkey: str, why: str) -> None:
    with pytest.raises(CheckpointError, match=why):
        parse_vkey(vkey)
