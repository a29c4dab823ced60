"""cosign simple signing and DSSE image signatures, verified with keys generated per test."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from bulkhead.evidence.model import ItemStatus
from bulkhead.evidence.reading import raw_evidence
from bulkhead.evidence.signatures import (
    TrustConfigError,
    collect_signature,
    decode_base64,
    load_public_key,
    load_public_key_file,
    pae,
    verify_dsse,
    verify_dsse_image_signature,
    verify_signature_document,
    verify_simple_signing,
)
from tests.evidence.helpers import (
    DIGEST,
    IN_TOTO,
    OTHER_DIGEST,
    SIMPLE_SIGNING,
    b64,
    envelope,
    new_key,
    provenance_statement,
    public_pem,
    sign,
    simple_signing_payload,
    trusted,
)

KEY = new_key()
OTHER_KEY = new_key()


# -- keys and primitives --------------------------------------------------------------------------


def test_pae_matches_the_dsse_spec_test_vector() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_counts_bytes_not_characters() -> None:
    assert pae("t", "é".encode()) == b"DSSEv1 1 t 2 \xc3\xa9"


def test_base64_accepts_standard_url_safe_and_unpadded() -> None:
    data = bytes(range(250))
    standard = base64.b64encode(data).decode()
    assert decode_base64(standard) == data
    assert decode_base64(base64.urlsafe_b64encode(data).decode().rstrip("=")) == data
    assert decode_base64(standard + "\n") == data


@pytest.mark.parametrize("bad", ["", "!!!!", "abcde", "ab=c", "YWJj$", "é"])
def test_base64_refuses_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_base64(bad)


def test_load_public_key_and_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "cosign.pub"
    path.write_bytes(public_pem(KEY))
    loaded = load_public_key_file(path)
    assert loaded.fingerprint == trusted(KEY).fingerprint
    assert loaded.fingerprint.startswith("sha256:") and len(loaded.fingerprint) == 71


def test_private_key_is_refused_without_echoing_it() -> None:
    pem = KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(TrustConfigError) as caught:
        load_public_key(pem, "cosign.key")
    message = str(caught.value)
    assert "private key" in message and "cosign.key" in message
    body = pem.decode().splitlines()[1]
    assert body not in message


def test_other_curves_and_algorithms_are_refused() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    for key, needle in ((p384, "secp384r1"), (rsa_key, "ECDSA")):
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        with pytest.raises(TrustConfigError, match=needle):
            load_public_key(pem, "k.pub")
    with pytest.raises(TrustConfigError, match="not a PEM public key"):
        load_public_key(b"hello", "k.pub")


def test_missing_key_file_is_a_trust_config_error(tmp_path: Path) -> None:
    with pytest.raises(TrustConfigError, match="no such file"):
        load_public_key_file(tmp_path / "absent.pub")


# -- cosign simple signing ------------------------------------------------------------------------


def _simple(
    payload: bytes | None = None, key: ec.EllipticCurvePrivateKey = KEY
) -> tuple[bytes, str]:
    body = payload if payload is not None else simple_signing_payload()
    return body, b64(sign(key, body))


def test_cosign_valid_signature() -> None:
    payload, signature = _simple(simple_signing_payload(optional={"release": "2026.11.1"}))
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "odoo.sig")
    assert result.ok, result.reason
    assert result.status is ItemStatus.OK
    assert result.value is not None
    assert result.value.digest == DIGEST
    assert result.value.docker_reference == "ghcr.io/acme/odoo"
    assert result.value.key_fingerprint == trusted(KEY).fingerprint
    assert result.value.annotations == {"release": "2026.11.1"}


def test_cosign_any_of_several_keys_verifies() -> None:
    payload, signature = _simple()
    result = verify_simple_signing(
        payload, signature, [trusted(OTHER_KEY), trusted(KEY)], DIGEST, "odoo.sig"
    )
    assert result.ok
    assert result.value is not None and result.value.key_fingerprint == trusted(KEY).fingerprint


def test_cosign_wrong_key() -> None:
    payload, signature = _simple()
    result = verify_simple_signing(payload, signature, [trusted(OTHER_KEY)], DIGEST, "odoo.sig")
    assert not result.ok
    assert result.status is ItemStatus.UNVERIFIABLE
    assert result.reason == "odoo.sig: signature does not verify with the trusted key"


def test_cosign_no_key_configured() -> None:
    payload, signature = _simple()
    result = verify_simple_signing(payload, signature, [], DIGEST, "odoo.sig")
    assert result.status is ItemStatus.UNVERIFIABLE
    assert "no trusted public key" in result.reason


def test_cosign_wrong_digest() -> None:
    payload, signature = _simple(simple_signing_payload(digest=OTHER_DIGEST))
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "odoo.sig")
    assert result.status is ItemStatus.MISMATCH
    assert OTHER_DIGEST in result.reason and DIGEST in result.reason


def test_cosign_digest_must_match_exactly() -> None:
    upper = "sha256:" + DIGEST.removeprefix("sha256:").upper()
    payload, signature = _simple(simple_signing_payload(digest=upper))
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "odoo.sig")
    assert result.status is ItemStatus.MISMATCH


def test_cosign_wrong_payload_type() -> None:
    payload, signature = _simple(simple_signing_payload(kind="atomic container signature"))
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "odoo.sig")
    assert result.status is ItemStatus.REJECTED
    assert "critical.type" in result.reason


def test_cosign_tampered_payload() -> None:
    payload, signature = _simple()
    tampered = payload.replace(DIGEST.encode(), OTHER_DIGEST.encode())
    result = verify_simple_signing(tampered, signature, [trusted(KEY)], OTHER_DIGEST, "odoo.sig")
    assert result.status is ItemStatus.UNVERIFIABLE


def test_cosign_malformed_base64() -> None:
    payload, signature = _simple()
    result = verify_simple_signing(payload, signature[:-3] + "%%=", [trusted(KEY)], DIGEST, "s")
    assert result.status is ItemStatus.UNPARSABLE
    assert "base64" in result.reason


def test_cosign_raw_r_s_signature_is_accepted() -> None:
    payload = simple_signing_payload()
    r, s = decode_dss_signature(sign(KEY, payload))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert verify_simple_signing(payload, b64(raw), [trusted(KEY)], DIGEST, "s").ok


def test_cosign_legacy_capitalised_keys_are_read() -> None:
    doc = {
        "Critical": {
            "Identity": {"docker-reference": "ghcr.io/acme/odoo"},
            "Image": {"Docker-manifest-digest": DIGEST},
            "Type": "cosign container image signature",
        },
        "Optional": None,
    }
    payload, signature = _simple(json.dumps(doc).encode())
    assert verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "s").ok


def test_cosign_key_spelled_twice_is_ambiguous() -> None:
    text = (
        f'{{"critical":{{"image":{{"docker-manifest-digest":"{OTHER_DIGEST}",'
        f'"Docker-manifest-digest":"{DIGEST}"}},"type":"cosign container image signature"}}}}'
    )
    payload, signature = _simple(text.encode())
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "s")
    assert result.status is ItemStatus.UNPARSABLE
    assert "more than once" in result.reason


def test_cosign_duplicate_json_key_is_refused() -> None:
    text = (
        f'{{"critical":{{"image":{{"docker-manifest-digest":"{OTHER_DIGEST}",'
        f'"docker-manifest-digest":"{DIGEST}"}},"type":"cosign container image signature"}}}}'
    )
    payload, signature = _simple(text.encode())
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "s")
    assert result.status is ItemStatus.UNPARSABLE
    assert "duplicate key" in result.reason


def test_cosign_signed_payload_that_is_not_json() -> None:
    payload, signature = _simple(b"not json at all")
    result = verify_simple_signing(payload, signature, [trusted(KEY)], DIGEST, "odoo.sig")
    assert result.status is ItemStatus.UNPARSABLE
    assert result.reason.startswith("odoo.sig:1: invalid JSON")


# -- files and formats ----------------------------------------------------------------------------


def test_collect_detached_signature_and_payload(tmp_path: Path) -> None:
    payload, signature = _simple()
    (tmp_path / "payload.json").write_bytes(payload)
    (tmp_path / "odoo.sig").write_text(signature + "\n")
    item = collect_signature(
        tmp_path / "odoo.sig", [trusted(KEY)], DIGEST, payload_path=tmp_path / "payload.json"
    )
    assert item.ok, item.problems
    assert item.sha256 is not None and item.payload_sha256 is not None
    assert item.signature is not None and item.signature.kind == "cosign"


def test_collect_signature_wrong_key_is_recorded_not_raised(tmp_path: Path) -> None:
    payload, signature = _simple()
    (tmp_path / "payload.json").write_bytes(payload)
    (tmp_path / "odoo.sig").write_text(signature)
    item = collect_signature(
        tmp_path / "odoo.sig", [trusted(OTHER_KEY)], DIGEST, payload_path=tmp_path / "payload.json"
    )
    assert item.status is ItemStatus.UNVERIFIABLE
    assert item.signature is None
    assert str(tmp_path / "odoo.sig") in item.problems[0].message


def test_collect_signature_missing_files(tmp_path: Path) -> None:
    item = collect_signature(tmp_path / "absent.sig", [trusted(KEY)], DIGEST)
    assert item.status is ItemStatus.MISSING and item.sha256 is None
    (tmp_path / "odoo.sig").write_text("AAAA")
    item = collect_signature(
        tmp_path / "odoo.sig", [trusted(KEY)], DIGEST, payload_path=tmp_path / "absent.json"
    )
    assert item.status is ItemStatus.MISSING
    assert "absent.json" in item.problems[0].message


def test_cosign_download_signature_json_lines() -> None:
    good_payload, good_sig = _simple()
    other_payload, other_sig = _simple(key=OTHER_KEY)
    lines = [
        {"Base64Signature": other_sig, "Payload": b64(other_payload), "Cert": None, "Bundle": None},
        {"Base64Signature": good_sig, "Payload": b64(good_payload), "Cert": None, "Bundle": None},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    result = verify_signature_document(raw_evidence("sigs.jsonl", data), [trusted(KEY)], DIGEST)
    assert result.ok, result.reason
    only_other = json.dumps(lines[0]).encode()
    result = verify_signature_document(
        raw_evidence("sigs.json", only_other), [trusted(KEY)], DIGEST
    )
    assert result.status is ItemStatus.UNVERIFIABLE


def test_signature_file_of_unknown_shape() -> None:
    result = verify_signature_document(
        raw_evidence("x.json", b'{"hello": 1}'), [trusted(KEY)], DIGEST
    )
    assert result.status is ItemStatus.UNPARSABLE
    assert "not a DSSE envelope" in result.reason


# -- DSSE image signatures ------------------------------------------------------------------------


def test_dsse_simple_signing_valid_and_tampered() -> None:
    env = envelope(KEY, simple_signing_payload(), SIMPLE_SIGNING)
    result = verify_dsse_image_signature(env, [trusted(KEY)], DIGEST, "odoo.dsse.json")
    assert result.ok, result.reason
    assert result.value is not None and result.value.kind == "dsse"
    env["payload"] = b64(simple_signing_payload(digest=OTHER_DIGEST))
    tampered = verify_dsse_image_signature(env, [trusted(KEY)], OTHER_DIGEST, "odoo.dsse.json")
    assert tampered.status is ItemStatus.UNVERIFIABLE


def test_dsse_in_toto_statement_names_the_image() -> None:
    env = envelope(KEY, provenance_statement(), IN_TOTO)
    assert verify_dsse_image_signature(env, [trusted(KEY)], DIGEST, "att.json").ok
    result = verify_dsse_image_signature(env, [trusted(KEY)], OTHER_DIGEST, "att.json")
    assert result.status is ItemStatus.MISMATCH


def test_dsse_image_signature_wrong_payload_type() -> None:
    env = envelope(KEY, simple_signing_payload(), "application/json")
    result = verify_dsse_image_signature(env, [trusted(KEY)], DIGEST, "odoo.dsse.json")
    assert result.status is ItemStatus.REJECTED
    assert "'application/json'" in result.reason


def test_dsse_payload_type_changed_after_signing_does_not_verify() -> None:
    env = envelope(KEY, simple_signing_payload(), SIMPLE_SIGNING, signed_type="text/plain")
    result = verify_dsse(env, [trusted(KEY)], "e.json")
    assert result.status is ItemStatus.UNVERIFIABLE


def test_dsse_in_sigstore_bundle(tmp_path: Path) -> None:
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "release-key"}},
        "dsseEnvelope": envelope(KEY, simple_signing_payload(), SIMPLE_SIGNING),
    }
    path = tmp_path / "odoo.sigstore.json"
    path.write_text(json.dumps(bundle))
    item = collect_signature(path, [trusted(KEY)], DIGEST)
    assert item.ok, item.problems
    bundle["mediaType"] = "application/json"
    path.write_text(json.dumps(bundle))
    assert collect_signature(path, [trusted(KEY)], DIGEST).status is ItemStatus.UNPARSABLE


def test_dsse_malformed_envelopes() -> None:
    good = envelope(KEY, simple_signing_payload(), SIMPLE_SIGNING)
    cases = {
        "payload": ({**good, "payload": "@@not base64@@"}, ItemStatus.UNPARSABLE),
        "sig": (
            {**good, "signatures": [{"keyid": "", "sig": "%%%"}]},
            ItemStatus.UNPARSABLE,
        ),
        "no signatures": ({**good, "signatures": []}, ItemStatus.UNVERIFIABLE),
        "no type": (
            {"payload": good["payload"], "signatures": good["signatures"]},
            ItemStatus.UNPARSABLE,
        ),
        "not an object": ([good], ItemStatus.UNPARSABLE),
    }
    for name, (env, status) in cases.items():
        result = verify_dsse(env, [trusted(KEY)], "e.json")
        assert result.status is status, name
        assert result.reason.startswith("e.json: "), name


def test_dsse_one_good_signature_among_bad_ones_verifies() -> None:
    good = envelope(KEY, simple_signing_payload(), SIMPLE_SIGNING, keyid="release")
    good["signatures"] = [
        {"keyid": "x", "sig": "%%%"},
        {"sig": b64(b"\x30\x00")},
        *good["signatures"],
    ]
    result = verify_dsse(good, [trusted(KEY)], "e.json")
    assert result.ok
    assert result.value is not None and result.value.keyid == "release"
