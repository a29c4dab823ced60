"""SARIF 2.1.0: valid against the official schema and shaped for GitHub code scanning."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from bulkhead.formatters import sarif
from bulkhead.model import Finding, Location, Report, Severity
from tests.formatters.sample import (
    BASELINED,
    BROKEN,
    CONTROLS,
    PRIVILEGED_DEBUG,
    PRIVILEGED_WEB,
    clean_report,
    sample_report,
)

SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")


@cache
def validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def errors(log: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(log)]


def render(report: Report) -> dict[str, Any]:
    loaded = json.loads(sarif.render(report, CONTROLS))
    assert isinstance(loaded, dict)
    return loaded


def run_of(report: Report) -> dict[str, Any]:
    run = render(report)["runs"][0]
    assert isinstance(run, dict)
    return run


def result_for(finding: Finding) -> dict[str, Any]:
    results = run_of(sample_report())["results"]
    index = sample_report().findings.index(finding)
    result = results[index]
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("report", [sample_report(), clean_report()], ids=["sample", "clean"])
def test_valid_against_the_official_schema(report: Report) -> None:
    assert errors(render(report)) == []


def test_the_validator_rejects_an_invalid_log() -> None:
    log = render(sample_report())
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(errors(log)) >= 2


def test_log_header_and_driver() -> None:
    log = render(sample_report())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "bulkhead"
    assert driver["informationUri"] == "https://github.com/bulkhead-dev/bulkhead"
    assert "artifacts" not in log["runs"][0]


def test_one_rule_per_control_run_sorted() -> None:
    rules = run_of(sample_report())["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["IN001", "IN002", "IN003", "WL001"]
    wl001 = rules[3]
    control = CONTROLS["WL001"]
    assert wl001["name"] == "PrivilegedContainer"
    assert wl001["shortDescription"] == {"text": "Container runs privileged"}
    assert wl001["fullDescription"] == {"text": control.summary}
    assert wl001["defaultConfiguration"] == {"level": "error"}
    assert wl001["properties"] == {
        "security-severity": "9.5",
        "tags": ["security", "workload"],
        "precision": "high",
    }
    assert "helpUri" not in wl001


def test_rule_help_is_the_control_docs() -> None:
    rule = run_of(sample_report())["tool"]["driver"]["rules"][3]
    markdown = rule["help"]["markdown"]
    control = CONTROLS["WL001"]
    assert markdown.startswith(control.summary)
    assert "## What it does" in markdown
    assert "## Remediation" in markdown
    assert control.section("Remediation") in markdown
    assert markdown.index("## Why is this bad") < markdown.index("## References")
    assert "##" not in rule["help"]["text"]
    assert control.section("Why is this bad") in rule["help"]["text"]


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "3.0"),
        (Severity.INFO, "note", "0.0"),
    ],
)
def test_severity_mapping(severity: Severity, level: str, score: str) -> None:
    assert sarif.level(severity) == level
    assert sarif.SECURITY_SEVERITY[severity] == score


def test_rule_name_is_camel_case_of_the_slug() -> None:
    assert sarif.rule_name("privileged-container") == "PrivilegedContainer"
    assert sarif.rule_name("host-pid") == "HostPid"


def test_rule_index_points_at_the_rule_of_the_result() -> None:
    run = run_of(sample_report())
    rules = run["tool"]["driver"]["rules"]
    assert [r["ruleId"] for r in run["results"]] == [f.control for f in sample_report().findings]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_result_levels_follow_the_finding_severity() -> None:
    assert result_for(PRIVILEGED_WEB)["level"] == "error"
    low = next(f for f in sample_report().findings if f.severity is Severity.LOW)
    assert result_for(low)["level"] == "note"


def test_message_names_the_resource_when_there_is_one() -> None:
    assert result_for(PRIVILEGED_WEB)["message"]["text"] == (
        f"{PRIVILEGED_WEB.message} (resource: Deployment acme-prod/odoo-web)"
    )
    assert result_for(BROKEN)["message"]["text"] == BROKEN.message


def test_result_location_and_properties() -> None:
    result = result_for(PRIVILEGED_WEB)
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 17},
            }
        }
    ]
    assert result["properties"] == {"path": PRIVILEGED_WEB.path, "severity": "critical"}


def test_partial_fingerprints_are_the_finding_fingerprint_and_ignore_lines() -> None:
    result = result_for(PRIVILEGED_WEB)
    assert result["partialFingerprints"] == {"bulkheadFindingHash/v1": PRIVILEGED_WEB.fingerprint}
    moved = replace(PRIVILEGED_WEB, location=Location("deploy/web.yaml", 170))
    report = Report(inputs=(), findings=(moved,), controls=("WL001",))
    again = run_of(report)["results"][0]
    assert again["partialFingerprints"] == result["partialFingerprints"]
    assert again["locations"][0]["physicalLocation"]["region"] == {"startLine": 170}
    assert sarif.render(sample_report(), CONTROLS) == sarif.render(sample_report(), CONTROLS)


def test_suppressed_findings_carry_suppressions() -> None:
    assert result_for(PRIVILEGED_DEBUG)["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "debug pod | removed in Q3",
            "properties": {"source": "annotation", "expires": "2027-03-31"},
        }
    ]
    assert result_for(BASELINED)["suppressions"] == [
        {
            "kind": "external",
            "justification": "accepted in the 2026-11 baseline",
            "properties": {"source": "baseline"},
        }
    ]
    assert result_for(PRIVILEGED_WEB)["suppressions"] == []
    assert result_for(BROKEN)["suppressions"] == []


def test_failed_inputs_and_notices_are_notifications() -> None:
    invocation = run_of(sample_report())["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "warning", "warning"]
    assert notes[0]["message"]["text"] == "deploy/broken.yaml: mapping values are not allowed"
    failed_at = notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert failed_at == {"uri": "deploy/broken.yaml", "uriBaseId": "%SRCROOT%"}
    assert notes[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 12}
    assert "locations" not in notes[2]


def test_clean_run_has_no_notifications() -> None:
    invocation = run_of(clean_report())["invocations"][0]
    assert invocation == {"executionSuccessful": True}


def test_edge_locations_stay_valid() -> None:
    no_file = Finding("IN001", Severity.HIGH, "t", "nothing", Location("", 1))
    line_zero = Finding("IN001", Severity.HIGH, "t", "top", Location("./odd name.yaml", 0))
    log = render(Report(inputs=(), findings=(no_file, line_zero), controls=("IN001",)))
    assert errors(log) == []
    results = log["runs"][0]["results"]
    assert "locations" not in results[0]
    assert "partialFingerprints" not in results[0]
    physical = results[1]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "odd%20name.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1},
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("deploy/web.yaml", {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"}),
        ("./././deploy/web.yaml", {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"}),
        ("deploy\\web.yaml", {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"}),
        ("a:b.yaml", {"uri": "a%3Ab.yaml", "uriBaseId": "%SRCROOT%"}),
        ("ünï/#1.yaml", {"uri": "%C3%BCn%C3%AF/%231.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/srv/repo/web.yaml", {"uri": "file:///srv/repo/web.yaml"}),
        ("C:\\repo\\web.yaml", {"uri": "file:///C:/repo/web.yaml"}),
        ("\\\\host\\share\\web.yaml", {"uri": "file://host/share/web.yaml"}),
        ("bad\udcff.yaml", {"uri": "bad%FF.yaml", "uriBaseId": "%SRCROOT%"}),
    ],
)
def test_artifact_location(path: str, expected: dict[str, str]) -> None:
    assert sarif.artifact_location(path) == expected
