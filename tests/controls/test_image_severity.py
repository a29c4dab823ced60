"""IM002 is high in production and low elsewhere (the case format checks locations only)."""

from __future__ import annotations

from pathlib import Path

from bulkhead.model import Severity
from tests.helpers import scan_files

NAMESPACES = """\
apiVersion: v1
kind: Namespace
metadata:
  name: acme-dev
  labels: {bulkhead.io/environment: dev}
---
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels: {bulkhead.io/environment: prod}
---
apiVersion: v1
kind: Namespace
metadata:
  name: acme-unlabelled
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: {namespace}
spec:
  template:
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
"""


def _severities(tmp_path: Path) -> dict[str | None, Severity]:
    files = {"namespaces.yaml": NAMESPACES}
    for namespace in ("acme-dev", "acme-prod", "acme-unlabelled"):
        files[f"{namespace}.yaml"] = DEPLOYMENT.format(namespace=namespace)
    report = scan_files(tmp_path, files, ["IM002"])
    found: dict[str | None, Severity] = {}
    for finding in report.findings:
        assert finding.resource is not None
        found[finding.resource.namespace] = finding.severity
    return found


def test_low_outside_production(tmp_path: Path) -> None:
    assert _severities(tmp_path)["acme-dev"] is Severity.LOW


def test_high_in_production_and_when_unknown(tmp_path: Path) -> None:
    severities = _severities(tmp_path)
    assert severities["acme-prod"] is Severity.HIGH
    assert severities["acme-unlabelled"] is Severity.HIGH
