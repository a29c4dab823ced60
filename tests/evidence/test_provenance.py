"""SLSA Provenance v1 in signed DSSE envelopes, verified with keys generated per test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bulkhead.evidence.model import ItemStatus
from bulkhead.evidence.provenance import collect_provenance, verify_provenance
from tests.evidence.helpers import (
    BUILDER,
    DIGEST,
    OTHER_DIGEST,
    b64,
    envelope,
    new_key,
    provenance_statement,
    sha256_hex,
    trusted,
    write_json,
)

KEY = new_key()
OTHER_KEY = new_key()
ALLOWED = frozenset({BUILDER})


def _verify(env: Any, digest: str = DIGEST, allowed: frozenset[str] = ALLOWED) -> Any:
    return verify_provenance(env, [trusted(KEY)], digest, allowed, "prov.json")


def test_valid_provenance() -> None:
    result = _verify(envelope(KEY, provenance_statement()))
    assert result.ok, result.reason
    info = result.value
    assert info.builder_id == BUILDER
    assert info.subject_name == "ghcr.io/acme/odoo"
    assert info.key_fingerprint == trusted(KEY).fingerprint
    assert info.external_parameters["workflow"]["ref"] == "refs/heads/main"
    assert info.finished_on == "2026-11-30T09:12:00Z"
    assert len(info.subjects) == 2


def test_wrong_key() -> None:
    result = verify_provenance(
        envelope(KEY, provenance_statement()), [trusted(OTHER_KEY)], DIGEST, ALLOWED, "prov.json"
    )
    assert not result.ok
    assert result.status is ItemStatus.UNVERIFIABLE
    assert result.reason == "prov.json: DSSE signature does not verify with the trusted key"


def test_no_key() -> None:
    result = verify_provenance(envelope(KEY, provenance_statement()), [], DIGEST, ALLOWED, "p")
    assert result.status is ItemStatus.UNVERIFIABLE


def test_wrong_digest() -> None:
    result = _verify(envelope(KEY, provenance_statement()), digest=OTHER_DIGEST)
    assert result.status is ItemStatus.MISMATCH
    assert f"no subject has digest {OTHER_DIGEST}" in result.reason


def test_subject_digest_compares_hex_case_insensitively() -> None:
    statement = json.loads(provenance_statement())
    statement["subject"][1]["digest"]["sha256"] = DIGEST.removeprefix("sha256:").upper()
    assert _verify(envelope(KEY, json.dumps(statement).encode())).ok


def test_wrong_payload_type() -> None:
    result = _verify(envelope(KEY, provenance_statement(), "application/json"))
    assert result.status is ItemStatus.REJECTED
    assert "payloadType is 'application/json'" in result.reason


def test_payload_type_swapped_after_signing() -> None:
    env = envelope(KEY, provenance_statement(), signed_type="application/json")
    assert _verify(env).status is ItemStatus.UNVERIFIABLE


def test_tampered_payload() -> None:
    env = envelope(KEY, provenance_statement())
    env["payload"] = b64(provenance_statement(builder="https://evil.example/builder"))
    result = _verify(env, allowed=frozenset({BUILDER, "https://evil.example/builder"}))
    assert result.status is ItemStatus.UNVERIFIABLE


def test_malformed_base64_payload_and_signature() -> None:
    env = envelope(KEY, provenance_statement())
    assert _verify({**env, "payload": "*not-base64*"}).status is ItemStatus.UNPARSABLE
    bad_sig = {**env, "signatures": [{"keyid": "", "sig": "QUJD$"}]}
    result = _verify(bad_sig)
    assert result.status is ItemStatus.UNPARSABLE
    assert "not valid base64" in result.reason


def test_builder_not_allowed() -> None:
    env = envelope(KEY, provenance_statement(builder="https://ci.example/self-hosted"))
    result = _verify(env)
    assert result.status is ItemStatus.REJECTED
    assert "not in the allowed list" in result.reason
    assert _verify(envelope(KEY, provenance_statement()), allowed=frozenset()).status is (
        ItemStatus.REJECTED
    )


def test_builder_prefix_is_not_enough() -> None:
    env = envelope(KEY, provenance_statement(builder=BUILDER + "-fork"))
    assert _verify(env).status is ItemStatus.REJECTED


def test_wrong_predicate_and_statement_types() -> None:
    wrong_predicate = provenance_statement(predicate_type="https://slsa.dev/provenance/v0.2")
    result = _verify(envelope(KEY, wrong_predicate))
    assert result.status is ItemStatus.REJECTED and "predicateType" in result.reason
    wrong_statement = provenance_statement(statement_type="https://in-toto.io/Statement/v0.1")
    result = _verify(envelope(KEY, wrong_statement))
    assert result.status is ItemStatus.REJECTED and "_type" in result.reason


def test_missing_builder_id() -> None:
    statement = json.loads(provenance_statement())
    del statement["predicate"]["runDetails"]["builder"]
    result = _verify(envelope(KEY, json.dumps(statement).encode()))
    assert result.status is ItemStatus.UNPARSABLE
    assert "builder.id" in result.reason


def test_statement_without_subjects() -> None:
    statement = json.loads(provenance_statement())
    statement["subject"] = []
    assert _verify(envelope(KEY, json.dumps(statement).encode())).status is ItemStatus.UNPARSABLE


def test_collect_records_source_and_sha256(tmp_path: Path) -> None:
    path = write_json(tmp_path / "odoo.intoto.json", envelope(KEY, provenance_statement()))
    item = collect_provenance(path, [trusted(KEY)], DIGEST, ALLOWED)
    assert item.ok, item.problems
    assert item.source == str(path)
    assert item.sha256 == sha256_hex(path.read_bytes())
    assert item.provenance is not None and item.provenance.builder_id == BUILDER


def test_collect_failure_is_recorded(tmp_path: Path) -> None:
    path = write_json(tmp_path / "odoo.intoto.json", envelope(KEY, provenance_statement()))
    item = collect_provenance(path, [trusted(OTHER_KEY)], DIGEST, ALLOWED)
    assert item.status is ItemStatus.UNVERIFIABLE
    assert item.provenance is None and item.sha256 is not None
    assert item.problems[0].message.startswith(str(path))
    missing = collect_provenance(tmp_path / "none.json", [trusted(KEY)], DIGEST, ALLOWED)
    assert missing.status is ItemStatus.MISSING


def test_intoto_jsonl_with_several_envelopes(tmp_path: Path) -> None:
    other = envelope(KEY, provenance_statement(digest=OTHER_DIGEST))
    ours = envelope(KEY, provenance_statement())
    path = tmp_path / "multiple.intoto.jsonl"
    path.write_text(json.dumps(other) + "\n" + json.dumps(ours) + "\n")
    assert collect_provenance(path, [trusted(KEY)], DIGEST, ALLOWED).ok
    path.write_text(json.dumps(other) + "\n" + json.dumps(other) + "\n")
    item = collect_provenance(path, [trusted(KEY)], DIGEST, ALLOWED)
    assert item.status is ItemStatus.MISMATCH
    assert "none of 2 attestations" in item.problems[0].message


def test_provenance_in_sigstore_bundle(tmp_path: Path) -> None:
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "builder"}},
        "dsseEnvelope": envelope(KEY, provenance_statement()),
    }
    path = write_json(tmp_path / "odoo.sigstore.json", bundle)
    assert collect_provenance(path, [trusted(KEY)], DIGEST, ALLOWED).ok


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "payloadType": "x",\n  "payload": \n}\n')
    item = collect_provenance(path, [trusted(KEY)], DIGEST, ALLOWED)
    assert item.status is ItemStatus.UNPARSABLE
    assert item.problems[0].message.startswith(f"{path}:4: invalid JSON")
