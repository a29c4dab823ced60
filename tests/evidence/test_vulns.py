"""Trivy and Grype JSON normalized on realistic samples (tests/evidence/fixtures)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bulkhead.evidence.model import EvidenceError, ItemStatus
from bulkhead.evidence.vulns import (
    Vulnerability,
    VulnSeverity,
    collect_vulnerability_report,
    parse_grype,
    parse_trivy,
    parse_vulnerability_report,
)
from tests.evidence.helpers import (
    CONFIG_DIGEST,
    DIGEST,
    FIXTURES,
    INDEX_DIGEST,
    OTHER_DIGEST,
    load_fixture,
    sha256_hex,
    write_json,
)


def _by_id(vulns: tuple[Vulnerability, ...]) -> dict[tuple[str, str], Vulnerability]:
    return {(v.id, v.package): v for v in vulns}


def test_trivy_normalized() -> None:
    report = parse_trivy(load_fixture("trivy-odoo.json"), "trivy.json")
    assert report.scanner == "trivy"
    assert report.claimed_digests == (DIGEST,)
    assert CONFIG_DIGEST not in report.claimed_digests  # the image ID is not the image digest
    vulns = _by_id(report.vulnerabilities)
    assert set(vulns) == {
        ("CVE-2011-3374", "apt"),
        ("CVE-2024-2961", "libc6"),
        ("CVE-2023-45853", "zlib1g"),
        ("CVE-2024-34064", "Jinja2"),
        ("CVE-2023-46136", "Werkzeug"),
    }
    glibc = vulns[("CVE-2024-2961", "libc6")]
    assert glibc.installed_version == "2.36-9+deb12u4"
    assert glibc.fixed_version == "2.36-9+deb12u7"
    assert glibc.severity is VulnSeverity.HIGH and glibc.fix_available
    assert glibc.purl == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5"
    zlib = vulns[("CVE-2023-45853", "zlib1g")]
    assert zlib.fixed_version is None and not zlib.fix_available
    assert zlib.severity is VulnSeverity.CRITICAL
    assert vulns[("CVE-2023-46136", "Werkzeug")].fixed_version == "3.0.1, 2.3.8"
    assert vulns[("CVE-2024-34064", "Jinja2")].aliases == ("GHSA-h75v-3vvj-5mfj",)
    assert vulns[("CVE-2011-3374", "apt")].severity is VulnSeverity.LOW


def test_trivy_duplicates_across_paths_are_merged_and_order_is_by_severity() -> None:
    report = parse_trivy(load_fixture("trivy-odoo.json"), "trivy.json")
    assert len(report.vulnerabilities) == 5  # Jinja2 was reported at two paths
    ranks = [v.severity.rank for v in report.vulnerabilities]
    assert ranks == sorted(ranks, reverse=True)
    assert report.vulnerabilities[0].id == "CVE-2023-45853"
    assert report.counts()["CRITICAL"] == 1 and report.counts()["NEGLIGIBLE"] == 0


def test_grype_normalized() -> None:
    report = parse_grype(load_fixture("grype-odoo.json"), "grype.json")
    assert report.scanner == "grype" and report.scanner_version == "0.74.7"
    assert report.claimed_digests == (DIGEST, INDEX_DIGEST)
    vulns = _by_id(report.vulnerabilities)
    jinja = vulns[("GHSA-h75v-3vvj-5mfj", "Jinja2")]
    assert jinja.aliases == ("CVE-2024-34064",)
    assert jinja.severity is VulnSeverity.MEDIUM
    assert jinja.fixed_version == "3.1.4" and jinja.fix_available
    zlib = vulns[("CVE-2023-45853", "zlib1g")]
    assert zlib.aliases == ()  # a related entry repeating its own id is not an alias
    assert zlib.severity is VulnSeverity.CRITICAL and not zlib.fix_available
    assert zlib.fixed_version is None
    assert vulns[("CVE-2010-4756", "libc6")].severity is VulnSeverity.NEGLIGIBLE
    glibc = vulns[("CVE-2024-2961", "libc6")]
    assert glibc.fix_available and glibc.fixed_version == "2.36-9+deb12u7"


def test_grype_ignored_matches_are_kept_and_marked() -> None:
    report = parse_grype(load_fixture("grype-odoo.json"), "grype.json")
    apt = _by_id(report.vulnerabilities)[("CVE-2011-3374", "apt")]
    assert apt.suppressed_by_scanner
    assert not _by_id(report.vulnerabilities)[("CVE-2024-2961", "libc6")].suppressed_by_scanner


def test_trivy_modified_findings_are_kept_and_marked() -> None:
    doc = load_fixture("trivy-odoo.json")
    finding = copy.deepcopy(doc["Results"][0]["Vulnerabilities"][0])
    finding["VulnerabilityID"] = "CVE-2025-0001"
    doc["Results"][0]["ExperimentalModifiedFindings"] = [
        {
            "Type": "vulnerability",
            "Status": "not_affected",
            "Source": "vex.json",
            "Finding": finding,
        }
    ]
    report = parse_trivy(doc, "trivy.json")
    assert _by_id(report.vulnerabilities)[("CVE-2025-0001", "apt")].suppressed_by_scanner


def test_fixed_state_without_versions_is_not_a_fix() -> None:
    doc = load_fixture("grype-odoo.json")
    doc["matches"][0]["vulnerability"]["fix"] = {"versions": [], "state": "fixed"}
    jinja = parse_grype(doc, "g.json").vulnerabilities
    assert not _by_id(jinja)[("GHSA-h75v-3vvj-5mfj", "Jinja2")].fix_available


def test_unknown_severity_spellings() -> None:
    assert VulnSeverity.parse("Critical") is VulnSeverity.CRITICAL
    assert VulnSeverity.parse("negligible") is VulnSeverity.NEGLIGIBLE
    assert VulnSeverity.parse("important") is VulnSeverity.UNKNOWN
    assert VulnSeverity.parse(None) is VulnSeverity.UNKNOWN


def test_format_detection() -> None:
    assert parse_vulnerability_report(load_fixture("trivy-odoo.json"), "x").scanner == "trivy"
    assert parse_vulnerability_report(load_fixture("grype-odoo.json"), "x").scanner == "grype"
    with pytest.raises(EvidenceError, match="neither Trivy JSON"):
        parse_vulnerability_report({"bomFormat": "CycloneDX"}, "x")


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["Results"][0]["Vulnerabilities"][1].pop("VulnerabilityID"), "VulnerabilityID"),
        (lambda d: d["Results"][1].update(Vulnerabilities={"a": 1}), "not a list"),
        (lambda d: d.update(SchemaVersion=1), "SchemaVersion"),
        (lambda d: d["Results"][0]["Vulnerabilities"].append("CVE-1"), "not an object"),
    ],
)
def test_malformed_trivy_is_unparsable(mutate: object, needle: str) -> None:
    doc = load_fixture("trivy-odoo.json")
    assert callable(mutate)
    mutate(doc)
    with pytest.raises(EvidenceError, match=needle) as caught:
        parse_trivy(doc, "trivy.json")
    assert caught.value.status is ItemStatus.UNPARSABLE
    assert caught.value.message.startswith("trivy.json: ")


def test_malformed_grype_match_is_unparsable() -> None:
    doc = load_fixture("grype-odoo.json")
    del doc["matches"][2]["artifact"]["name"]
    with pytest.raises(EvidenceError, match=r"matches\[2\]\.artifact\.name"):
        parse_grype(doc, "grype.json")


def test_collect_matching_report() -> None:
    item = collect_vulnerability_report(FIXTURES / "trivy-odoo.json", DIGEST)
    assert item.ok, item.problems
    assert item.sha256 == sha256_hex((FIXTURES / "trivy-odoo.json").read_bytes())
    assert item.report is not None and len(item.report.vulnerabilities) == 5
    assert collect_vulnerability_report(FIXTURES / "grype-odoo.json", INDEX_DIGEST).ok


def test_collect_report_for_another_image(tmp_path: Path) -> None:
    item = collect_vulnerability_report(FIXTURES / "grype-odoo.json", OTHER_DIGEST)
    assert item.status is ItemStatus.MISMATCH
    assert item.report is not None  # still recorded for the reader
    assert OTHER_DIGEST in item.problems[0].message


def test_collect_report_that_names_no_digest(tmp_path: Path) -> None:
    doc = load_fixture("trivy-odoo.json")
    doc["ArtifactName"] = "ghcr.io/acme/odoo:17.0"
    doc["Metadata"]["RepoDigests"] = []
    item = collect_vulnerability_report(write_json(tmp_path / "t.json", doc), DIGEST)
    assert item.status is ItemStatus.UNVERIFIABLE
    assert "does not name the image digest" in item.problems[0].message


def test_collect_unparsable_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"SchemaVersion": 2,\n "Results": [,]}')
    item = collect_vulnerability_report(path, DIGEST)
    assert item.status is ItemStatus.UNPARSABLE and item.sha256 is not None
    assert item.problems[0].message.startswith(f"{path}:2: invalid JSON")
    missing = collect_vulnerability_report(tmp_path / "none.json", DIGEST)
    assert missing.status is ItemStatus.MISSING and missing.sha256 is None
