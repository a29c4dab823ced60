"""The promotion gate: every rule passes on good evidence, and each kind of missing or bad
evidence denies with its own reason (fail closed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from bulkhead.evidence import Bundle, EvidenceInputs, SignatureInput, TrustPolicy, assemble
from bulkhead.gate import (
    ChangeWindow,
    Deployment,
    Facts,
    GateError,
    PromotionPolicy,
    Rules,
    evaluate,
    sign_statement,
    verification_summary,
)
from tests.evidence.helpers import (
    BUILDER,
    DIGEST,
    FIXTURES,
    OTHER_DIGEST,
    b64,
    candidate,
    envelope,
    new_key,
    provenance_statement,
    sign,
    simple_signing_payload,
    trusted,
    write_json,
)

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)  # a Friday
RELEASE_KEY = new_key()
BUILD_KEY = new_key()
TRUST = TrustPolicy(
    signature_keys=(trusted(RELEASE_KEY),),
    provenance_keys=(trusted(BUILD_KEY),),
    allowed_builders=frozenset({BUILDER}),
)
CLEAN_SCAN = {
    "schema_version": "1.0",
    "tool": {"name": "bulkhead", "version": "0.1.0"},
    "inputs": [{"path": "deploy/odoo.yaml", "kind": "manifest", "status": "scanned"}],
    "findings": [
        {"control": "WL020", "severity": "low", "title": "x", "message": "y", "suppressed": False}
    ],
    "notices": [],
    "summary": {},
}
APPROVALS = [
    {"user": {"login": "carol"}, "state": "APPROVED", "submitted_at": "2026-12-01T10:00:00Z"},
    {"user": {"login": "dave"}, "state": "APPROVED", "submitted_at": "2026-12-01T11:00:00Z"},
    {"user": {"login": "alice"}, "state": "APPROVED", "submitted_at": "2026-12-01T12:00:00Z"},
]
EXCEPTIONS = """exceptions:
  - id: CVE-2024-2961
    owner: alice@acme.example
    expires: 2026-12-31
    reason: iconv ISO-2022-CN-EXT disabled in the image; SEC-101
  - id: CVE-2023-46136
    owner: carol@acme.example
    expires: 2027-01-15
    reason: multipart parsing is behind the Traefik body-size limit
