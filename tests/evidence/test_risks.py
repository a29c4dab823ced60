"""Accepted risks: OpenVEX statements and exceptions with an owner and an expiry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkhead.evidence.model import EvidenceError, ItemStatus
from bulkhead.evidence.risks import (
    RiskKind,
    collect_risks,
    covers,
    expired_risks,
    parse_exceptions,
    parse_openvex,
)
from tests.evidence.helpers import DIGEST, FIXTURES, OTHER_DIGEST, load_fixture, write_json

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


def test_exceptions_file_collected_with_expiry_and_refused_entry() -> None:
    item = collect_risks(FIXTURES / "exceptions.yaml", NOW)
    assert item.format == "exceptions"
    assert [r.vulnerability for r in item.risks] == [
        "CVE-2024-2961",
        "CVE-2011-3374",
        "GHSA-hrfv-mqp8-q5rw",
        "CVE-2024-34064",
    ]
    messages = [p.message for p in item.problems]
    assert [p.status for p in item.problems] == [ItemStatus.UNPARSABLE, ItemStatus.EXPIRED]
    assert messages[0].endswith("exceptions[4]: owner is required")
    assert "CVE-2011-3374 (owner bob@acme.example) expired on 2026-11-30" in messages[1]
    assert item.status is ItemStatus.UNPARSABLE


def test_expired_exception_covers_nothing() -> None:
    risks = collect_risks(FIXTURES / "exceptions.yaml", NOW).risks
    assert covers(risks, "CVE-2011-3374", DIGEST, NOW) is None
    assert [r.vulnerability for r in expired_risks(risks, NOW)] == ["CVE-2011-3374"]
    # valid through its expiry day (UTC), not a day longer
    last_day = dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC)
    assert covers(risks, "CVE-2011-3374", DIGEST, last_day) is not None
    next_day_utc = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert covers(risks, "CVE-2011-3374", DIGEST, next_day_utc) is None


def test_exception_scope_and_aliases() -> None:
    risks = collect_risks(FIXTURES / "exceptions.yaml", NOW).risks
    glibc = covers(risks, "cve-2024-2961", OTHER_DIGEST, NOW)  # no digest: any image
    assert glibc is not None and glibc.owner == "alice@acme.example" and glibc.ticket == "SEC-101"
    assert glibc.kind is RiskKind.EXCEPTION and glibc.expires == dt.date(2026, 12, 31)
    assert covers(risks, "CVE-2023-46136", DIGEST, NOW) is not None  # alias of the GHSA
    assert covers(risks, "CVE-2023-46136", OTHER_DIGEST, NOW) is None  # pinned to DIGEST
    assert covers(risks, "CVE-2024-34064", DIGEST, NOW) is None  # pinned to another image
    assert covers(risks, "CVE-2024-34064", OTHER_DIGEST, NOW) is not None
    assert covers(risks, "X", DIGEST, NOW, aliases=["GHSA-HRFV-MQP8-Q5RW"]) is not None


def test_openvex_document() -> None:
    item = collect_risks(FIXTURES / "openvex-odoo.json", NOW)
    assert item.format == "openvex"
    names = [r.vulnerability for r in item.risks]
    assert names == ["CVE-2023-45853", "CVE-2024-2961"]  # under_investigation is not a waiver
    statuses = [(p.status, p.message.split(": ", 2)[1]) for p in item.problems]
    assert statuses == [
        (ItemStatus.UNPARSABLE, "statements[3]"),  # not_affected without justification
        (ItemStatus.REJECTED, "statements[4]"),  # no products: a blanket waiver
    ]
    zlib = covers(item.risks, "CVE-2023-45853", DIGEST, NOW)
    assert zlib is not None
    assert zlib.owner == "Acme Platform Security <security@acme.example>"
    assert zlib.justification == "vulnerable_code_not_in_execute_path"
    assert zlib.expires is None and zlib.product_digests == (DIGEST,)
    assert zlib.timestamp == dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    assert covers(item.risks, "GHSA-9pgh-qqpf-7wqj", DIGEST, NOW) is zlib
    # a statement about another image's digest does not cover ours
    assert covers(item.risks, "CVE-2024-2961", DIGEST, NOW) is None
    assert covers(item.risks, "CVE-2024-2961", OTHER_DIGEST, NOW) is not None


def test_openvex_v0_0_x_string_products_and_hashes() -> None:
    doc = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "author": "sec",
        "timestamp": "2026-11-30T12:00:00Z",
        "statements": [
            {
                "vulnerability": {"name": "CVE-1"},
                "products": [f"ghcr.io/acme/odoo@{DIGEST}"],
                "status": "fixed",
            },
            {
                "vulnerability": {"name": "CVE-2"},
                "products": [
                    {"@id": "odoo", "hashes": {"sha-256": DIGEST.removeprefix("sha256:")}}
                ],
                "status": "not_affected",
                "impact_statement": "not reachable",
            },
        ],
    }
    risks, problems = parse_openvex(doc, "v.json")
    assert problems == ()
    assert all(r.applies_to(DIGEST) for r in risks)
    assert not any(r.applies_to(OTHER_DIGEST) for r in risks)


def test_openvex_refuses_other_documents() -> None:
    with pytest.raises(EvidenceError, match="is not OpenVEX"):
        parse_openvex({"@context": "https://example.com"}, "v.json")


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({"id": "CVE-1", "owner": "a", "reason": "r"}, "expires is required"),
        ({"id": "CVE-1", "owner": "a", "reason": "r", "expires": "soon"}, "YYYY-MM-DD"),
        ({"id": "CVE-1", "owner": "a", "expires": "2027-01-01"}, "reason is required"),
        ({"owner": "a", "reason": "r", "expires": "2027-01-01"}, "id is required"),
        (
            {"id": "CVE-1", "owner": "a", "reason": "r", "expires": "2027-01-01", "digest": "abc"},
            "digest must be",
        ),
        (
            {"id": "CVE-1", "owner": "a", "reason": "r", "expires": "2027-01-01", "until": "x"},
            "unknown key 'until'",
        ),
    ],
)
def test_malformed_exception_is_refused(entry: dict[str, str], needle: str) -> None:
    risks, problems = parse_exceptions([entry], "exceptions.yaml")
    assert risks == ()
    assert len(problems) == 1 and needle in problems[0].message
    assert problems[0].message.startswith("exceptions.yaml: exceptions[0]: ")


def test_exceptions_json_and_bare_list(tmp_path: Path) -> None:
    entry = {"id": "CVE-1", "owner": "a", "reason": "r", "expires": "2027-01-01"}
    item = collect_risks(write_json(tmp_path / "exceptions.json", [entry]), NOW)
    assert item.ok and item.risks[0].expires == dt.date(2027, 1, 1)


def test_exceptions_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n  - id: CVE-1\n    id: CVE-2\n")
    item = collect_risks(path, NOW)
    assert item.status is ItemStatus.UNPARSABLE
    assert item.problems[0].message.startswith(f"{path}:3: duplicate key 'id'")
    path.write_text("exceptions: {}\n")
    assert "expected a list" in collect_risks(path, NOW).problems[0].message
    path.write_text("exception:\n  - id: CVE-1\n")
    assert "unknown top-level key 'exception'" in collect_risks(path, NOW).problems[0].message
    assert collect_risks(tmp_path / "none.yaml", NOW).status is ItemStatus.MISSING


def test_fixture_still_parses_as_vex() -> None:
    # guard: the fixture keeps the statements the assertions above rely on
    doc = load_fixture("openvex-odoo.json")
    assert len(doc["statements"]) == 5
