"""Assembling the bundle, its content address, and the fail-closed record of bad evidence."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from pydantic import ValidationError

from bulkhead.evidence import (
    Bundle,
    BundleError,
    Candidate,
    EvidenceInputs,
    EvidenceKind,
    ItemStatus,
    SignatureInput,
    TrustPolicy,
    assemble,
)
from bulkhead.evidence.model import EvidenceItem, Problem
from bulkhead.evidence.signatures import SignatureEvidence
from tests.evidence.helpers import (
    BUILDER,
    COMMIT,
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

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
RELEASE_KEY = new_key()
BUILD_KEY = new_key()
POLICY = TrustPolicy(
    signature_keys=(trusted(RELEASE_KEY),),
    provenance_keys=(trusted(BUILD_KEY),),
    allowed_builders=frozenset({BUILDER}),
)


class FakeGit:
    def __call__(self, argv: Sequence[str]) -> tuple[int, str, str]:
        if argv[1] == "cat-file":
            return 0, "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nRelease\n", ""
        if argv[1] == "show":
            fields = [COMMIT, "", "Alice", "a@x", "2026-11-30T09:00:00Z"]
            fields += ["Alice", "a@x", "2026-11-30T09:00:00Z", "Release"]
            return 0, "\x00".join(fields) + "\n", ""
        if argv[1] == "diff-tree":
            return 0, "deploy/odoo.yaml\x00", ""
        return 1, "", "unexpected"


def _evidence(tmp_path: Path) -> EvidenceInputs:
    payload = simple_signing_payload()
    (tmp_path / "payload.json").write_bytes(payload)
    (tmp_path / "odoo.sig").write_text(b64(sign(RELEASE_KEY, payload)))
    write_json(tmp_path / "odoo.intoto.json", envelope(BUILD_KEY, provenance_statement()))
    return EvidenceInputs(
        scans=[FIXTURES / "bulkhead-scan.json"],
        vulnerability_reports=[FIXTURES / "trivy-odoo.json", FIXTURES / "grype-odoo.json"],
        sboms=[FIXTURES / "cyclonedx-odoo.json", FIXTURES / "spdx-odoo.json"],
        signatures=[SignatureInput(tmp_path / "odoo.sig", tmp_path / "payload.json")],
        provenance=[tmp_path / "odoo.intoto.json"],
        reviews=FIXTURES / "reviews-pr-412.json",
        pr_author="alice",
        risks=[FIXTURES / "openvex-odoo.json"],
    )


def test_complete_bundle_is_all_ok(tmp_path: Path) -> None:
    bundle = assemble(candidate(), _evidence(tmp_path), POLICY, NOW, git=FakeGit())
    assert bundle.problems() == [
        (EvidenceKind.RISKS, p) for p in bundle.risks[0].problems
    ]  # only the fixture's deliberately refused VEX statements
    for kind in EvidenceKind:
        expected = ItemStatus.UNPARSABLE if kind is EvidenceKind.RISKS else ItemStatus.OK
        assert bundle.kind_status(kind) is expected, kind
    assert bundle.missing(EvidenceKind) == ()
    assert bundle.bundle_digest == bundle.content_digest()
    assert bundle.policy.allowed_builders == (BUILDER,)
    assert bundle.policy.signature_keys == (trusted(RELEASE_KEY).fingerprint,)
    assert bundle.commit is not None and bundle.commit.commit is not None
    assert bundle.commit.commit.changed_files == ("deploy/odoo.yaml",)
    assert bundle.reviews is not None and bundle.reviews.reviews is not None
    assert bundle.reviews.reviews.approvers == ("dave",)
    assert bundle.scans[0].scan is not None
    assert bundle.scans[0].scan.failed_inputs == ("deploy/odoo/broken.yaml",)
    assert bundle.scans[0].scan.counts()["high"] == 1
    assert bundle.covers("CVE-2023-45853", NOW) is not None
    assert bundle.covers("CVE-2024-34064", NOW) is None
    assert len(bundle.vulnerabilities()) == 10
    for _, item in bundle.items():
        assert item.sha256 is not None and item.source


def test_round_trip_and_tamper_detection(tmp_path: Path) -> None:
    bundle = assemble(candidate(), _evidence(tmp_path), POLICY, NOW, git=FakeGit())
    text = bundle.to_json()
    again = Bundle.from_json(text, "bundle.json")
    assert again == bundle
    assert again.to_json() == text
    assert Bundle.from_json(text.encode()).content_digest() == bundle.bundle_digest

    doc = json.loads(text)
    doc["reviews"]["reviews"]["approvers"] = ["dave", "mallory"]
    with pytest.raises(BundleError, match="bundle digest mismatch") as caught:
        Bundle.from_json(json.dumps(doc), "bundle.json")
    assert str(caught.value).startswith("bundle.json: ")

    doc = json.loads(text)
    doc["bundle_digest"] = None
    with pytest.raises(BundleError, match="not sealed"):
        Bundle.from_json(json.dumps(doc))


def test_digest_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    bundle = assemble(candidate(), EvidenceInputs(), POLICY, NOW)
    compact = json.dumps(json.loads(bundle.to_json()), separators=(",", ":"))
    assert Bundle.from_json(compact).bundle_digest == bundle.bundle_digest
    later = assemble(candidate(), EvidenceInputs(), POLICY, NOW + dt.timedelta(seconds=1))
    other = assemble(candidate(digest=OTHER_DIGEST), EvidenceInputs(), POLICY, NOW)
    assert len({bundle.bundle_digest, later.bundle_digest, other.bundle_digest}) == 3


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "bundle.json:1: invalid JSON"),
        ('{"schema_version": "1.0", "schema_version": "1.0"}', "duplicate key"),
        ('{"schema_version": "2.0"}', "not a valid evidence bundle: schema_version"),
        ("[]", "not a valid evidence bundle"),
    ],
)
def test_from_json_errors_are_one_line(text: str, needle: str) -> None:
    with pytest.raises(BundleError, match=needle) as caught:
        Bundle.from_json(text, "bundle.json")
    assert "\n" not in str(caught.value)


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    doc = json.loads(assemble(candidate(), EvidenceInputs(), POLICY, NOW).to_json())
    doc["candidate"]["approved"] = True
    with pytest.raises(BundleError, match=r"candidate\.approved"):
        Bundle.from_json(json.dumps(doc))


def test_bad_evidence_is_recorded_and_the_bundle_still_assembles(tmp_path: Path) -> None:
    payload = simple_signing_payload(digest=OTHER_DIGEST)
    (tmp_path / "payload.json").write_bytes(payload)
    (tmp_path / "odoo.sig").write_text(b64(sign(RELEASE_KEY, payload)))
    (tmp_path / "broken.json").write_text("{ not json")
    write_json(
        tmp_path / "prov.json", envelope(BUILD_KEY, provenance_statement(), "application/json")
    )
    inputs = EvidenceInputs(
        vulnerability_reports=[tmp_path / "broken.json"],
        sboms=[tmp_path / "absent.json"],
        signatures=[
            SignatureInput(tmp_path / "odoo.sig", tmp_path / "payload.json"),
            tmp_path / "prov.json",
        ],
        provenance=[tmp_path / "prov.json"],
        risks=[FIXTURES / "exceptions.yaml"],
    )
    bundle = assemble(candidate(), inputs, POLICY, NOW)
    assert bundle.kind_status(EvidenceKind.VULNERABILITIES) is ItemStatus.UNPARSABLE
    assert bundle.kind_status(EvidenceKind.SBOM) is ItemStatus.MISSING
    assert bundle.kind_status(EvidenceKind.SIGNATURE) is ItemStatus.MISMATCH
    assert bundle.kind_status(EvidenceKind.PROVENANCE) is ItemStatus.REJECTED
    assert bundle.kind_status(EvidenceKind.COMMIT) is ItemStatus.MISSING
    assert bundle.missing([EvidenceKind.COMMIT, EvidenceKind.REVIEWS, EvidenceKind.SBOM]) == (
        EvidenceKind.COMMIT,
        EvidenceKind.REVIEWS,
    )
    statuses = {p.status for _, p in bundle.problems()}
    assert ItemStatus.EXPIRED in statuses
    for _, problem in bundle.problems():
        assert "\n" not in problem.message
        assert str(tmp_path) in problem.message or "exceptions.yaml" in problem.message
    # and it survives the round trip with its problems
    assert Bundle.from_json(bundle.to_json()).problems() == bundle.problems()


def test_no_keys_means_unverifiable(tmp_path: Path) -> None:
    inputs = _evidence(tmp_path)
    bundle = assemble(candidate(), inputs, TrustPolicy(), NOW)
    assert bundle.kind_status(EvidenceKind.SIGNATURE) is ItemStatus.UNVERIFIABLE
    assert bundle.kind_status(EvidenceKind.PROVENANCE) is ItemStatus.UNVERIFIABLE


def test_programmer_errors_raise() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        assemble(candidate(), EvidenceInputs(), POLICY, dt.datetime(2026, 12, 4))
    with pytest.raises(TypeError, match="sboms must be a list"):
        assemble(candidate(), EvidenceInputs(sboms="bom.json"), POLICY, NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("digest", "sha256:" + "A" * 64),
        ("digest", DIGEST[:-1]),
        ("digest", "sha512:" + "a" * 64),
        ("commit", COMMIT[:-1]),
        ("commit", "HEAD"),
        ("image", "ghcr.io/acme/odoo:17.0"),
        ("image", f"ghcr.io/acme/odoo@{DIGEST}"),
        ("image", "GHCR.io/Acme/Odoo"),
        ("tenant", ""),
        ("tenant", "acme corp"),
        ("environment", "../prod"),
    ],
)
def test_candidate_validation(field: str, value: str) -> None:
    fields = candidate().model_dump()
    fields[field] = value
    with pytest.raises(ValidationError):
        Candidate(**fields)


def test_candidate_accepts_registry_ports_and_nested_paths() -> None:
    fields = candidate().model_dump()
    fields["image"] = "registry.acme.example:5000/platform/odoo-17/web"
    assert Candidate(**fields).reference.endswith(f"web@{DIGEST}")


def test_item_status_is_derived_and_checked() -> None:
    problem = Problem(status=ItemStatus.MISMATCH, message="x: names another digest")
    item = SignatureEvidence(source="x", problems=(problem,))
    assert item.status is ItemStatus.MISMATCH and not item.ok
    assert EvidenceItem(source="x").status is ItemStatus.OK
    with pytest.raises(ValidationError):
        EvidenceItem(source="x", status=ItemStatus.OK, problems=(problem,))
    with pytest.raises(ValidationError):
        EvidenceItem(source="x", status=ItemStatus.MISSING)
    with pytest.raises(ValidationError):
        Problem(status=ItemStatus.OK, message="fine")
    with pytest.raises(ValidationError):
        EvidenceItem(source="x", sha256="not-hex")


def test_bundle_is_frozen(tmp_path: Path) -> None:
    bundle = assemble(candidate(), EvidenceInputs(), POLICY, NOW)
    with pytest.raises(ValidationError):
        bundle.candidate = candidate(digest=OTHER_DIGEST)


def test_private_keys_never_reach_the_bundle(tmp_path: Path) -> None:
    text = assemble(candidate(), _evidence(tmp_path), POLICY, NOW, git=FakeGit()).to_json()
    assert "PRIVATE" not in text
    for key in (RELEASE_KEY, BUILD_KEY):
        assert str(key.private_numbers().private_value) not in text
        assert format(key.private_numbers().private_value, "x") not in text
