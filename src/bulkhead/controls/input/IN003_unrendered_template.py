"""A manifest is an unrendered Helm template, so its objects cannot be checked as deployed.

## What it does
Reports a YAML file outside a chart directory that contains Helm template actions
(`{{ .Values... }}`, `{{- include ... }}`, `{{ if ... }}`), at the line of the first one. The
file is not scanned: checking half-rendered text would give meaningless results.

## Why is this bad
Template syntax is not Kubernetes: what gets deployed depends on values nobody checked. Scanning
the raw template either fails or, worse, passes on text that renders to something else.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "odoo.fullname" . }}
spec:
  replicas: {{ .Values.replicas }}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  replicas: 2
```

## Remediation
Scan the chart directory (the one holding `Chart.yaml`) with `helm` on PATH, so bulkhead renders
it, or scan the output of `helm template` (for example `helm template acme ./chart | bulkhead scan -`).

## References
Peers: Polaris and kube-score need pre-rendered input; Checkov drops charts that fail to render
(checkov#7605). bulkhead reports the template instead of skipping it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="IN003",
    slug="unrendered-template",
    title="Unrendered Helm template",
    domain=Domain.INPUT,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for diagnostic in inventory.diagnostics:
        if diagnostic.code == "unrendered-template":
            yield Hit(
                (), diagnostic.message, file=diagnostic.location.file, line=diagnostic.location.line
            )
