"""JUnit XML: parses, counts agree, one suite per control, suppressed findings skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bulkhead.formatters import junit
from bulkhead.model import Finding, Location, Report, ResourceRef, Severity
from tests.formatters.sample import (
    CONTROLS,
    PRIVILEGED_DEBUG,
    PRIVILEGED_WEB,
    clean_report,
    sample_report,
)


def parse(report: Report) -> ET.Element:
    return ET.fromstring(junit.render(report, CONTROLS).encode("utf-8"))


def suite(root: ET.Element, control_id: str) -> ET.Element:
    found = [s for s in root.iter("testsuite") if s.get("name", "").startswith(f"{control_id} ")]
    assert len(found) == 1
    return found[0]


def counts(element: ET.Element) -> dict[str, str | None]:
    return {key: element.get(key) for key in ("tests", "failures", "errors", "skipped")}


def test_declaration_and_root() -> None:
    text = junit.render(sample_report(), CONTROLS)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = parse(sample_report())
    assert root.tag == "testsuites"
    assert root.get("name") == "bulkhead"


def test_one_suite_per_control_run_named_by_id_and_title() -> None:
    root = parse(sample_report())
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "IN001 Input could not be read or parsed",
        "IN002 Duplicate mapping key",
        "IN003 Unrendered Helm template",
        "WL001 Container runs privileged",
    ]


def test_counts_match_the_testcases() -> None:
    root = parse(sample_report())
    assert counts(root) == {"tests": "6", "failures": "3", "errors": "0", "skipped": "2"}
    for element in root.findall("testsuite"):
        cases = element.findall("testcase")
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(
            sum(1 for c in cases if c.find("failure") is not None)
        )
        assert element.get("skipped") == str(sum(1 for c in cases if c.find("skipped") is not None))
    assert counts(suite(root, "WL001")) == {
        "tests": "2",
        "failures": "1",
        "errors": "0",
        "skipped": "1",
    }
    assert counts(suite(root, "IN002")) == {
        "tests": "2",
        "failures": "1",
        "errors": "0",
        "skipped": "1",
    }


def test_clean_control_gets_one_passing_testcase() -> None:
    cases = suite(parse(sample_report()), "IN003").findall("testcase")
    assert len(cases) == 1
    assert cases[0].get("name") == "IN003 Unrendered Helm template"
    assert cases[0].get("classname") == "bulkhead.IN003"
    assert list(cases[0]) == []


def test_failing_testcase() -> None:
    cases = suite(parse(sample_report()), "WL001").findall("testcase")
    active = next(c for c in cases if c.find("failure") is not None)
    assert active.get("classname") == "bulkhead.WL001"
    assert active.get("name") == f"Deployment acme-prod/odoo-web: {PRIVILEGED_WEB.path}"
    assert active.get("file") == "deploy/web.yaml"
    failure = active.find("failure")
    assert failure is not None
    assert failure.get("type") == "critical"
    assert failure.get("message") == PRIVILEGED_WEB.message
    assert (failure.text or "").startswith("deploy/web.yaml:17\n")
    assert PRIVILEGED_WEB.fingerprint in (failure.text or "")


def test_finding_without_resource_is_named_by_file() -> None:
    case = suite(parse(sample_report()), "IN001").find("testcase")
    assert case is not None
    assert case.get("name") == "deploy/broken.yaml"


def test_suppressed_finding_is_skipped_with_its_reason() -> None:
    cases = suite(parse(sample_report()), "WL001").findall("testcase")
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert len(skipped) == 1
    assert skipped[0].get("name") == f"Deployment acme-prod/debug: {PRIVILEGED_DEBUG.path}"
    marker = skipped[0].find("skipped")
    assert marker is not None
    assert marker.get("message") == "suppressed (annotation): debug pod | removed in Q3"
    assert skipped[0].find("failure") is None


def test_clean_report_passes() -> None:
    root = parse(clean_report())
    assert counts(root) == {"tests": "2", "failures": "0", "errors": "0", "skipped": "0"}


def test_markup_and_forbidden_characters_are_escaped() -> None:
    nasty = Finding(
        "WL001",
        Severity.HIGH,
        "Container runs privileged",
        'bad <tag attr="x"> & \x07bell ]]> done',
        Location("a&b.yaml", 2),
        ResourceRef("Pod", None, "p<1>"),
        path="spec",
    )
    text = junit.render(Report(inputs=(), findings=(nasty,), controls=("WL001",)), CONTROLS)
    assert "\x07" not in text
    root = ET.fromstring(text.encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "Pod p<1>: spec"
    assert case.get("file") == "a&b.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'bad <tag attr="x"> & \ufffdbell ]]> done'


def test_clean_replaces_only_what_xml_forbids() -> None:
    assert junit.clean("tab\tnew\nline\r ok \x00 \udcff") == "tab\tnew\nline\r ok \ufffd \ufffd"
