"""A Helm chart or kustomization could not be rendered, so none of its objects were checked.

## What it does
A directory holding `Chart.yaml` is rendered with `helm template`; one holding
`kustomization.yaml` with `kustomize build` (or `kubectl kustomize`). When the tool is missing,
exits non-zero or runs over 120 seconds, this control reports the directory with the tool's
first error line. Warnings printed by a successful render are not failures.

## Why is this bad
An unrendered chart is an unchecked chart. Peers skip such charts with an info message and
exit 0, so a pipeline goes green having scanned nothing.

## Example (must fail)
```yaml file=kustomization.yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment-that-does-not-exist.yaml
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Service
metadata:
  name: odoo
  namespace: acme-prod
spec:
  selector: {app: odoo}
  ports:
    - port: 8069
```

## Remediation
Install `helm` or `kustomize` where the scan runs and fix the render error it reports, or
render in an earlier pipeline step and scan the output.

## References
checkov#7605 and checkov#4185 (charts and kustomizations silently skipped), kubescape#1625
(render failure drops the chart), trivy#6337 (templated charts give 0 files).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="IN004",
    slug="render-failed",
    title="Chart or kustomization could not be rendered",
    domain=Domain.INPUT,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for diagnostic in inventory.diagnostics:
        if diagnostic.code == "render-failed":
            yield Hit(
                (), f"not scanned: {diagnostic.message}", file=diagnostic.location.file, line=1
            )
