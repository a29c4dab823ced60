"""The scan found no Kubernetes object, Dockerfile or configuration file: it checked nothing.

## What it does
Reports once when the given paths produced no Kubernetes object (a document with `apiVersion`
and `kind`), no Dockerfile and no configuration file (odoo.conf, CI workflows, ...), for
example a wrong path, an `--exclude` that matches everything,
or a directory of Helm values files.

## Why is this bad
A security gate that checks nothing must not pass. A misspelt path in a CI job would otherwise
keep the pipeline green forever.

## Example (must fail)
```yaml file=values.yaml
replicaCount: 2
image:
  repository: registry.example.com/odoo
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
```

## Remediation
Point the scan at the rendered manifests or the chart directory, and check `--exclude` globs.

## References
A real CI gate scanned zero files and passed (open-computer-use#403); Polaris scores 0 and
Kubescape reports zero findings when nothing loads (polaris#439, devantler-tech/platform#2933).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="IN005",
    slug="nothing-scanned",
    title="Nothing was scanned",
    domain=Domain.INPUT,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    if inventory.resources or inventory.dockerfiles or inventory.configs:
        return
    names = ", ".join(record.path for record in inventory.inputs[:3]) or "no input files"
    yield Hit(
        (),
        f"no Kubernetes object, Dockerfile or configuration file found ({names}): check the "
        "paths and --exclude",
        file=inventory.inputs[0].path if inventory.inputs else "<inputs>",
        line=1,
    )
