"""CycloneDX and SPDX SBOMs: does the document describe the candidate's image digest?"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkhead.evidence.model import EvidenceError, ItemStatus
from bulkhead.evidence.sbom import collect_sbom, digests_in_purl, parse_sbom
from tests.evidence.helpers import (
    CONFIG_DIGEST,
    DIGEST,
    FIXTURES,
    OTHER_DIGEST,
    load_fixture,
    write_json,
)

HEX = DIGEST.removeprefix("sha256:")


def test_purl_digest_is_url_decoded() -> None:
    assert digests_in_purl(f"pkg:oci/odoo@sha256%3A{HEX}?arch=amd64") == (DIGEST,)
    assert digests_in_purl(f"pkg:oci/odoo@sha256%3a{HEX.upper()}#sub/path") == (DIGEST,)
    assert digests_in_purl(f"pkg:docker/acme/odoo@sha256:{HEX}") == (DIGEST,)
    assert digests_in_purl("pkg:oci/odoo@17.0") == ()
    assert digests_in_purl(f"pkg:oci/odoo?digest=sha256:{HEX}") == ()
    assert digests_in_purl(f"ghcr.io/acme/odoo@{DIGEST}") == ()


def test_cyclonedx_matches_through_purl_bom_ref_and_property() -> None:
    info = parse_sbom(load_fixture("cyclonedx-odoo.json"), "bom.json", DIGEST)
    assert info.format == "cyclonedx" and info.spec_version == "1.6"
    assert info.components == 3
    assert info.claimed_digests == (DIGEST,)
    assert info.matched_at == (
        "metadata.component.purl",
        "metadata.component.bom-ref",
        "metadata.component.properties[2]",
    )


def test_cyclonedx_component_digest_does_not_count() -> None:
    # the base image is a component with OTHER_DIGEST: the SBOM does not describe it
    info = parse_sbom(load_fixture("cyclonedx-odoo.json"), "bom.json", OTHER_DIGEST)
    assert info.matched_at == ()
    assert OTHER_DIGEST not in info.claimed_digests
    assert CONFIG_DIGEST not in info.claimed_digests  # the ImageID property is not a digest


def test_cyclonedx_hashes_and_version(tmp_path: Path) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {
            "component": {
                "type": "container",
                "name": "ghcr.io/acme/odoo",
                "version": DIGEST,
                "hashes": [{"alg": "SHA-256", "content": HEX.upper()}],
            }
        },
    }
    item = collect_sbom(write_json(tmp_path / "bom.json", doc), DIGEST)
    assert item.ok, item.problems
    assert item.sbom is not None
    assert item.sbom.matched_at == ("metadata.component.hashes[0]", "metadata.component.version")


def test_cyclonedx_mismatch(tmp_path: Path) -> None:
    doc = load_fixture("cyclonedx-odoo.json")
    item = collect_sbom(write_json(tmp_path / "bom.json", doc), OTHER_DIGEST)
    assert item.status is ItemStatus.MISMATCH
    assert (
        f"describes {DIGEST}, not the candidate digest {OTHER_DIGEST}" in item.problems[0].message
    )


def test_cyclonedx_without_subject_is_unverifiable(tmp_path: Path) -> None:
    doc = load_fixture("cyclonedx-odoo.json")
    del doc["metadata"]["component"]
    item = collect_sbom(write_json(tmp_path / "bom.json", doc), DIGEST)
    assert item.status is ItemStatus.UNVERIFIABLE
    doc = load_fixture("cyclonedx-odoo.json")
    doc["metadata"]["component"] = {"type": "container", "name": "ghcr.io/acme/odoo:17.0"}
    item = collect_sbom(write_json(tmp_path / "bom.json", doc), DIGEST)
    assert item.status is ItemStatus.UNVERIFIABLE
    assert "does not name the digest" in item.problems[0].message


def test_spdx_matches_described_package() -> None:
    info = parse_sbom(load_fixture("spdx-odoo.json"), "sbom.spdx.json", DIGEST)
    assert info.format == "spdx" and info.spec_version == "2.3"
    assert info.name == "ghcr.io/acme/odoo"
    assert info.components == 3
    assert info.matched_at == (
        "packages[2].externalRefs[0]",
        "packages[2].checksums[0]",
        "packages[2].versionInfo",
    )


def test_spdx_mismatch_and_undescribed_package_does_not_count(tmp_path: Path) -> None:
    item = collect_sbom(FIXTURES / "spdx-odoo.json", OTHER_DIGEST)  # OTHER is a base package
    assert item.status is ItemStatus.MISMATCH


def test_spdx_document_describes_field(tmp_path: Path) -> None:
    doc = load_fixture("spdx-odoo.json")
    doc["relationships"] = []
    item = collect_sbom(write_json(tmp_path / "s.json", doc), DIGEST)
    assert item.status is ItemStatus.UNVERIFIABLE
    assert "describes no package" in item.problems[0].message
    doc["documentDescribes"] = ["SPDXRef-DocumentRoot-Image-ghcr.io-acme-odoo"]
    assert collect_sbom(write_json(tmp_path / "s.json", doc), DIGEST).ok
    doc["documentDescribes"] = ["SPDXRef-Package-oci-base"]
    assert collect_sbom(write_json(tmp_path / "s.json", doc), DIGEST).status is (
        ItemStatus.MISMATCH
    )


def test_spdx_trivy_style_attribution_text(tmp_path: Path) -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "ghcr.io/acme/odoo:17.0",
        "packages": [
            {
                "name": "ghcr.io/acme/odoo:17.0",
                "SPDXID": "SPDXRef-ContainerImage-1",
                "attributionTexts": [
                    "SchemaVersion: 2",
                    f"ImageID: {CONFIG_DIGEST}",
                    f"RepoDigest: ghcr.io/acme/odoo@{DIGEST}",
                ],
            }
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relatedSpdxElement": "SPDXRef-ContainerImage-1",
                "relationshipType": "DESCRIBES",
            }
        ],
    }
    item = collect_sbom(write_json(tmp_path / "s.json", doc), DIGEST)
    assert item.ok and item.sbom is not None
    assert item.sbom.matched_at == ("packages[0].attributionTexts[2]",)
    assert item.sbom.claimed_digests == (DIGEST,)


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ({"hello": "world"}, "neither CycloneDX"),
        ({"bomFormat": "SWID"}, "not CycloneDX"),
        ({"bomFormat": "CycloneDX", "specVersion": "2.0"}, "specVersion"),
        ({"spdxVersion": "SPDX-3.0"}, "not supported"),
        ([1, 2], "neither CycloneDX"),
    ],
)
def test_not_an_sbom(doc: object, needle: str) -> None:
    with pytest.raises(EvidenceError, match=needle) as caught:
        parse_sbom(doc, "x.json", DIGEST)
    assert caught.value.status is ItemStatus.UNPARSABLE


def test_collect_missing_sbom(tmp_path: Path) -> None:
    item = collect_sbom(tmp_path / "nope.json", DIGEST)
    assert item.status is ItemStatus.MISSING
    assert item.problems[0].message == f"{tmp_path / 'nope.json'}: no such file"