"""
PROD = Rules.model_validate(
    {
        "require_evidence": [
            "scan",
            "vulnerabilities",
            "sbom",
            "signature",
            "provenance",
            "reviews",
        ],
        "promoted_from": "staging",
        "min_approvals": 2,
        "vulnerability_threshold": "HIGH",
        "scan_fail_on": "high",
        "approved_registries": ["ghcr.io/acme"],
    }
)


def _inputs(tmp_path: Path, **changes: Any) -> EvidenceInputs:
    payload = simple_signing_payload()
    (tmp_path / "payload.json").write_bytes(payload)
    (tmp_path / "odoo.sig").write_text(b64(sign(RELEASE_KEY, payload)))
    write_json(tmp_path / "odoo.intoto.json", envelope(BUILD_KEY, provenance_statement()))
    write_json(tmp_path / "scan.json", changes.pop("scan", CLEAN_SCAN))
    write_json(tmp_path / "reviews.json", changes.pop("reviews", APPROVALS))
    (tmp_path / "exceptions.yaml").write_text(changes.pop("exceptions", EXCEPTIONS))
    values: dict[str, Any] = {
        "scans": [tmp_path / "scan.json"],
        "vulnerability_reports": [FIXTURES / "trivy-odoo.json"],
        "sboms": [FIXTURES / "cyclonedx-odoo.json"],
        "signatures": [SignatureInput(tmp_path / "odoo.sig", tmp_path / "payload.json")],
        "provenance": [tmp_path / "odoo.intoto.json"],
        "reviews": tmp_path / "reviews.json",
        "pr_author": "alice",
        "risks": [tmp_path / "exceptions.yaml"],
    }
    values.update(changes)
    return EvidenceInputs(**values)


def _bundle(tmp_path: Path, trust: TrustPolicy = TRUST, **changes: Any) -> Bundle:
    return assemble(candidate(), _inputs(tmp_path, **changes), trust, NOW)


STAGED = (Deployment("staging", DIGEST, "healthy", 3),)


def _facts(deployments: tuple[Deployment, ...] = STAGED, now: dt.datetime = NOW) -> Facts:
    return Facts("acme", "prod", now, deployments)


def _failed(bundle: Bundle, rules: Rules = PROD, facts: Facts | None = None) -> dict[str, str]:
    decision = evaluate(bundle, rules, facts or _facts())
    assert not decision.allowed
    return {r.rule: r.reason for r in decision.results if not r.passed}


def test_good_evidence_is_allowed(tmp_path: Path) -> None:
    decision = evaluate(_bundle(tmp_path), PROD, _facts())
    assert decision.allowed, [r for r in decision.results if not r.passed]
    rules = [r.rule for r in decision.results]
    assert rules == [
        "candidate",
        "evidence:scan",
        "evidence:vulnerabilities",
        "evidence:sbom",
        "evidence:signature",
        "evidence:provenance",
        "evidence:reviews",
        "promoted-from:staging",
        "approvals",
        "vulnerabilities",
        "scan",
        "registry",
    ]
    reasons = {r.rule: r.reason for r in decision.results}
    assert reasons["approvals"] == "approved by carol, dave"
    assert "2 covered by accepted risks" in reasons["vulnerabilities"]


@pytest.mark.parametrize(
    ("change", "rule", "reason"),
    [
        ({"signatures": []}, "evidence:signature", "no image signature in the bundle"),
        ({"provenance": []}, "evidence:provenance", "no build provenance in the bundle"),
        ({"sboms": []}, "evidence:sbom", "no SBOM in the bundle"),
        ({"scans": []}, "evidence:scan", "no bulkhead scan report in the bundle"),
        ({"vulnerability_reports": []}, "vulnerabilities", "no verified vulnerability report"),
        ({"reviews": None}, "approvals", "no review export"),
    ],
)
def test_missing_evidence_denies(
    tmp_path: Path, change: dict[str, Any], rule: str, reason: str
) -> None:
    failed = _failed(_bundle(tmp_path, **change))
    assert reason in failed[rule]


def test_unparsable_evidence_denies(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    failed = _failed(_bundle(tmp_path, sboms=[tmp_path / "broken.json"]))
    assert failed["evidence:sbom"].startswith("SBOM unparsable:")


def test_unverifiable_signature_denies(tmp_path: Path) -> None:
    other = TrustPolicy((trusted(new_key()),), TRUST.provenance_keys, TRUST.allowed_builders)
    failed = _failed(_bundle(tmp_path, trust=other))
    assert failed["evidence:signature"].startswith("image signature unverifiable:")


def test_signature_for_another_digest_denies(tmp_path: Path) -> None:
    payload = simple_signing_payload(digest=OTHER_DIGEST)
    (tmp_path / "other.json").write_bytes(payload)
    (tmp_path / "other.sig").write_text(b64(sign(RELEASE_KEY, payload)))
    signature = SignatureInput(tmp_path / "other.sig", tmp_path / "other.json")
    failed = _failed(_bundle(tmp_path, signatures=[signature]))
    assert failed["evidence:signature"].startswith("image signature mismatch:")


def test_provenance_from_another_builder_is_rejected(tmp_path: Path) -> None:
    trust = TrustPolicy(TRUST.signature_keys, TRUST.provenance_keys, frozenset({"https://x"}))
    failed = _failed(_bundle(tmp_path, trust=trust))
    assert failed["evidence:provenance"].startswith("build provenance rejected:")


def test_staging_first(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    assert "never deployed to staging" in _failed(bundle, facts=_facts(()))["promoted-from:staging"]
    failing = (
        Deployment("staging", DIGEST, "healthy", 3),
        Deployment("staging", DIGEST, "failed", 7),
    )
    reason = _failed(bundle, facts=_facts(failing))["promoted-from:staging"]
    assert "(ledger entry 7) is failed, not healthy" in reason
    other = (Deployment("staging", OTHER_DIGEST, "healthy", 3),)
    assert "never deployed" in _failed(bundle, facts=_facts(other))["promoted-from:staging"]


def test_author_approval_does_not_count_and_changes_requested_blocks(tmp_path: Path) -> None:
    only_author_and_one = APPROVALS[1:]
    reason = _failed(_bundle(tmp_path, reviews=only_author_and_one))["approvals"]
    assert reason.startswith("1 of 2 approvals from people other than the author alice")
    blocked = [
        *APPROVALS,
        {"user": {"login": "carol"}, "state": "CHANGES_REQUESTED",
         "submitted_at": "2026-12-02T09:00:00Z"},
    ]  # fmt: skip
    assert _failed(_bundle(tmp_path, reviews=blocked))["approvals"] == "changes requested by carol"


def test_fixable_vulnerability_without_risk_and_expired_risk_deny(tmp_path: Path) -> None:
    no_risks = _failed(_bundle(tmp_path, risks=[]))["vulnerabilities"]
    assert no_risks.startswith("2 fixable high+ vulnerabilities: CVE-2023-46136")
    expired = EXCEPTIONS.replace("expires: 2026-12-31", "expires: 2026-12-01")
    reason = _failed(_bundle(tmp_path, exceptions=expired))["vulnerabilities"]
    assert "CVE-2024-2961" in reason and "its accepted risk has expired" in reason


def test_vulnerability_report_for_another_image_denies(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "trivy-odoo.json").read_text())
    text = json.dumps(doc).replace(
        DIGEST.removeprefix("sha256:"), OTHER_DIGEST.removeprefix("sha256:")
    )
    (tmp_path / "trivy.json").write_text(text)
    failed = _failed(_bundle(tmp_path, vulnerability_reports=[tmp_path / "trivy.json"]))
    assert failed["evidence:vulnerabilities"].startswith("vulnerability report mismatch:")


def test_scan_findings_at_or_above_high_deny(tmp_path: Path) -> None:
    scan = json.loads(json.dumps(CLEAN_SCAN))
    scan["findings"].append(
        {"control": "WL004", "severity": "high", "title": "t", "message": "m", "suppressed": False}
    )
    scan["findings"].append(
        {
            "control": "WL001",
            "severity": "critical",
            "title": "t",
            "message": "m",
            "suppressed": True,
        }
    )
    assert _failed(_bundle(tmp_path, scan=scan))["scan"] == "1 findings at or above high: WL004 x1"


def test_image_outside_approved_registries_denies(tmp_path: Path) -> None:
    rules = PROD.model_copy(update={"approved_registries": ("registry.example.com",)})
    reason = _failed(_bundle(tmp_path), rules)["registry"]
    assert reason == "ghcr.io/acme/odoo is not in an approved registry (registry.example.com)"


def test_bundle_for_another_tenant_or_environment_denies(tmp_path: Path) -> None:
    facts = Facts("globex", "staging", NOW, STAGED)
    reason = _failed(_bundle(tmp_path), facts=facts)["candidate"]
    assert reason == (
        "the bundle is for tenant 'acme' (gate asked for 'globex') and environment 'prod' "
        "(gate asked for 'staging')"
    )


def test_change_windows(tmp_path: Path) -> None:
    saturday_night = ChangeWindow(schedule="0 22 * * 6", duration="4h", time_zone="Europe/Berlin")
    rules = PROD.model_copy(update={"change_windows": (saturday_night,)})
    bundle = _bundle(tmp_path)
    assert "outside every change window" in _failed(bundle, rules)["change-window"]
    inside = dt.datetime(2026, 12, 5, 22, 30, tzinfo=dt.UTC)  # 23:30 in Berlin
    assert evaluate(bundle, rules, _facts(now=inside)).allowed
    freeze = ChangeWindow(schedule="0 0 1 12 *", duration="31d", kind="deny")
    frozen = rules.model_copy(update={"change_windows": (saturday_night, freeze)})
    assert "inside freeze" in _failed(bundle, frozen, _facts(now=inside))["change-window"]


def test_policy_resolution_and_errors() -> None:
    policy = PromotionPolicy.model_validate(
        {
            "environments": {"prod": {"min_approvals": 2, "scan_fail_on": "HIGH"}},
            "tiers": {"dedicated-enterprise": {"prod": {"min_approvals": 3}}},
            "tenants": {"acme": {"prod": {"approved_registries": ["ghcr.io/acme"]}}},
        }
    )
    rules = policy.rules_for("prod", "dedicated-enterprise", "acme")
    assert (rules.min_approvals, rules.scan_fail_on) == (3, "high")
    assert rules.approved_registries == ("ghcr.io/acme",)
    assert policy.rules_for("prod", "shared-standard", "globex").min_approvals == 2
    with pytest.raises(GateError, match="no promotion policy for environment 'dev'"):
        policy.rules_for("dev", None, "acme")
    with pytest.raises(ValueError, match="not a cron expression"):
        ChangeWindow(schedule="every day", duration="1h")
    with pytest.raises(ValueError, match="Extra inputs"):
        PromotionPolicy.model_validate({"environments": {"prod": {"min_aprovals": 2}}})


def test_signed_verification_summary(tmp_path: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from bulkhead.evidence.signatures import pae

    decision = evaluate(_bundle(tmp_path), PROD, _facts())
    statement = verification_summary(decision, "policy.yaml", "ab" * 32, "bundle.json")
    assert statement["predicate"]["verificationResult"] == "PASSED"
    assert statement["predicate"]["verifiedLevels"] == ["SLSA_BUILD_LEVEL_2"]
    assert statement["subject"][0]["digest"]["sha256"] == DIGEST.removeprefix("sha256:")
    key = Ed25519PrivateKey.generate()
    signed = sign_statement(statement, "k1", key.sign)
    body = base64.b64decode(signed["payload"])
    key.public_key().verify(
        base64.b64decode(signed["signatures"][0]["sig"]), pae(signed["payloadType"], body)
    )
    assert json.loads(body) == statement


def test_documented_policies_load_and_the_default_is_documented() -> None:
    import re

    from bulkhead.gate import DEFAULT_POLICY, load_policy

    text = (Path(__file__).resolve().parents[1] / "docs" / "release.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 2
    documented_default = load_policy(blocks[0], "docs/release.md")
    assert documented_default == PromotionPolicy.model_validate(DEFAULT_POLICY)
    example = load_policy(blocks[1], "docs/release.md")
    rules = example.rules_for("prod", "dedicated-enterprise", "hansa-wholesale")
    assert (rules.min_approvals, rules.require_signed_commit) == (3, True)
    assert rules.change_windows is not None and len(rules.change_windows) == 2


def test_the_example_platform_carries_the_promotion_policy() -> None:
    from bulkhead.gate import rules_for_platform
    from bulkhead.platform import load_platform

    example = Path(__file__).resolve().parents[1] / "examples" / "platform" / "bulkhead.yaml"
    platform = load_platform(example)
    assert platform.promotion is not None
    dedicated = rules_for_platform(platform.promotion, "prod", "hansa-wholesale", platform)
    assert (dedicated.min_approvals, dedicated.require_signed_commit) == (3, True)
    assert dedicated.approved_registries == (
        "registry.example.com/odoo",
        "registry.example.com/cnpg",
    )
    assert dedicated.change_windows and all(w.time_zone for w in dedicated.change_windows)
    shared = rules_for_platform(platform.promotion, "prod", "nordfreight", platform)
    assert shared.min_approvals == 2 and not shared.change_windows
    with pytest.raises(GateError, match="no-such-tenant"):
        rules_for_platform(platform.promotion, "prod", "no-such-tenant", platform)
