"""Sign an example release: what a CI pipeline would hand to `bulkhead evidence collect`.

    python examples/release/generate.py OUT_DIR

writes into OUT_DIR a cosign-style key pair's public half and a simple-signing signature of the
example image digest, a build key's public half and a signed in-toto SLSA provenance envelope,
and a git repository with one commit; prints `DIGEST COMMIT`. Private keys stay in memory:
nothing secret is written. The vulnerability report, SBOM and review exports beside this
script are static and describe the same digest.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

IMAGE = "ghcr.io/acme/odoo"
DIGEST = "sha256:f475b7fde083b17e367965fdf01a8f51feb1011329498af25c17fc8cd3192ea3"
BUILDER = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0"
IN_TOTO = "application/vnd.in-toto+json"


def _public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _pae(payload_type: str, body: bytes) -> bytes:
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)


def _commit(repo: Path) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Alice",
        "GIT_AUTHOR_EMAIL": "alice@acme.example",
        "GIT_COMMITTER_NAME": "Release Bot",
        "GIT_COMMITTER_EMAIL": "bot@acme.example",
        "GIT_AUTHOR_DATE": "2026-12-01T09:00:00Z",
        "GIT_COMMITTER_DATE": "2026-12-01T09:00:00Z",
    }
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "odoo.yaml").write_text("# the tenant's manifests\n")

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "init.defaultBranch=main", *args],
            cwd=repo, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    git("init", "-q")
    git("add", "odoo.yaml")
    git("commit", "-q", "-m", "Release 19.0.2026.12")
    return git("rev-parse", "HEAD")


def generate(out: Path) -> tuple[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    release_key = ec.generate_private_key(ec.SECP256R1())
    build_key = ec.generate_private_key(ec.SECP256R1())
    (out / "cosign.pub").write_bytes(_public_pem(release_key))
    (out / "build.pub").write_bytes(_public_pem(build_key))
    payload = json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": IMAGE},
                "image": {"docker-manifest-digest": DIGEST},
                "type": "cosign container image signature",
            },
            "optional": None,
        },
        separators=(",", ":"),
    ).encode()
    (out / "payload.json").write_bytes(payload)
    signature = release_key.sign(payload, ec.ECDSA(hashes.SHA256()))
    (out / "image.sig").write_text(base64.b64encode(signature).decode())
    commit = _commit(out / "repo")
    statement = json.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": IMAGE, "digest": {"sha256": DIGEST.removeprefix("sha256:")}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                    "externalParameters": {"workflow": {"ref": "refs/heads/main"}},
                    "resolvedDependencies": [{"digest": {"gitCommit": commit}}],
                },
                "runDetails": {"builder": {"id": BUILDER}},
            },
        }
    ).encode()
    envelope = {
        "payloadType": IN_TOTO,
        "payload": base64.b64encode(statement).decode(),
        "signatures": [
            {
                "keyid": "",
                "sig": base64.b64encode(
                    build_key.sign(_pae(IN_TOTO, statement), ec.ECDSA(hashes.SHA256()))
                ).decode(),
            }
        ],
    }
    (out / "provenance.intoto.json").write_text(json.dumps(envelope, indent=2) + "\n")
    return DIGEST, commit


if __name__ == "__main__":
    digest, commit = generate(Path(sys.argv[1]))
    print(digest, commit)
