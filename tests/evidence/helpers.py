"""Test material for evidence: keys generated per test run, signed payloads and envelopes.

Private keys live only in memory (and, for the SSH-signed git commit, in the test's temporary
directory); nothing here prints them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bulkhead.evidence.model import Candidate
from bulkhead.evidence.signatures import TrustedKey, pae, trusted_key

FIXTURES = Path(__file__).parent / "fixtures"

IMAGE = "ghcr.io/acme/odoo"
DIGEST = "sha256:f475b7fde083b17e367965fdf01a8f51feb1011329498af25c17fc8cd3192ea3"
OTHER_DIGEST = "sha256:edfc70661b0f78c1a6cd64645527f7bff379dc99f5d6e117f61860f30a3186f2"
INDEX_DIGEST = "sha256:7cd10236472aa7320ca4d3fca2d8b630179b7c6d1c1e03a1dfe7149cfd5cd14a"
CONFIG_DIGEST = "sha256:36fb15e3e933cd41219d9d2d34ce033f1171a9ff8d7fa2de4cbf4c7a49350df6"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
BUILDER = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0"
IN_TOTO = "application/vnd.in-toto+json"
SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"


def candidate(digest: str = DIGEST, commit: str = COMMIT) -> Candidate:
    return Candidate(tenant="acme", environment="prod", image=IMAGE, digest=digest, commit=commit)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def trusted(key: ec.EllipticCurvePrivateKey) -> TrustedKey:
    return trusted_key(key.public_key(), "test.pub")


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign(key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    return key.sign(message, ec.ECDSA(hashes.SHA256()))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def simple_signing_payload(
    digest: str = DIGEST,
    kind: str = "cosign container image signature",
    optional: dict[str, str] | None = None,
) -> bytes:
    doc = {
        "critical": {
            "identity": {"docker-reference": IMAGE},
            "image": {"docker-manifest-digest": digest},
            "type": kind,
        },
        "optional": optional,
    }
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def provenance_statement(
    digest: str = DIGEST,
    builder: str = BUILDER,
    predicate_type: str = "https://slsa.dev/provenance/v1",
    statement_type: str = "https://in-toto.io/Statement/v1",
) -> bytes:
    hex_digest = digest.removeprefix("sha256:")
    doc: dict[str, Any] = {
        "_type": statement_type,
        "subject": [
            {"name": "ghcr.io/acme/odoo-worker", "digest": {"sha256": "ab" * 32}},
            {"name": IMAGE, "digest": {"sha256": hex_digest}},
        ],
        "predicateType": predicate_type,
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {
                    "workflow": {
                        "ref": "refs/heads/main",
                        "repository": "https://github.com/acme/odoo-platform",
                        "path": ".github/workflows/release.yml",
                    }
                },
                "internalParameters": {"github": {"event_name": "push"}},
                "resolvedDependencies": [
                    {
                        "uri": "git+https://github.com/acme/odoo-platform@refs/heads/main",
                        "digest": {"gitCommit": COMMIT},
                    }
                ],
            },
            "runDetails": {
                "builder": {"id": builder},
                "metadata": {
                    "invocationId": "https://github.com/acme/odoo-platform/actions/runs/1/attempts/1",
                    "startedOn": "2026-11-30T09:00:00Z",
                    "finishedOn": "2026-11-30T09:12:00Z",
                },
            },
        },
    }
    return json.dumps(doc, indent=1).encode("utf-8")


def envelope(
    key: ec.EllipticCurvePrivateKey,
    payload: bytes,
    payload_type: str = IN_TOTO,
    signed_type: str | None = None,
    keyid: str = "",
) -> dict[str, Any]:
    """A DSSE envelope; `signed_type` signs a different type than the envelope declares."""
    signature = sign(key, pae(signed_type or payload_type, payload))
    return {
        "payloadType": payload_type,
        "payload": b64(payload),
        "signatures": [{"keyid": keyid, "sig": b64(signature)}],
    }


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
