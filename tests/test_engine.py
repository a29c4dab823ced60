from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkhead.config import Config, ExceptionRule, parse_config
from bulkhead.controls import Control, Domain, Hit, Meta, Scope, Settings, by_id, catalog
from bulkhead.engine import EngineError, SelectionError, evaluate, select_controls
from bulkhead.inventory import Container
from bulkhead.model import Severity
from bulkhead.scan import build_inventory, scan
from bulkhead.suppress import baseline_document, read_baseline
from tests.helpers import TODAY, scan_files, write_tree

PRIVILEGED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
{annotations}spec:
  template:
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
          securityContext:
            privileged: true
"""


def _manifest(annotations: str = "") -> str:
    return PRIVILEGED.format(annotations=annotations)


def test_finding_fields(tmp_path: Path) -> None:
    report = scan_files(tmp_path, {"d.yaml": _manifest()}, ["WL001"])
    [finding] = report.findings
    assert finding.control == "WL001"
    assert finding.severity is Severity.CRITICAL
    assert finding.location.file == str(tmp_path / "d.yaml")
    assert finding.location.line == 13
    assert finding.path == "spec.template.spec.containers[0].securityContext.privileged"
    assert (finding.resource.kind, finding.resource.namespace, finding.resource.name) == (  # type: ignore[union-attr]
        "Deployment",
        "acme-prod",
        "odoo-web",
    )
    assert len(finding.fingerprint) == 32
    assert not finding.suppressed


def test_annotation_suppresses_with_reason(tmp_path: Path) -> None:
    annotations = (
        "  annotations:\n"
        '    bulkhead.io/ignore: "WL001: vendor agent needs /dev access, ticket SEC-12; IM001: pinned upstream"\n'
    )
    report = scan_files(tmp_path, {"d.yaml": _manifest(annotations)}, ["WL001"])
    [finding] = report.findings
    assert finding.suppressed
    assert finding.suppression is not None
    assert finding.suppression.source == "annotation"
    assert finding.suppression.reason == "vendor agent needs /dev access, ticket SEC-12"
    assert report.active == ()


def test_annotation_without_reason_does_not_suppress(tmp_path: Path) -> None:
    annotations = "  annotations:\n    bulkhead.io/ignore: WL001\n"
    report = scan_files(tmp_path, {"d.yaml": _manifest(annotations)}, ["WL001"])
    [finding] = report.findings
    assert not finding.suppressed
    assert any("has no reason" in n.message for n in report.notices)


def test_config_exception_applies_until_it_expires(tmp_path: Path) -> None:
    write_tree(tmp_path, {"d.yaml": _manifest()})
    rule = ExceptionRule(
        control="WL001",
        reason="accepted by security review SR-7",
        resource="Deployment/acme-*/odoo-*",
        expires=dt.date(2026, 12, 31),
        origin="bulkhead.toml: exceptions[0]",
    )
    config = Config(exceptions=(rule,))
    controls = [by_id()["WL001"]]
    active = scan([str(tmp_path)], config, controls=controls, today=TODAY)
    assert active.findings[0].suppression is not None
    assert active.findings[0].suppression.source == "config"
    assert active.notices == ()
    expired = scan([str(tmp_path)], config, controls=controls, today=dt.date(2027, 1, 1))
    assert not expired.findings[0].suppressed
    assert [n.message.split(":")[0] for n in expired.notices] == [
        "exception for WL001 (bulkhead.toml"
    ]
    other = Config(
        exceptions=(ExceptionRule(control="WL001", reason="r", resource="Deployment/globex-*/*"),)
    )
    assert not scan([str(tmp_path)], other, controls=controls, today=TODAY).findings[0].suppressed


def test_baseline_survives_moved_lines_and_catches_new_findings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"d.yaml": _manifest()})
    controls = [by_id()["WL001"]]
    first = scan([str(tmp_path)], controls=controls)
    baseline_file = tmp_path.parent / f"{tmp_path.name}-baseline.json"
    baseline_file.write_text(baseline_document(first.findings, "legacy tenant, fix by Q1"))
    baseline = read_baseline(str(baseline_file))
    assert baseline.reason == "legacy tenant, fix by Q1"
    # move every line down and add a second privileged workload
    second = _manifest().replace("odoo-web", "odoo-cron")
    write_tree(tmp_path, {"d.yaml": "# a comment\n\n" + _manifest() + "---\n" + second})
    report = scan([str(tmp_path)], controls=controls, baseline=baseline)
    states = {(f.resource.name, f.location.line, f.suppressed) for f in report.findings}  # type: ignore[union-attr]
    assert states == {("odoo-web", 15, True), ("odoo-cron", 29, False)}


def test_severity_override_from_config(tmp_path: Path) -> None:
    config = parse_config({"severity": {"WL001": "medium"}}, "t")
    report = scan_files(tmp_path, {"d.yaml": _manifest()}, ["WL001"], config=config)
    assert report.findings[0].severity is Severity.MEDIUM


def _relaxed_check(container: Container, settings: Settings) -> Iterator[Hit]:
    yield Hit((*container.path, "image"), "example")


RELAXED = Control(
    meta=Meta(
        id="TS001",
        slug="test-relaxed",
        title="t",
        domain=Domain.IMAGE,
        severity=Severity.HIGH,
        scope=Scope.CONTAINER,
        severity_outside_production=Severity.LOW,
    ),
    check=_relaxed_check,
    doc="",
    module="tests",
)


def test_severity_relaxed_outside_production_only(tmp_path: Path) -> None:
    namespaces = "".join(
        f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: acme-{env}\n"
        f"  labels: {{bulkhead.io/environment: {env}}}\n"
        for env in ("dev", "staging", "prod")
    )
    pods = "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {ns}}}\n"
        "spec: {containers: [{name: c, image: x}]}\n"
        for ns in ("acme-dev", "acme-staging", "acme-prod", "unlabelled")
    )
    write_tree(tmp_path, {"all.yaml": namespaces + pods})
    inventory = build_inventory([str(tmp_path)], Config())
    report = evaluate(inventory, [RELAXED])
    by_namespace = {f.resource.namespace: f.severity for f in report.findings}  # type: ignore[union-attr]
    assert by_namespace == {
        "acme-dev": Severity.LOW,
        "acme-staging": Severity.LOW,
        "acme-prod": Severity.HIGH,
        "unlabelled": Severity.HIGH,
    }


def _broken_check(container: Container, settings: Settings) -> Iterator[Hit]:
    raise KeyError("boom")


def test_a_failing_control_is_an_engine_error_naming_control_and_file(tmp_path: Path) -> None:
    broken = Control(meta=RELAXED.meta, check=_broken_check, doc="", module="tests")
    write_tree(tmp_path, {"d.yaml": _manifest()})
    inventory = build_inventory([str(tmp_path)], Config())
    with pytest.raises(EngineError, match=r"control TS001 failed on .*d\.yaml:1"):
        evaluate(inventory, [broken])


def test_select_and_disable_by_id_or_prefix() -> None:
    controls = catalog()
    assert [c.id for c in select_controls(controls, ["IN00"], ["IN003"])] == [
        "IN001",
        "IN002",
        "IN004",
        "IN005",
    ]
    assert "WL001" not in [c.id for c in select_controls(controls, [], ["WL"])]
    with pytest.raises(SelectionError, match="XX9"):
        select_controls(controls, ["XX9"], [])


def test_suppressed_findings_are_kept_in_the_report(tmp_path: Path) -> None:
    annotations = '  annotations:\n    bulkhead.io/ignore: "WL001: reviewed"\n'
    report = scan_files(tmp_path, {"d.yaml": _manifest(annotations)}, ["WL001"])
    assert len(report.findings) == 1
    assert report.counts()["critical"] == 0
    assert report.worst() is None


def test_fingerprint_ignores_how_the_path_was_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"deploy/d.yaml": _manifest()})
    monkeypatch.chdir(tmp_path)
    controls = [by_id()["WL001"]]
    plain = scan(["deploy"], controls=controls).findings[0].fingerprint
    dotted = scan(["./deploy/"], controls=controls).findings[0].fingerprint
    assert plain == dotted


def test_annotation_suppresses_an_inventory_control_finding(tmp_path: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n  namespace: acme-prod\n"
        "  annotations: {bulkhead.io/ignore: 'NP002: short-lived debug pod, ticket OPS-7'}\n"
        "spec:\n  containers: [{name: d, image: registry.example.com/d:1}]\n"
    )
    report = scan_files(tmp_path, {"pod.yaml": pod}, ["NP002"])
    [finding] = report.findings
    assert finding.suppression is not None
    assert finding.suppression.reason == "short-lived debug pod, ticket OPS-7"


def test_inventory_finding_on_a_config_file_takes_its_comments_and_context(tmp_path: Path) -> None:
    redis_conf = "# bulkhead:ignore RD002 reachable only from the tenant network, ticket OPS-9\nprotected-mode no\nbind 0.0.0.0\nrequirepass s3cret-value-not-printed\n"
    config = Config(context_path="tenants/{tenant}/{environment}/")
    write_tree(tmp_path, {"tenants/acme/dev/redis.conf": redis_conf})
    report = scan([str(tmp_path)], config, controls=[by_id()["RD002"]], today=TODAY)
    [finding] = report.findings
    assert finding.suppression is not None
    assert finding.suppression.source == "comment"
