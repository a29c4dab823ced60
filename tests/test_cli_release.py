"""evidence collect -> gate -> deploy record -> trace through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from bulkhead.cli.app import build_app
from tests.database import BACKENDS, database_url

RELEASE = Path(__file__).resolve().parents[1] / "examples" / "release"
BUILDER = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0"
NOW = "2026-12-04T12:00:00Z"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_generate", RELEASE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    with database_url(request.param, tmp_path) as url:
        yield {
            "BULKHEAD_DATABASE_URL": url,
            "BULKHEAD_LEDGER_KEY_FILE": str(tmp_path / "ledger.key"),
            "BULKHEAD_ACTOR": "release-bot",
        }


def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _collect(work: Path, digest: str, commit: str, environment: str, reviews: str) -> list[str]:
    return [
        "evidence", "collect", "--tenant", "acme", "--environment", environment,
        "--image", "ghcr.io/acme/odoo", "--digest", digest, "--commit", commit,
        "--repo", str(work / "repo"), "--scan", str(work / "scan.json"),
        "--vulns", str(RELEASE / "trivy.json"), "--sbom", str(RELEASE / "sbom.cdx.json"),
        "--signature", f"{work / 'image.sig'},{work / 'payload.json'}",
        "--signature-key", str(work / "cosign.pub"),
        "--provenance", str(work / "provenance.intoto.json"),
        "--provenance-key", str(work / "build.pub"), "--allowed-builder", BUILDER,
        "--reviews", str(RELEASE / reviews), "--risks", str(RELEASE / "exceptions.yaml"),
        "--now", NOW, "--output", str(work / f"{environment}.json"),
    ]  # fmt: skip


def test_release_flow(env: dict[str, str], tmp_path: Path) -> None:
    digest, commit = _generator().generate(tmp_path)
    scan = {"schema_version": "1.0", "tool": {"name": "bulkhead"}, "inputs": [], "findings": []}
    (tmp_path / "scan.json").write_text(json.dumps(scan))
    assert _run(env, "db", "upgrade")[0] == 0
    keys = ["ledger", "keygen", "--private-key", env["BULKHEAD_LEDGER_KEY_FILE"]]
    assert _run(env, *keys, "--public-key", str(tmp_path / "ledger.pub"))[0] == 0

    code, _, errors = _run(
        env, *_collect(tmp_path, digest, commit, "staging", "reviews-one-approval.json")
    )
    assert code == 0, errors
    assert "signature        ok" in errors
    gate = ["gate", "--tenant", "acme", "--now", NOW, "--format", "json"]
    code, out, errors = _run(
        env, *gate, "--environment", "staging", "--evidence", str(tmp_path / "staging.json")
    )
    assert code == 0, out + errors
    assert json.loads(out)["verdict"] == "allow"

    prod = tmp_path / "prod.json"
    _run(env, *_collect(tmp_path, digest, commit, "prod", "reviews-two-approvals.json"))
    code, out, _ = _run(env, *gate, "--environment", "prod", "--evidence", str(prod))
    assert code == 1
    failed = [r for r in json.loads(out)["rules"] if not r["passed"]]
    assert [r["rule"] for r in failed] == ["promoted-from:staging"]

    record = ["deploy", "record", "--tenant", "acme", "--environment", "staging"]
    assert _run(env, *record, "--digest", digest, "--commit", commit, "--status", "healthy")[0] == 0
    vsa = tmp_path / "vsa.json"
    code, out, errors = _run(
        env, *gate, "--environment", "prod", "--evidence", str(prod), "--vsa", str(vsa)
    )
    assert code == 0, out + errors
    assert json.loads(vsa.read_text())["payloadType"] == "application/vnd.in-toto+json"

    code, out, _ = _run(
        env, "gate", "--tenant", "acme", "--environment", "prod", "--evidence", str(prod),
        "--format", "markdown", "--no-record", "--now", NOW,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("## Gate: ALLOW acme/prod\n")
    assert "| approvals | pass | approved by carol, dave |" in out
    code, out, _ = _run(env, "trace", digest, "--format", "json")
    assert code == 0
    trace = json.loads(out)
    assert trace["commits"] == [commit]
    assert [d["verdict"] for d in trace["decisions"]] == ["allow", "deny", "allow"]
    assert [d["environment"] for d in trace["deployments"]] == ["staging"]
    assert all(d["proof"] is not None for d in trace["decisions"])
    assert len(trace["evidence"]) == 2
    code, out, _ = _run(env, "trace", commit[:10], "--format", "json")
    assert code == 0 and json.loads(out)["digests"] == [digest]
    assert _run(env, "ledger", "verify", "--public-key", str(tmp_path / "ledger.pub"))[0] == 0


def test_gate_denies_a_tampered_or_missing_bundle(env: dict[str, str], tmp_path: Path) -> None:
    assert _run(env, "db", "upgrade")[0] == 0
    env = {**env, "BULKHEAD_LEDGER_KEY_FILE": ""}
    gate = ["gate", "--tenant", "acme", "--environment", "prod", "--evidence"]
    code, out, _ = _run(env, *gate, str(tmp_path / "absent.json"))
    assert code == 1 and "FAIL  bundle" in out and "cannot read" in out
    digest, commit = _generator().generate(tmp_path)
    _run(env, "evidence", "collect", "--tenant", "acme", "--environment", "prod",
         "--image", "ghcr.io/acme/odoo", "--digest", digest, "--commit", commit,
         "--output", str(tmp_path / "b.json"))  # fmt: skip
    bundle = json.loads((tmp_path / "b.json").read_text())
    bundle["candidate"]["tenant"] = "globex"
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    code, out, _ = _run(env, *gate, str(tmp_path / "b.json"))
    assert code == 1 and "bundle digest mismatch" in out


def test_usage_errors_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    assert _run(env, "db", "upgrade")[0] == 0
    code, _, errors = _run(
        env, "evidence", "collect", "--tenant", "acme", "--environment", "prod",
        "--image", "ghcr.io/acme/odoo", "--digest", "sha256:abc", "--commit", "0" * 40,
    )  # fmt: skip
    assert code == 2 and errors.startswith("bulkhead: error: --digest") and errors.count("\n") == 1
    (tmp_path / "policy.yaml").write_text("environments: {prod: {min_aprovals: 2}}\n")
    code, _, errors = _run(
        env, "gate", "--tenant", "acme", "--environment", "prod", "--evidence", "x.json",
        "--policy", str(tmp_path / "policy.yaml"), "--no-record",
    )  # fmt: skip
    assert code == 2 and "min_aprovals" in errors
    code, _, errors = _run(env, "trace", "not-a-thing")
    assert code == 2 and "cannot trace 'not-a-thing'" in errors
